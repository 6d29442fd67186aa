"""`updateObservation`: the input that replaces a draft's plan."""

from __future__ import annotations

import strawberry

from domain.observations import observation as model
from domain.observations.update import ObservationChange
from schema.observations import (
    AcceptanceThresholdsInput,
    ConstraintsInput,
    ObservationType,
    TargetInput,
    TypeSettingsInput,
    plan_fields,
)


@strawberry.input(description="A draft's new plan: the fields of createObservation but project.")
class UpdateObservationInput:
    id: strawberry.ID
    name: str
    targets: list[TargetInput]
    type: ObservationType = model.ObservationType.FLEXIBLE  # type: ignore[valid-type]
    priority: int = strawberry.field(default=5, description="1 (lowest) to 10 (highest).")
    constraints: ConstraintsInput | None = None
    thresholds: AcceptanceThresholdsInput | None = None
    type_settings: TypeSettingsInput | None = None
    eligible_observatory_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    notes: str = ""

    def to_change(self) -> ObservationChange:
        return ObservationChange(id=str(self.id), **plan_fields(self))
