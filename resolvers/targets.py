"""Thin resolvers for target lookup and the target library."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.targets import access, library
from resolvers.pagination import paginate_keyset
from schema.connection import Connection, KeyPart
from schema.context import Info
from schema.errors import error_result, query_error
from schema.global_ids import global_id
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
    info: Info,
    organization_id: strawberry.ID,
    search: str = "",
    first: int = 20,
    after: str | None = None,
) -> Connection[LibraryTarget]:
    """Matches that start with `search` first, each group by name; `first` is at most 100."""
    actor = await info.context.require_actor()
    try:
        organization = await access.readable_library(actor, str(organization_id))
    except DomainError as error:
        raise query_error(error) from None

    async def fetch(last: tuple[KeyPart, ...] | None, limit: int) -> list[library.LibraryTarget]:
        position = (int(last[0]), str(last[1])) if last is not None else None
        return await library.search_library_after(organization, search, limit, position)

    async def count_all() -> int:
        return await library.count_library_matches(organization, search)

    return await paginate_keyset(
        fetch,
        count_all,
        key=lambda target: library.search_position(target, search),
        key_types=(int, str),
        first=first,
        after=after,
        to_node=LibraryTarget.from_document,
    )


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
    return Deleted(id=global_id("LibraryTarget", input.id))
