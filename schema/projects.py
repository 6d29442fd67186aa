"""Projects."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.projects.project import Project as ProjectDocument
from domain.projects.project import ProjectStatus as DomainProjectStatus
from domain.projects.project import ProjectType as DomainProjectType
from schema.connection import Connection
from schema.context import Info
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id, raw_id
from schema.node import Node

if TYPE_CHECKING:
    from schema.member_lists import ProjectMember

ProjectType = strawberry.enum(DomainProjectType)
ProjectStatus = strawberry.enum(DomainProjectStatus)


@strawberry.type(description="A body of work in an organization; every observation is in one.")
class Project(Node):
    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    code: str
    description: str
    type: ProjectType  # type: ignore[valid-type]
    status: ProjectStatus  # type: ignore[valid-type]
    default_priority: int
    created_at: datetime

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Its owner, then its direct members in the order they were added (or last "
        "changed), and their permissions."
    )
    async def members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Annotated[ProjectMember, strawberry.lazy("schema.member_lists")]]:
        from schema.member_lists import project_members

        return await project_members(info, raw_id(self.id), first, after)

    @classmethod
    def from_document(cls, project: ProjectDocument) -> Project:
        return cls(
            id=global_id("Project", project.id),
            organization_id=global_id("Organization", project.organization_id),
            name=project.name,
            code=project.code,
            description=project.description,
            type=project.type,
            status=project.status,
            default_priority=project.default_priority,
            created_at=project.created_at,
        )


@strawberry.input
class CreateProjectInput:
    organization_id: strawberry.ID
    name: str
    code: str = strawberry.field(description="Unique; uppercase letters, digits and hyphens.")
    description: str = ""
    type: ProjectType = DomainProjectType.RESEARCH  # type: ignore[valid-type]
    default_priority: int = 5


CreateProjectPayload = Annotated[
    Project | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("CreateProjectPayload"),
]
