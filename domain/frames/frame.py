"""The Frame document: one uploaded image, where its objects are, and what the pipeline found."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import IndexModel

from domain.accounts.user import utcnow

FRAME_TOPIC = "frame"


class Step(StrEnum):
    """Pipeline steps, in the order they run."""

    INGEST = "ingest"
    QUALITY = "quality"
    SOLVE = "solve"
    PREVIEW = "preview"
    GRADE = "grade"


STEPS: tuple[Step, ...] = tuple(Step)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


FINISHED = frozenset({StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED})


class FrameState(StrEnum):
    """The frame as a whole: processing until every step has finished.

    `failed` means the frame could not be ingested (nothing else can run on it); a frame whose
    solve found no solution is `done`, with its solve step `failed` and the reason there.
    """

    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class StepState(BaseModel):
    status: StepStatus = StepStatus.PENDING
    error: str | None = None
    tries: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ProcessingSteps(BaseModel):
    ingest: StepState = Field(default_factory=StepState)
    quality: StepState = Field(default_factory=StepState)
    solve: StepState = Field(default_factory=StepState)
    preview: StepState = Field(default_factory=StepState)
    grade: StepState = Field(default_factory=StepState)

    def of(self, step: Step) -> StepState:
        state: StepState = getattr(self, step.value)
        return state


class StoredMetadata(BaseModel):
    """The acquisition metadata read from the header (see domain/imaging/metadata.py)."""

    width: int
    height: int
    bitpix: int
    date_obs: datetime | None = None
    exposure_s: float | None = None
    filter_name: str | None = None
    image_type: str = "unknown"
    ccd_temp_c: float | None = None
    gain: float | None = None
    offset: int | None = None
    egain_e_per_adu: float | None = None
    xbinning: int = 1
    ybinning: int = 1
    instrument: str | None = None
    telescope: str | None = None
    object_name: str | None = None
    software: str | None = None
    focal_length_mm: float | None = None
    pixel_size_um: float | None = None
    ra_deg: float | None = None
    dec_deg: float | None = None
    bayer_pattern: str | None = None
    bayer_offset: tuple[int, int] = (0, 0)
    row_order: str | None = None


class StoredMetrics(BaseModel):
    """QualityMetrics of domain/imaging/quality.py (pixels, ADU, arcsec)."""

    width: int
    height: int
    background_adu: float
    background_noise_adu: float
    stars_detected: int
    stars_measured: int
    saturated_stars: int
    fwhm_px: float | None = None
    fwhm_mad_px: float | None = None
    fwhm_p10_px: float | None = None
    fwhm_p90_px: float | None = None
    fwhm_centre_px: float | None = None
    fwhm_corners_px: float | None = None
    hfr_px: float | None = None
    hfr_mad_px: float | None = None
    eccentricity: float | None = None
    moffat_beta: float | None = None
    snr: float | None = None
    saturated_fraction: float
    saturation_adu: float | None = None
    adu_mean: float
    adu_median: float
    adu_std: float
    adu_min: float
    adu_max: float
    pixel_scale_arcsec: float | None = None
    fwhm_arcsec: float | None = None
    hfr_arcsec: float | None = None


class StarList(BaseModel):
    """The brightest detected stars (0-based pixels), kept for the solve step."""

    x: list[float] = Field(default_factory=list)
    y: list[float] = Field(default_factory=list)
    flux: list[float] = Field(default_factory=list)


class StoredSolution(BaseModel):
    ra_deg: float
    dec_deg: float
    rotation_deg: float
    parity: str
    pixel_scale_arcsec: float
    field_width_arcmin: float
    field_height_arcmin: float
    wcs_header: str
    backend: str
    elapsed_s: float


class StoredGradeReason(BaseModel):
    code: str
    metric: str
    value: float | None
    limit: float
    message: str


class ExposureSetRef(BaseModel):
    """Which ExposureSet of the observation an accepted frame counts towards."""

    target_index: int
    exposure_index: int


class StoredGrade(BaseModel):
    accepted: bool
    reasons: list[StoredGradeReason] = Field(default_factory=list)
    overridden_by: str | None = None  # "user:<id>" when a person overrode the verdict
    override_reason: str | None = None
    exposure_set: ExposureSetRef | None = None  # None: no exposure set matches the frame


class Frame(Document):
    organization_id: Annotated[PydanticObjectId, Indexed()]
    project_id: PydanticObjectId | None = None
    observation_id: PydanticObjectId | None = None
    observatory_id: PydanticObjectId | None = None
    assignment_id: PydanticObjectId | None = None
    uploaded_by: str  # "user:<id>" or "observatory:<id>"
    sequence: int | None = None
    original_sha256: str
    size_bytes: int
    staging_key: str | None = None
    raw_key: str
    preview_key: str | None = None
    thumbnail_key: str | None = None
    compression: str | None = None
    compressed_bytes: int | None = None
    compression_ratio: float | None = None
    metadata: StoredMetadata | None = None
    header: str | None = None  # the image header as FITS card text
    metrics: StoredMetrics | None = None
    stars: StarList | None = None
    solution: StoredSolution | None = None
    grade: StoredGrade | None = None
    state: FrameState = FrameState.PROCESSING
    steps: ProcessingSteps = Field(default_factory=ProcessingSteps)
    generation: int = 0  # raised by every reprocess; part of the queue's job ids
    sweeps: int = 0  # how often the sweeper re-enqueued it
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "frames"
        indexes = (
            # Idempotent uploads: one frame per content and identity.
            IndexModel(
                [
                    ("organization_id", 1),
                    ("original_sha256", 1),
                    ("observation_id", 1),
                    ("sequence", 1),
                ],
                unique=True,
                name="frame_identity",
            ),
            [("observation_id", 1), ("created_at", -1)],
            [("state", 1), ("updated_at", 1)],
        )

    def current_step(self) -> Step | None:
        """The first step that has not finished, or None when all have."""
        return next((s for s in STEPS if self.steps.of(s).status not in FINISHED), None)


def object_keys(
    organization_id: PydanticObjectId,
    observation_id: PydanticObjectId | None,
    frame_id: PydanticObjectId,
    day: datetime,
) -> dict[str, str]:
    """The server-generated object keys of a frame: `{kind}/{org}/{yyyy-mm-dd}/{obs}/{frame}`."""
    folder = f"{organization_id}/{day:%Y-%m-%d}/{observation_id or 'unassigned'}/{frame_id}"
    return {
        "staging": f"staging/{folder}.fits",
        "raw": f"raw/{folder}.fits.fz",
        "preview": f"preview/{folder}.jpg",
        "thumbnail": f"thumbnail/{folder}.jpg",
    }
