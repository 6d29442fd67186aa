"""Who belongs to an organization, a project or an observatory, for those who may see it.

A member list is visible to whoever may see the thing itself (an organization's members, or
VIEW on the project or observatory); the checks are the same as for reading the thing, so a
list of something invisible is empty rather than an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId

from domain.access.key_scope import organization_allows
from domain.access.permissions import (
    ALL_PROJECT,
    ObservatoryPermission,
    ProjectPermission,
)
from domain.access.resolve import observatory_permissions, project_permissions
from domain.accounts.user import User
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization, OrganizationPermission
from domain.projects.project import Project


@dataclass(frozen=True)
class MemberGrant:
    """One member and the permissions granted to them directly (the owner holds all).

    `added_at` is when they were added or their permissions last changed (a project's owner:
    when the project was created).
    """

    user_id: PydanticObjectId
    is_owner: bool
    permissions: tuple[str, ...]
    added_at: datetime


def may_view_organization(user: User, organization: Organization) -> bool:
    """Does `user` belong to `organization` (or administer the site), within its key's scope?"""
    assert organization.id is not None
    if not organization_allows(user.key_scope, organization.id, None):
        return False
    if user.is_site_admin:
        return True
    assert user.id is not None
    return organization.member(user.id) is not None


def organization_members(user: User, organization: Organization) -> list[MemberGrant]:
    """The members of `organization`, owners first; empty when `user` may not see it."""
    if not may_view_organization(user, organization):
        return []
    everything = frozenset(OrganizationPermission)
    grants = [
        MemberGrant(
            m.user_id,
            m.is_owner,
            tuple(sorted(p.value for p in (everything if m.is_owner else m.permissions))),
            m.added_at,
        )
        for m in organization.members
    ]
    return sorted(grants, key=lambda g: not g.is_owner)


def project_members(
    user: User, project: Project, organization: Organization | None
) -> list[MemberGrant]:
    """The project's owner, then its direct members; empty without VIEW on it."""
    if ProjectPermission.VIEW not in project_permissions(user, project, organization):
        return []
    owner = MemberGrant(
        project.owner_id, True, tuple(sorted(p.value for p in ALL_PROJECT)), project.created_at
    )
    return [owner] + [
        MemberGrant(m.user_id, False, tuple(sorted(p.value for p in m.permissions)), m.added_at)
        for m in project.members
        if m.user_id != project.owner_id
    ]


def observatory_members(
    user: User, observatory: Observatory, organization: Organization | None
) -> list[MemberGrant]:
    """The observatory's direct members; empty without VIEW on it."""
    if ObservatoryPermission.VIEW not in observatory_permissions(user, observatory, organization):
        return []
    return [
        MemberGrant(m.user_id, False, tuple(sorted(p.value for p in m.permissions)), m.added_at)
        for m in observatory.members
    ]
