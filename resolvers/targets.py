"""Thin resolvers for target lookup and the target library."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.targets import access
from schema.context import Info
from schema.errors import error_result, query_error
from schema.targets import (
    Deleted,
    DeleteLibraryTargetInput,
    DeleteLibraryTargetPayload,
    LibraryTarget,
    ResolvedTarget,
    ResolveTargetPayload,
    SaveLibraryTargetInput,
    SaveLibraryTargetPayload,
)


async def resolve_target(
    info: Info, organization_id: strawberry.ID, name: str
) -> ResolveTargetPayload:
    actor = await info.context.require_actor()
    try:
        resolved = await access.look_up_target(actor, str(organization_id), name)
    except DomainError as error:
        return error_result(error)
    return ResolvedTarget.from_model(resolved)


async def library_targets(
    info: Info, organization_id: strawberry.ID, search: str = "", first: int = 20
) -> list[LibraryTarget]:
    actor = await info.context.require_actor()
    try:
        found = await access.search_targets(actor, str(organization_id), search, first)
    except DomainError as error:
        raise query_error(error) from None
    return [LibraryTarget.from_document(target) for target in found]


async def save_library_target(
    info: Info, input: SaveLibraryTargetInput
) -> SaveLibraryTargetPayload:
    actor = await info.context.require_actor()
    try:
        saved = await access.save_target(
            actor,
            str(input.organization_id),
            name=input.name,
            ra=input.ra,
            dec=input.dec,
            notes=input.notes,
            tags=input.tags,
            priority=input.priority,
        )
    except DomainError as error:
        return error_result(error)
    return LibraryTarget.from_document(saved)


async def delete_library_target(
    info: Info, input: DeleteLibraryTargetInput
) -> DeleteLibraryTargetPayload:
    actor = await info.context.require_actor()
    try:
        await access.delete_target(actor, str(input.organization_id), str(input.id))
    except DomainError as error:
        return error_result(error)
    return Deleted(id=input.id)
