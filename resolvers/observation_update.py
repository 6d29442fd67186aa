"""Thin resolver for `updateObservation`."""

from __future__ import annotations

from domain.errors import DomainError
from domain.observations.update import update_observation as update
from schema.context import Info
from schema.errors import error_result
from schema.observation_update import UpdateObservationInput
from schema.observations import Observation, ObservationPayload


async def update_observation(info: Info, input: UpdateObservationInput) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        changed = await update(actor, input.to_change(), info.context.services.events)
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(changed)
