"""What a client asks for when it creates an observation, before targets are resolved."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.observations.observation import (
    AcceptanceThresholds,
    Constraints,
    ExposureSet,
    ObservationType,
    TypeSettings,
)


@dataclass
class TargetRequest:
    """A target by name (resolved offline) or by coordinates typed in degrees or sexagesimal."""

    name: str
    exposures: list[ExposureSet]
    ra: str | None = None
    dec: str | None = None
    rotation_deg: float | None = None


@dataclass(kw_only=True)
class ObservationPlan:
    """What an observation asks for, as a person may change it while it is a draft."""

    name: str
    targets: list[TargetRequest]
    type: ObservationType = ObservationType.FLEXIBLE
    priority: int = 5
    constraints: Constraints = field(default_factory=Constraints)
    thresholds: AcceptanceThresholds = field(default_factory=AcceptanceThresholds)
    type_settings: TypeSettings = field(default_factory=TypeSettings)
    eligible_observatory_ids: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass(kw_only=True)
class ObservationRequest(ObservationPlan):
    project_id: str
    submit: bool = True  # False keeps it as a draft that is never scheduled
