"""The ObservationTemplate document: everything of an observation except its life."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from domain.accounts.user import utcnow
from domain.observations.observation import (
    AcceptanceThresholds,
    Constraints,
    ObservationType,
    Target,
    TypeSettings,
)


class ObservationTemplate(Document):
    organization_id: PydanticObjectId
    project_id: Annotated[PydanticObjectId, Indexed()]
    name: str
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)
    type: ObservationType
    priority: int
    targets: list[Target]
    constraints: Constraints
    thresholds: AcceptanceThresholds
    type_settings: TypeSettings
    eligible_observatory_ids: list[PydanticObjectId] = Field(default_factory=list)
    notes: str = ""

    class Settings:
        name = "observation_templates"
