"""Organizations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.organizations.organization import Organization as OrganizationDocument
from domain.organizations.organization import OrganizationType as DomainOrganizationType
from schema.connection import Connection
from schema.context import Info
from schema.errors import Conflict, Forbidden, ValidationError
from schema.global_ids import global_id, raw_id
from schema.node import Node

if TYPE_CHECKING:
    from schema.member_lists import OrganizationMember
    from schema.projects import Project

OrganizationType = strawberry.enum(DomainOrganizationType)


@strawberry.type(
    description="A university, club, company or team that owns observatories and projects."
)
class Organization(Node):
    id: strawberry.ID
    name: str
    short_name: str
    type: OrganizationType  # type: ignore[valid-type]
    description: str
    created_at: datetime

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Its members and their permissions: owners first, then the others, each "
        "group in the order they were added (or last changed)."
    )
    async def members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Annotated[OrganizationMember, strawberry.lazy("schema.member_lists")]]:
        from schema.member_lists import organization_members

        return await organization_members(info, raw_id(self.id), first, after)

    @strawberry.field(description="Its projects that you may view, by name.")  # type: ignore[untyped-decorator]
    async def projects(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Annotated[Project, strawberry.lazy("schema.projects")]]:
        from schema.member_lists import organization_projects

        return await organization_projects(info, raw_id(self.id), first, after)

    @classmethod
    def from_document(cls, organization: OrganizationDocument) -> Organization:
        return cls(
            id=global_id("Organization", organization.id),
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
