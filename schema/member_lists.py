"""Member lists of organizations, projects and observatories, with each member's account.

The lists are fields of `Organization`, `Project` and `Observatory`; the parent documents and
the members' accounts come from the request's DataLoaders (one query per kind, however many
parents are listed).
"""

from __future__ import annotations

import strawberry
from beanie import PydanticObjectId

from domain.access import member_lists
from domain.access.member_lists import MemberGrant, may_view_organization
from domain.access.permissions import ObservatoryPermission as DomainObservatoryPermission
from domain.access.permissions import ProjectPermission as DomainProjectPermission
from domain.organizations.organization import (
    OrganizationPermission as DomainOrganizationPermission,
)
from domain.projects.listing import visible_projects
from domain.projects.project import Project as ProjectDocument
from resolvers.pagination import by_name, epoch_millis, paginate_sorted
from schema.accounts import User
from schema.connection import Connection
from schema.context import Info
from schema.members import ObservatoryPermission, OrganizationPermission, ProjectPermission
from schema.projects import Project


@strawberry.type(description="A member of an organization and what it lets them manage.")
class OrganizationMember:
    user: User
    is_owner: bool = strawberry.field(description="The owner holds every permission.")
    permissions: list[OrganizationPermission]  # type: ignore[valid-type]


@strawberry.type(description="A project's owner or direct member and their permissions.")
class ProjectMember:
    user: User
    is_owner: bool = strawberry.field(description="The owner (its creator) holds every one.")
    permissions: list[ProjectPermission]  # type: ignore[valid-type]


@strawberry.type(description="A direct member of an observatory and their permissions.")
class ObservatoryMember:
    user: User
    permissions: list[ObservatoryPermission]  # type: ignore[valid-type]


type _Listed = tuple[MemberGrant, User]


async def _users(info: Info, grants: list[MemberGrant]) -> list[_Listed]:
    """Each grant with its account (grants of deleted accounts are left out)."""
    found = await info.context.loaders.user_by_id.load_many([g.user_id for g in grants])
    return [(g, User.from_document(u)) for g, u in zip(grants, found, strict=True) if u]


def _member_order(listed: _Listed) -> tuple[bool, int, str]:
    """Owners first, then by when added (the order they are stored in), then by user id."""
    grant, _ = listed
    return not grant.is_owner, epoch_millis(grant.added_at), str(grant.user_id)


async def organization_members(
    info: Info, organization_id: str, first: int, after: str | None
) -> Connection[OrganizationMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    organization = await loaders.organization_by_id.load(PydanticObjectId(organization_id))
    grants = member_lists.organization_members(viewer, organization) if organization else []

    def to_node(listed: _Listed) -> OrganizationMember:
        grant, user = listed
        return OrganizationMember(
            user=user,
            is_owner=grant.is_owner,
            permissions=[DomainOrganizationPermission(p) for p in grant.permissions],
        )

    return paginate_sorted(
        await _users(info, grants), key=_member_order, first=first, after=after, to_node=to_node
    )


async def project_members(
    info: Info, project_id: str, first: int, after: str | None
) -> Connection[ProjectMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    project = await loaders.project_by_id.load(PydanticObjectId(project_id))
    grants: list[MemberGrant] = []
    if project is not None:
        organization = await loaders.organization_by_id.load(project.organization_id)
        grants = member_lists.project_members(viewer, project, organization)

    def to_node(listed: _Listed) -> ProjectMember:
        grant, user = listed
        return ProjectMember(
            user=user,
            is_owner=grant.is_owner,
            permissions=[DomainProjectPermission(p) for p in grant.permissions],
        )

    return paginate_sorted(
        await _users(info, grants), key=_member_order, first=first, after=after, to_node=to_node
    )


async def observatory_members(
    info: Info, observatory_id: str, first: int, after: str | None
) -> Connection[ObservatoryMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    observatory = await loaders.observatory_by_id.load(PydanticObjectId(observatory_id))
    grants: list[MemberGrant] = []
    if observatory is not None:
        organization = await loaders.organization_by_id.load(observatory.organization_id)
        grants = member_lists.observatory_members(viewer, observatory, organization)

    def to_node(listed: _Listed) -> ObservatoryMember:
        grant, user = listed
        return ObservatoryMember(
            user=user, permissions=[DomainObservatoryPermission(p) for p in grant.permissions]
        )

    return paginate_sorted(
        await _users(info, grants), key=_member_order, first=first, after=after, to_node=to_node
    )


async def organization_projects(
    info: Info, organization_id: str, first: int, after: str | None
) -> Connection[Project]:
    """`Organization.projects` by name (then id): batched over every organization listed."""
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    key = PydanticObjectId(organization_id)
    organization = await loaders.organization_by_id.load(key)
    visible: list[ProjectDocument] = []
    if organization is not None and may_view_organization(viewer, organization):
        found = await loaders.projects_by_organization_id.load(key)
        for project in found:  # their own fields (members) then need no second read
            if project.id is not None:
                loaders.project_by_id.prime(project.id, project)
        visible = visible_projects(viewer, found, organization)
    return paginate_sorted(
        visible, key=by_name, first=first, after=after, to_node=Project.from_document
    )
