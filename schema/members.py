"""Accounts made by administrators, and who may do what where."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.access.permissions import ObservatoryPermission as DomainObservatoryPermission
from domain.access.permissions import ProjectPermission as DomainProjectPermission
from domain.organizations.organization import (
    OrganizationPermission as DomainOrganizationPermission,
)
from schema.accounts import User
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.observatories import Observatory
from schema.organizations import Organization
from schema.projects import Project

OrganizationPermission = strawberry.enum(DomainOrganizationPermission)
ProjectPermission = strawberry.enum(DomainProjectPermission)
ObservatoryPermission = strawberry.enum(DomainObservatoryPermission)


@strawberry.input
class CreateUserInput:
    email: str
    password: str = strawberry.field(description="At least 8 characters.")
    full_name: str = ""
    is_site_admin: bool = False


@strawberry.input
class SetOrganizationMemberInput:
    organization_id: strawberry.ID
    user_id: strawberry.ID
    permissions: list[OrganizationPermission]  # type: ignore[valid-type]


@strawberry.input
class SetProjectMemberInput:
    project_id: strawberry.ID
    user_id: strawberry.ID
    permissions: list[ProjectPermission] = strawberry.field(  # type: ignore[valid-type]
        description="VIEW is always included."
    )


@strawberry.input
class SetObservatoryMemberInput:
    observatory_id: strawberry.ID
    user_id: strawberry.ID
    permissions: list[ObservatoryPermission]  # type: ignore[valid-type]


CreateUserPayload = Annotated[
    User | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("CreateUserPayload"),
]
SetOrganizationMemberPayload = Annotated[
    Organization | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SetOrganizationMemberPayload"),
]
SetProjectMemberPayload = Annotated[
    Project | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SetProjectMemberPayload"),
]
SetObservatoryMemberPayload = Annotated[
    Observatory | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SetObservatoryMemberPayload"),
]
