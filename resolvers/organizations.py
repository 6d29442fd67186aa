"""Thin resolvers for organizations."""

from __future__ import annotations

from domain import errors
from domain.organizations import service
from resolvers.pagination import by_name, paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.errors import Conflict, ValidationError
from schema.organizations import CreateOrganizationInput, CreateOrganizationPayload, Organization


async def create_organization(
    info: Info, input: CreateOrganizationInput
) -> CreateOrganizationPayload:
    actor = await info.context.require_viewer()  # a person: keys cannot found organizations
    try:
        organization = await service.create_organization(
            actor,
            info.context.services.events,
            name=input.name,
            short_name=input.short_name,
            type=input.type,
            description=input.description,
        )
    except errors.ValidationFailed as failure:
        return ValidationError.from_domain(failure)
    except errors.Conflict as conflict:
        return Conflict(message=conflict.message)
    return Organization.from_document(organization)


async def organizations(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[Organization]:
    """Your organizations by name (then id); `first` is at most 100."""
    viewer = await info.context.require_actor()
    return paginate_sorted(
        await service.organizations_of(viewer),
        key=by_name,
        first=first,
        after=after,
        to_node=Organization.from_document,
    )
