"""Thin resolvers for observation templates."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.templates import service
from resolvers.pagination import by_name, paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.errors import error_result, query_error
from schema.observations import Observation, ObservationPayload
from schema.templates import (
    CreateObservationFromTemplateInput,
    ObservationTemplate,
    SaveObservationTemplateInput,
    SaveObservationTemplatePayload,
)


async def save_observation_template(
    info: Info, input: SaveObservationTemplateInput
) -> SaveObservationTemplatePayload:
    actor = await info.context.require_actor()
    try:
        template = await service.save_template(actor, str(input.observation_id), input.name)
    except DomainError as error:
        return error_result(error)
    return ObservationTemplate.from_document(template)


async def create_observation_from_template(
    info: Info, input: CreateObservationFromTemplateInput
) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        created = await service.observe_from_template(
            actor, str(input.template_id), input.name, input.submit, info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(created)


async def observation_templates(
    info: Info, project_id: strawberry.ID, first: int = 50, after: str | None = None
) -> Connection[ObservationTemplate]:
    """The project's templates by name (then id); `first` is at most 100."""
    actor = await info.context.require_actor()
    try:
        found = await service.templates_of_project(actor, str(project_id))
    except DomainError as error:
        raise query_error(error) from None
    return paginate_sorted(
        found, key=by_name, first=first, after=after, to_node=ObservationTemplate.from_document
    )
