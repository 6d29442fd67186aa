"""Granting people access to organizations, projects and observatories."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import ObservatoryPermission, ProjectPermission
from domain.accounts.user import User
from domain.audit import record_audit
from domain.errors import Forbidden, NotFound
from domain.observatories.access import observatory_for
from domain.observatories.observatory import Observatory, ObservatoryMember
from domain.organizations.access import organization_for
from domain.organizations.organization import (
    Organization,
    OrganizationMember,
    OrganizationPermission,
)
from domain.projects.access import project_for
from domain.projects.project import Project, ProjectMember


async def _user(user_id: str) -> User:
    user = await User.get(PydanticObjectId(user_id)) if PydanticObjectId.is_valid(user_id) else None
    if user is None:
        raise NotFound("user", user_id)
    return user


async def set_organization_member(
    actor: User, organization_id: str, user_id: str, permissions: set[OrganizationPermission]
) -> Organization:
    """Add a member, or replace a member's permissions (the owner's cannot be changed)."""
    organization = await organization_for(
        actor, organization_id, OrganizationPermission.MANAGE_MEMBERS
    )
    user = await _user(user_id)
    assert user.id is not None
    existing = organization.member(user.id)
    if existing is not None and existing.is_owner:
        raise Forbidden("the owner's permissions cannot be changed")
    before = sorted(existing.permissions) if existing else None
    members = [m for m in organization.members if m.user_id != user.id]
    members.append(OrganizationMember(user_id=user.id, permissions=permissions, added_by=actor.id))
    organization.members = members
    await organization.save()
    await record_audit(
        actor,
        "organization",
        str(organization.id),
        "set_member",
        before={"user": user_id, "permissions": before},
        after={"user": user_id, "permissions": sorted(permissions)},
    )
    return organization


async def set_project_member(
    actor: User, project_id: str, user_id: str, permissions: set[ProjectPermission]
) -> Project:
    project = await project_for(actor, project_id, ProjectPermission.MANAGE_MEMBERS)
    user = await _user(user_id)
    assert user.id is not None
    if user.id == project.owner_id:
        raise Forbidden("the owner's permissions cannot be changed")
    previous = project.member(user.id)
    project.members = [m for m in project.members if m.user_id != user.id]
    project.members.append(
        ProjectMember(user_id=user.id, permissions=permissions | {ProjectPermission.VIEW})
    )
    await project.save()
    await record_audit(
        actor,
        "project",
        str(project.id),
        "set_member",
        before={"user": user_id, "permissions": sorted(previous.permissions) if previous else None},
        after={"user": user_id, "permissions": sorted(permissions | {ProjectPermission.VIEW})},
    )
    return project


async def set_observatory_member(
    actor: User, observatory_id: str, user_id: str, permissions: set[ObservatoryPermission]
) -> Observatory:
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.ADMIN)
    user = await _user(user_id)
    assert user.id is not None
    previous = observatory.member(user.id)
    observatory.members = [m for m in observatory.members if m.user_id != user.id]
    observatory.members.append(ObservatoryMember(user_id=user.id, permissions=permissions))
    await observatory.save()
    await record_audit(
        actor,
        "observatory",
        str(observatory.id),
        "set_member",
        before={"user": user_id, "permissions": sorted(previous.permissions) if previous else None},
        after={"user": user_id, "permissions": sorted(permissions)},
    )
    return observatory
