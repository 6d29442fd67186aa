"""`updateObservation`: the input that replaces a draft's plan."""

from __future__ import annotations

import strawberry

from domain.observations import observation as model
from domain.observations.request import TargetRequest
from domain.observations.update import ObservationChange
from schema.observations import (
    AcceptanceThresholdsInput,
    ConstraintsInput,
    ObservationType,
    TargetInput,
    TypeSettingsInput,
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
        return ObservationChange(
            id=str(self.id),
            name=self.name,
            targets=[
                TargetRequest(
                    name=t.name,
                    ra=t.ra,
                    dec=t.dec,
                    rotation_deg=t.rotation_deg,
                    exposures=[e.to_pydantic() for e in t.exposures],
                )
                for t in self.targets
            ],
            type=self.type,
            priority=self.priority,
            constraints=self.constraints.to_model() if self.constraints else model.Constraints(),
            thresholds=(
                self.thresholds.to_pydantic() if self.thresholds else model.AcceptanceThresholds()
            ),
            type_settings=(
                self.type_settings.to_pydantic() if self.type_settings else model.TypeSettings()
            ),
            eligible_observatory_ids=[str(i) for i in self.eligible_observatory_ids],
            notes=self.notes,
        )
