"""Organizations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.organizations.organization import Organization as OrganizationDocument
from domain.organizations.organization import OrganizationType as DomainOrganizationType
from schema.context import Info
from schema.errors import Conflict, Forbidden, ValidationError

if TYPE_CHECKING:
    from schema.member_lists import OrganizationMember
    from schema.projects import Project

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

    @strawberry.field(description="Its members, owners first, and their permissions.")  # type: ignore[untyped-decorator]
    async def members(
        self, info: Info
    ) -> list[Annotated[OrganizationMember, strawberry.lazy("schema.member_lists")]]:
        from schema.member_lists import organization_members

        return await organization_members(info, str(self.id))

    @strawberry.field(description="Its projects that you may view, by name.")  # type: ignore[untyped-decorator]
    async def projects(
        self, info: Info
    ) -> list[Annotated[Project, strawberry.lazy("schema.projects")]]:
        from schema.member_lists import organization_projects

        return await organization_projects(info, str(self.id))

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
