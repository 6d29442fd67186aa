"""Organizations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.organizations.organization import Organization as OrganizationDocument
from domain.organizations.organization import OrganizationType as DomainOrganizationType
from schema.errors import Conflict, Forbidden, ValidationError

OrganizationType = strawberry.enum(DomainOrganizationType)


@strawberry.type(
    description="A university, club, company or team that owns observatories and projects."
)
class Organization:
    id: strawberry.ID
    name: str
    short_name: str
    type: OrganizationType  # type: ignore[valid-type]
    description: str
    created_at: datetime

    @classmethod
    def from_document(cls, organization: OrganizationDocument) -> Organization:
        return cls(
            id=strawberry.ID(str(organization.id)),
            name=organization.name,
            short_name=organization.short_name,
            type=organization.type,
            description=organization.description,
            created_at=organization.created_at,
        )


@strawberry.input
class CreateOrganizationInput:
    name: str
    short_name: str
    type: OrganizationType = DomainOrganizationType.OTHER  # type: ignore[valid-type]
    description: str = ""


CreateOrganizationPayload = Annotated[
    Organization | ValidationError | Conflict | Forbidden,
    strawberry.union("CreateOrganizationPayload"),
]
