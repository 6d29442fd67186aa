"""Work: requests, assignments and everything reported about running one."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from plugin_bridge.messages.base import (
    Envelope,
    FrameSequence,
    Name,
    NonNegative,
    ObjectId,
    ShortText,
    Strict,
)


class RequestWork(Envelope):
    """Plugin -> server (acked): the observatory is idle and asks for work. Answered by
    `assignment` or `no_work`, both with correlation_id = this id."""

    type: Literal["request_work"]
    available_until: AwareDatetime | None = Field(
        default=None, description="The plugin stops observing at this time (e.g. a user limit)."
    )


class NoWorkReason(StrEnum):
    NOTHING_ELIGIBLE = "nothing_eligible"
    DISPATCH_DISABLED = "dispatch_disabled"
    UNSAFE = "unsafe"
    RESERVED = "reserved"
    DAYLIGHT = "daylight"
    BUSY = "busy"


class NoWork(Envelope):
    """Server -> plugin: nothing to do now. Ask again after `retry_after_s`."""

    type: Literal["no_work"]
    reason: NoWorkReason
    retry_after_s: float = Field(ge=1, le=3600)
    message: ShortText = ""


class PlannedExposure(Strict):
    """One exposure set: `count` frames of `exposure_s` through `filter`."""

    filter: Name
    exposure_s: float = Field(gt=0)
    count: int = Field(ge=1)
    binning: int = Field(default=1, ge=1, le=8)
    gain: int | None = None
    offset: int | None = None
    readout_mode: Name | None = None
    accepted: int = Field(
        default=0,
        ge=0,
        description="Frames already accepted in earlier runs: capture only count - accepted more.",
    )


class AssignedTarget(Strict):
    name: Name
    ra_deg: float = Field(ge=0, lt=360, description="ICRS right ascension, degrees.")
    dec_deg: float = Field(ge=-90, le=90, description="ICRS declination, degrees.")
    rotation_deg: float | None = Field(default=None, ge=0, lt=360)
    exposures: list[PlannedExposure] = Field(min_length=1)


class AutofocusTrigger(Strict):
    enabled: bool


class AutofocusTime(AutofocusTrigger):
    interval_minutes: float = Field(default=30, ge=5, le=180)


class AutofocusTemperature(AutofocusTrigger):
    threshold_celsius: float = Field(default=2.0, ge=0.5, le=10)


class AutofocusHfr(AutofocusTrigger):
    increase_percentage: float = Field(default=5, ge=1, le=100)
    sample_size: int = Field(default=10, ge=3, le=50)


class AutofocusExposures(AutofocusTrigger):
    exposure_count: int = Field(default=10, ge=1, le=1000)


class Autofocus(Strict):
    """The complete, effective autofocus configuration (FEATURES.md §5.4): observatory
    defaults merged with the observation's overrides."""

    mode: Literal["plugin_managed", "external"] = Field(
        description="plugin_managed: create these triggers; external: add none."
    )
    initial: bool = Field(description="Focus once at the start; a failure is not retried.")
    time: AutofocusTime
    temperature: AutofocusTemperature
    hfr: AutofocusHfr
    filter_change: AutofocusTrigger
    exposures: AutofocusExposures


class Guiding(Strict):
    enabled: bool
    required: bool = Field(description="Do not expose unguided (`force_guiding`).")
    dithering: bool = Field(description="Dither between frames; only while guiding.")
    dither_pixels: float = Field(default=3.0, gt=0, le=50)
    dither_every_frames: int = Field(default=1, ge=1, le=100)
    settle_pixels: float = Field(default=1.5, gt=0, le=20)
    settle_time_s: float = Field(default=10, ge=0, le=300)
    settle_timeout_s: float = Field(default=60, gt=0, le=600)


class Thresholds(Strict):
    """Frames beyond these are rejected by grading (null: not checked)."""

    max_fwhm_arcsec: float | None = Field(default=None, gt=0)
    min_stars: int | None = Field(default=None, ge=0)
    max_eccentricity: float | None = Field(default=None, ge=0, le=1)
    min_snr: float | None = Field(default=None, ge=0)


class Assignment(Envelope):
    """Server -> plugin command (ack required), the answer to `request_work`: everything
    needed to run one observation. After acking, answer `assignment_accepted` or
    `assignment_rejected`."""

    type: Literal["assignment"]
    assignment_id: ObjectId
    observation_id: ObjectId
    observation_name: Name
    observation_type: Literal["flexible", "fixed_time", "time_based", "monitoring", "rise_to_set"]
    priority: int = Field(ge=1, le=10)
    targets: list[AssignedTarget] = Field(min_length=1)
    start_at: AwareDatetime | None = Field(
        default=None, description="Fixed-time runs: do not start exposing before this."
    )
    must_end_by: AwareDatetime = Field(
        description="Start no exposure that cannot finish (plus 15 s download) before this."
    )
    first_sequence: FrameSequence = Field(
        description="Number the first new frame with this; then +1 per frame."
    )
    autofocus: Autofocus
    guiding: Guiding
    thresholds: Thresholds


class AssignmentAccepted(Envelope):
    """Plugin -> server (acked): the plugin starts the assignment (assigned -> in_progress
    when the first exposure starts)."""

    type: Literal["assignment_accepted"]
    assignment_id: ObjectId


class AssignmentRejected(Envelope):
    """Plugin -> server (acked): the plugin will not run it; the observation returns to
    pending."""

    type: Literal["assignment_rejected"]
    assignment_id: ObjectId
    reason: Literal[
        "busy", "unsupported_filter", "equipment_error", "operations_disabled", "unsafe", "other"
    ]
    message: ShortText = ""


class AbortReason(StrEnum):
    CANCEL = "cancel"
    PREEMPTION = "preemption"
    RESERVATION = "reservation"
    RUN_UNTIL = "run_until"
    ADMIN = "admin"


class Abort(Envelope):
    """Server -> plugin command (ack required): stop the assignment. The plugin stops as
    told, uploads what it captured, then reports `assignment_interrupted` (reason `server`)."""

    type: Literal["abort"]
    assignment_id: ObjectId
    reason: AbortReason
    stop: Literal["immediately", "after_current_exposure"]
    message: ShortText = ""


class Phase(StrEnum):
    WAITING_START = "waiting_start"
    SLEWING = "slewing"
    CENTERING = "centering"
    AUTOFOCUS = "autofocus"
    GUIDING = "guiding"
    EXPOSING = "exposing"
    DOWNLOADING = "downloading"


class Progress(Envelope):
    """Plugin -> server (acked): where the run is; at most every 10 s."""

    type: Literal["progress"]
    assignment_id: ObjectId
    phase: Phase
    target_index: int = Field(ge=0)
    frames_captured: int = Field(ge=0, description="Frames captured in this assignment.")
    percent: float = Field(ge=0, le=100)
    time_remaining_s: NonNegative | None = None
    message: ShortText = ""


Sequences = Annotated[list[FrameSequence], Field(description="Frame sequences captured.")]


class AssignmentComplete(Envelope):
    """Plugin -> server (acked): every planned frame is captured (-> acquisition_complete;
    completed once every frame is uploaded)."""

    type: Literal["assignment_complete"]
    assignment_id: ObjectId
    frames_captured: Sequences


class InterruptReason(StrEnum):
    WEATHER = "weather"
    SAFETY = "safety"
    USER = "user"
    ERROR = "error"
    SERVER = "server"
    TIME_LIMIT = "time_limit"


class AssignmentInterrupted(Envelope):
    """Plugin -> server (acked): the run stopped before the plan was done. weather/safety
    suspend it (resumable); user pauses it; error/server/time_limit end the assignment and
    the server decides (partially completed at >= 10 %, else back to pending)."""

    type: Literal["assignment_interrupted"]
    assignment_id: ObjectId
    reason: InterruptReason
    frames_captured: Sequences
    message: ShortText = ""


class AssignmentResumed(Envelope):
    """Plugin -> server (acked): a suspended or paused run continues (-> in_progress)."""

    type: Literal["assignment_resumed"]
    assignment_id: ObjectId


class AssignmentFailed(Envelope):
    """Plugin -> server (acked): the run cannot go on (equipment fault, ...) -> failed."""

    type: Literal["assignment_failed"]
    assignment_id: ObjectId
    error: Name
    message: ShortText = ""
    frames_captured: Sequences
