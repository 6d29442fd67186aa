"""What an API key's rights (docs/graphql.md: read, write, manage_*) allow on each kind of thing.

A key never gives more than its creator holds: these caps are intersected with the creator's
own permissions, and everything outside the key's organization is invisible to it.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import (
    ALL_OBSERVATORY,
    ALL_PROJECT,
    ObservatoryPermission,
    ProjectPermission,
)
from domain.accounts.user import KeyScope

_PROJECT_CAP: dict[str, frozenset[ProjectPermission]] = {
    "read": frozenset({ProjectPermission.VIEW}),
    "write": frozenset({ProjectPermission.VIEW, ProjectPermission.USE, ProjectPermission.EDIT}),
    "manage_projects": ALL_PROJECT,
    "manage_members": frozenset({ProjectPermission.VIEW, ProjectPermission.MANAGE_MEMBERS}),
    "manage_storage": frozenset({ProjectPermission.VIEW, ProjectPermission.MANAGE_STORAGE}),
}
_OBSERVATORY_CAP: dict[str, frozenset[ObservatoryPermission]] = {
    "read": frozenset({ObservatoryPermission.VIEW}),
    "write": frozenset({ObservatoryPermission.VIEW, ObservatoryPermission.OBSERVE}),
    "manage_observatories": ALL_OBSERVATORY,
}


def _in_scope(scope: KeyScope, organization_id: PydanticObjectId) -> bool:
    return scope.organization_id == organization_id


def project_cap(
    scope: KeyScope | None, organization_id: PydanticObjectId
) -> frozenset[ProjectPermission]:
    if scope is None:
        return ALL_PROJECT
    if not _in_scope(scope, organization_id):
        return frozenset()
    return frozenset().union(*(_PROJECT_CAP.get(p, frozenset()) for p in scope.permissions))


def observatory_cap(
    scope: KeyScope | None, organization_id: PydanticObjectId
) -> frozenset[ObservatoryPermission]:
    if scope is None:
        return ALL_OBSERVATORY
    if not _in_scope(scope, organization_id):
        return frozenset()
    caps = (_OBSERVATORY_CAP.get(p, frozenset()) for p in scope.permissions)
    return frozenset({ObservatoryPermission.VIEW}).union(*caps)


def organization_allows(
    scope: KeyScope | None, organization_id: PydanticObjectId, permission: str | None
) -> bool:
    """May a key reach this organization at all (permission None) or use an organization right?"""
    if scope is None:
        return True
    return _in_scope(scope, organization_id) and (
        permission is None or permission in scope.permissions
    )
