"""Observation templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.templates.template import ObservationTemplate as TemplateDocument
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id
from schema.observations import Constraints, Target


@strawberry.type(description="A reusable plan: targets, exposures, constraints and priority.")
class ObservationTemplate:
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    priority: int
    targets: list[Target]
    constraints: Constraints
    created_at: datetime

    @classmethod
    def from_document(cls, template: TemplateDocument) -> ObservationTemplate:
        return cls(
            id=global_id("ObservationTemplate", template.id),
            project_id=global_id("Project", template.project_id),
            name=template.name,
            priority=template.priority,
            targets=[Target.from_model(t) for t in template.targets],
            constraints=Constraints.from_model(template.constraints),
            created_at=template.created_at,
        )


@strawberry.input
class SaveObservationTemplateInput:
    observation_id: strawberry.ID
    name: str


@strawberry.input
class CreateObservationFromTemplateInput:
    template_id: strawberry.ID
    name: str | None = None
    submit: bool = True


SaveObservationTemplatePayload = Annotated[
    ObservationTemplate | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SaveObservationTemplatePayload"),
]
