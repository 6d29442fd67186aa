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
from schema.accounts import User
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


async def _users(info: Info, grants: list[MemberGrant]) -> list[tuple[MemberGrant, User]]:
    """Each grant with its account (grants of deleted accounts are left out)."""
    found = await info.context.loaders.user_by_id.load_many([g.user_id for g in grants])
    return [(g, User.from_document(u)) for g, u in zip(grants, found, strict=True) if u]


async def organization_members(info: Info, organization_id: str) -> list[OrganizationMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    organization = await loaders.organization_by_id.load(PydanticObjectId(organization_id))
    if organization is None:
        return []
    grants = member_lists.organization_members(viewer, organization)
    return [
        OrganizationMember(
            user=user,
            is_owner=grant.is_owner,
            permissions=[DomainOrganizationPermission(p) for p in grant.permissions],
        )
        for grant, user in await _users(info, grants)
    ]


async def project_members(info: Info, project_id: str) -> list[ProjectMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    project = await loaders.project_by_id.load(PydanticObjectId(project_id))
    if project is None:
        return []
    organization = await loaders.organization_by_id.load(project.organization_id)
    grants = member_lists.project_members(viewer, project, organization)
    return [
        ProjectMember(
            user=user,
            is_owner=grant.is_owner,
            permissions=[DomainProjectPermission(p) for p in grant.permissions],
        )
        for grant, user in await _users(info, grants)
    ]


async def observatory_members(info: Info, observatory_id: str) -> list[ObservatoryMember]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    observatory = await loaders.observatory_by_id.load(PydanticObjectId(observatory_id))
    if observatory is None:
        return []
    organization = await loaders.organization_by_id.load(observatory.organization_id)
    grants = member_lists.observatory_members(viewer, observatory, organization)
    return [
        ObservatoryMember(
            user=user, permissions=[DomainObservatoryPermission(p) for p in grant.permissions]
        )
        for grant, user in await _users(info, grants)
    ]


async def organization_projects(info: Info, organization_id: str) -> list[Project]:
    """`Organization.projects`: batched over every organization of the request."""
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    key = PydanticObjectId(organization_id)
    organization = await loaders.organization_by_id.load(key)
    if organization is None or not may_view_organization(viewer, organization):
        return []
    found = await loaders.projects_by_organization_id.load(key)
    for project in found:  # their own fields (members) then need no second read
        if project.id is not None:
            loaders.project_by_id.prime(project.id, project)
    return [Project.from_document(p) for p in visible_projects(viewer, found, organization)]
