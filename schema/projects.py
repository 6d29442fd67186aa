"""Projects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.projects.project import Project as ProjectDocument
from domain.projects.project import ProjectStatus as DomainProjectStatus
from domain.projects.project import ProjectType as DomainProjectType
from schema.errors import Conflict, Forbidden, NotFound, ValidationError

ProjectType = strawberry.enum(DomainProjectType)
ProjectStatus = strawberry.enum(DomainProjectStatus)


@strawberry.type(description="A body of work in an organization; every observation is in one.")
class Project:
    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    code: str
    description: str
    type: ProjectType  # type: ignore[valid-type]
    status: ProjectStatus  # type: ignore[valid-type]
    default_priority: int
    created_at: datetime

    @classmethod
    def from_document(cls, project: ProjectDocument) -> Project:
        return cls(
            id=strawberry.ID(str(project.id)),
            organization_id=strawberry.ID(str(project.organization_id)),
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
