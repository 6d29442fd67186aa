"""The Project document."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field

from domain.access.permissions import ProjectPermission
from domain.accounts.user import utcnow


class ProjectType(StrEnum):
    RESEARCH = "research"
    EDUCATION = "education"
    OUTREACH = "outreach"
    PERSONAL = "personal"
    TESTING = "testing"


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class ProjectMember(BaseModel):
    user_id: PydanticObjectId
    permissions: set[ProjectPermission] = Field(default_factory=lambda: {ProjectPermission.VIEW})
    added_at: datetime = Field(default_factory=utcnow)


class Project(Document):
    organization_id: Annotated[PydanticObjectId, Indexed()]
    name: str
    code: Annotated[str, Indexed(unique=True)]
    description: str = ""
    type: ProjectType = ProjectType.RESEARCH
    status: ProjectStatus = ProjectStatus.ACTIVE
    owner_id: PydanticObjectId
    members: list[ProjectMember] = Field(default_factory=list)
    default_priority: int = 5
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "projects"
        indexes = ("members.user_id",)

    def member(self, user_id: PydanticObjectId) -> ProjectMember | None:
        return next((m for m in self.members if m.user_id == user_id), None)
