"""`node(id:)`: fetch any object by its global id, as its own query would (same visibility)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain.access.permissions import ProjectPermission
from domain.errors import DomainError
from domain.organizations.access import organization_for
from domain.projects.access import project_for
from resolvers import accounts, frames, listing, observations
from schema.accounts import User
from schema.context import Info
from schema.global_ids import decode_global_id, raw_id
from schema.node import Node
from schema.organizations import Organization
from schema.projects import Project

_Fetch = Callable[[Info, strawberry.ID], Awaitable[Node | None]]


async def _organization(info: Info, id: strawberry.ID) -> Organization | None:
    viewer = await info.context.require_actor()
    try:
        return Organization.from_document(await organization_for(viewer, str(id)))
    except DomainError:
        return None


async def _project(info: Info, id: strawberry.ID) -> Project | None:
    viewer = await info.context.require_actor()
    try:
        return Project.from_document(await project_for(viewer, str(id), ProjectPermission.VIEW))
    except DomainError:
        return None


async def _user(info: Info, id: strawberry.ID) -> User | None:
    """Only yourself: other people appear through the member lists you may read."""
    you = await accounts.me(info)
    return you if you is not None and raw_id(you.id) == str(id) else None


_FETCHERS: dict[str, _Fetch] = {
    "Observation": observations.observation,
    "Observatory": listing.observatory,
    "Frame": frames.frame,
    "Organization": _organization,
    "Project": _project,
    "User": _user,
}

NODE_TYPES = tuple(sorted(_FETCHERS))


async def node(info: Info, id: strawberry.ID) -> Node | None:
    """Null when the id names something missing, invisible to you, or not a Node type."""
    fetch = _FETCHERS.get(decode_global_id(id).type_name)
    return await fetch(info, id) if fetch is not None else None
