"""Thin resolvers for changing an observatory after registration."""

from __future__ import annotations

from domain import errors
from domain.errors import DomainError
from domain.observatories.fingerprint_reset import reset_observatory_fingerprint as reset
from domain.observatories.settings_update import update_observatory as update
from schema.context import Info
from schema.errors import Forbidden, NotFound, error_result
from schema.observatories import Observatory
from schema.observatory_update import (
    ResetObservatoryFingerprintInput,
    ResetObservatoryFingerprintPayload,
    UpdateObservatoryInput,
    UpdateObservatoryPayload,
)


async def update_observatory(info: Info, input: UpdateObservatoryInput) -> UpdateObservatoryPayload:
    actor = await info.context.require_actor()
    try:
        changed = await update(
            actor,
            str(input.id),
            location=input.location.to_pydantic() if input.location else None,
            horizon=[p.to_pydantic() for p in input.horizon] if input.horizon is not None else None,
            equipment=input.equipment.to_pydantic() if input.equipment else None,
        )
    except DomainError as error:
        return error_result(error)
    return Observatory.from_document(changed)


async def reset_observatory_fingerprint(
    info: Info, input: ResetObservatoryFingerprintInput
) -> ResetObservatoryFingerprintPayload:
    actor = await info.context.require_actor()
    try:
        observatory = await reset(actor, str(input.observatory_id))
    except (errors.Forbidden, errors.NotFound) as error:
        result = error_result(error)
        assert isinstance(result, Forbidden | NotFound)  # the reset validates no input
        return result
    return Observatory.from_document(observatory)
