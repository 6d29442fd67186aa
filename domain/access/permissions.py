"""Permission sets of projects and observatories (FEATURES.md §1.3–1.5)."""

from __future__ import annotations

from enum import StrEnum


class ProjectPermission(StrEnum):
    VIEW = "view"
    USE = "use"  # submit observations
    EDIT = "edit"
    MANAGE_MEMBERS = "manage_members"
    DELETE = "delete"
    MANAGE_STORAGE = "manage_storage"


class ObservatoryPermission(StrEnum):
    VIEW = "view"
    OBSERVE = "observe"  # create observations, manage one's own
    OPERATE = "operate"  # manage anyone's observations, maintenance mode
    ADMIN = "admin"  # members, settings, reservations, keys


ALL_PROJECT = frozenset(ProjectPermission)
ALL_OBSERVATORY = frozenset(ObservatoryPermission)

# What belonging to the organization that owns a thing gives, when nothing more is granted.
ORGANIZATION_MEMBER_PROJECT = frozenset({ProjectPermission.VIEW, ProjectPermission.USE})
ORGANIZATION_MEMBER_OBSERVATORY = frozenset(
    {ObservatoryPermission.VIEW, ObservatoryPermission.OBSERVE}
)
