"""Effective permissions: every path to a thing is considered and the most permissive wins.

Paths (FEATURES.md §1.5): being a site administrator; owning or being a direct member of the
thing; being a member of the organization that owns it (its owner, or a member holding the
organization's manage-projects / manage-observatories permission, gets everything; any other
member gets the organization-member grant).
"""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.key_scope import observatory_cap, project_cap
from domain.access.permissions import (
    ALL_OBSERVATORY,
    ALL_PROJECT,
    ORGANIZATION_MEMBER_OBSERVATORY,
    ORGANIZATION_MEMBER_PROJECT,
    ObservatoryPermission,
    ProjectPermission,
)
from domain.accounts.user import User
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization, OrganizationPermission
from domain.projects.project import Project


def organization_grants(
    organization: Organization | None,
    user_id: PydanticObjectId,
    manage: OrganizationPermission,
) -> tuple[bool, bool]:
    """(is a member, may manage `manage`) of `user_id` in the owning organization."""
    if organization is None:
        return False, False
    member = organization.member(user_id)
    if member is None:
        return False, False
    return True, member.is_owner or manage in member.permissions


def project_permissions(
    user: User, project: Project, organization: Organization | None
) -> frozenset[ProjectPermission]:
    """What `user` may do on `project`, capped by the API key it acts through, if any."""
    return _held_on_project(user, project, organization) & project_cap(
        user.key_scope, project.organization_id
    )


def observatory_permissions(
    user: User, observatory: Observatory, organization: Organization | None
) -> frozenset[ObservatoryPermission]:
    """What `user` may do at `observatory`, capped by the API key it acts through, if any."""
    return _held_at_observatory(user, observatory, organization) & observatory_cap(
        user.key_scope, observatory.organization_id
    )


def _held_on_project(
    user: User, project: Project, organization: Organization | None
) -> frozenset[ProjectPermission]:
    if user.is_site_admin:
        return ALL_PROJECT
    assert user.id is not None
    granted: set[ProjectPermission] = set()
    if project.owner_id == user.id:
        return ALL_PROJECT
    member = project.member(user.id)
    if member is not None:
        granted |= member.permissions | {ProjectPermission.VIEW}
    is_member, manages = organization_grants(
        organization, user.id, OrganizationPermission.MANAGE_PROJECTS
    )
    if manages:
        return ALL_PROJECT
    if is_member:
        granted |= ORGANIZATION_MEMBER_PROJECT
    return frozenset(granted)


def _held_at_observatory(
    user: User, observatory: Observatory, organization: Organization | None
) -> frozenset[ObservatoryPermission]:
    if user.is_site_admin:
        return ALL_OBSERVATORY
    assert user.id is not None
    granted: set[ObservatoryPermission] = set()
    member = observatory.member(user.id)
    if member is not None:
        granted |= member.permissions
    is_member, manages = organization_grants(
        organization, user.id, OrganizationPermission.MANAGE_OBSERVATORIES
    )
    if manages:
        return ALL_OBSERVATORY
    if is_member:
        granted |= ORGANIZATION_MEMBER_OBSERVATORY
    return frozenset(granted)
