"""The Organization document and its members."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field

from domain.accounts.user import utcnow


class OrganizationType(StrEnum):
    UNIVERSITY = "university"
    COLLEGE = "college"
    HIGH_SCHOOL = "high_school"
    RESEARCH_INSTITUTE = "research_institute"
    OBSERVATORY = "observatory"
    COMPANY = "company"
    NONPROFIT = "nonprofit"
    DEPARTMENT = "department"
    TEAM = "team"
    COURSE = "course"
    SPONSORED = "sponsored"
    OTHER = "other"


class OrganizationPermission(StrEnum):
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OBSERVATORIES = "manage_observatories"
    MANAGE_PROJECTS = "manage_projects"
    MANAGE_BILLING = "manage_billing"
    MANAGE_STORAGE = "manage_storage"


class OrganizationMember(BaseModel):
    user_id: PydanticObjectId
    is_owner: bool = False
    permissions: set[OrganizationPermission] = Field(default_factory=set)
    added_at: datetime = Field(default_factory=utcnow)
    added_by: PydanticObjectId | None = None


class Organization(Document):
    name: str
    short_name: Annotated[str, Indexed(unique=True)]
    type: OrganizationType = OrganizationType.OTHER
    description: str = ""
    is_active: bool = True
    members: list[OrganizationMember] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "organizations"
        indexes = ("members.user_id",)

    def member(self, user_id: PydanticObjectId) -> OrganizationMember | None:
        return next((m for m in self.members if m.user_id == user_id), None)
