"""Thin resolvers for reading: an organization's projects, one observatory, recent frames."""

from __future__ import annotations

import strawberry

from domain.access.permissions import ObservatoryPermission
from domain.errors import DomainError
from domain.frames.frame import Frame as FrameDocument
from domain.frames.recent import recent_frames_query
from domain.observatories.access import observatory_for
from domain.projects.listing import projects_of_organization
from resolvers.pagination import by_name, paginate, paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.frames import Frame
from schema.observatories import Observatory
from schema.projects import Project


async def projects(
    info: Info, organization_id: strawberry.ID, first: int = 50, after: str | None = None
) -> Connection[Project]:
    """Projects of the organization you may see, by name (then id); `first` is at most 100."""
    viewer = await info.context.require_actor()
    found = await projects_of_organization(viewer, str(organization_id))
    return paginate_sorted(
        found, key=by_name, first=first, after=after, to_node=Project.from_document
    )


async def observatory(info: Info, id: strawberry.ID) -> Observatory | None:
    viewer = await info.context.require_actor()
    try:
        found = await observatory_for(viewer, str(id), ObservatoryPermission.VIEW)
    except DomainError:
        return None
    return Observatory.from_document(found)


async def recent_frames(info: Info, first: int = 20, after: str | None = None) -> Connection[Frame]:
    """Frames of observations you may see, newest first; `first` is at most 100."""
    viewer = await info.context.require_actor()
    return await paginate(
        FrameDocument,
        await recent_frames_query(viewer),
        first=first,
        after=after,
        newest_first=True,
        to_node=Frame.from_document,
    )
