"""The Observation document: what to observe, how, under which constraints, and its history."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field

from domain.accounts.user import utcnow
from domain.observations.states import ObservationState


class ObservationType(StrEnum):
    FLEXIBLE = "flexible"
    FIXED_TIME = "fixed_time"
    TIME_BASED = "time_based"
    MONITORING = "monitoring"
    RISE_TO_SET = "rise_to_set"


class Darkness(StrEnum):
    CIVIL = "civil"  # sun below -6°
    NAUTICAL = "nautical"  # sun below -12°
    ASTRONOMICAL = "astronomical"  # sun below -18°
    ANY = "any"  # no darkness requirement (tests, daytime work)


class ExposureSet(BaseModel):
    filter: str
    exposure_s: float
    count: int
    binning: int = 1
    gain: int | None = None
    offset: int | None = None
    readout_mode: str | None = None
    accepted: int = 0  # frames accepted so far: survives interruptions and re-assignment


class Target(BaseModel):
    name: str
    ra_deg: float
    dec_deg: float
    rotation_deg: float | None = None
    resolved_by: str | None = None  # "coordinates", "library" or "OpenNGC"
    exposures: list[ExposureSet]

    def without_progress(self) -> Target:
        """The same target and plan with no frames accepted yet."""
        exposures = [e.model_copy(update={"accepted": 0}) for e in self.exposures]
        return self.model_copy(update={"exposures": exposures})


class TimeWindow(BaseModel):
    start: datetime
    end: datetime


class Constraints(BaseModel):
    """Defaults follow FEATURES.md §3.4 (the form's current values)."""

    min_altitude_deg: float = 30.0
    max_airmass: float = 2.0
    moon_separation_deg: float = 60.0
    moon_separation_width_days: float = 7.0
    max_moon_illumination: float = 1.0
    darkness: Darkness = Darkness.NAUTICAL
    windows: list[TimeWindow] = Field(default_factory=list)


class AcceptanceThresholds(BaseModel):
    max_fwhm_arcsec: float | None = None
    min_stars: int | None = None
    max_eccentricity: float | None = None
    min_snr: float | None = None


class TypeSettings(BaseModel):
    """Fields only some observation types use (FEATURES.md §3.3)."""

    fixed_start: datetime | None = None
    fixed_end: datetime | None = None
    allocated_minutes: float | None = None
    fill_time: bool = False
    cadence_days: float | None = None
    cadence_start: datetime | None = None
    cadence_end: datetime | None = None
    cadence_max_observations: int | None = None
    safety_margin_minutes: float = 15.0


class HistoryEntry(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime
    actor: str  # "user:<id>", "observatory:<id>" or "system"
    from_state: ObservationState | None
    to_state: ObservationState
    reason: str = ""


class Observation(Document):
    organization_id: Annotated[PydanticObjectId, Indexed()]
    project_id: Annotated[PydanticObjectId, Indexed()]
    created_by: PydanticObjectId
    name: str
    type: ObservationType = ObservationType.FLEXIBLE
    priority: int = 5
    targets: list[Target]
    constraints: Constraints = Field(default_factory=Constraints)
    thresholds: AcceptanceThresholds = Field(default_factory=AcceptanceThresholds)
    type_settings: TypeSettings = Field(default_factory=TypeSettings)
    eligible_observatory_ids: list[PydanticObjectId] = Field(default_factory=list)
    notes: str = ""
    state: ObservationState
    history: list[HistoryEntry] = Field(default_factory=list)
    assigned_observatory_id: PydanticObjectId | None = None
    # Frames counted in an ExposureSet.accepted: makes the count exactly-once per frame.
    accepted_frame_ids: list[PydanticObjectId] = Field(default_factory=list)
    resubmitted_from: PydanticObjectId | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "observations"
        # Read whole documents: Beanie would otherwise name every field in a projection, which
        # the embedded engine applies document by document (a third of a page's read time).
        projection = None
        indexes = (
            [("created_at", -1), ("_id", -1)],  # the newest-first listing and its cursor
            [("project_id", 1), ("created_at", -1), ("_id", -1)],
            [("organization_id", 1), ("created_at", -1)],
            [("state", 1), ("priority", -1), ("created_at", 1)],
            # the other orders of the listing (domain/observations/query.py), read either way
            [("priority", -1), ("_id", -1)],
            [("updated_at", -1), ("_id", -1)],
            [("name", 1), ("_id", 1)],
        )
