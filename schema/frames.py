"""Frames: uploaded images, what the pipeline measured and decided, and links to their files."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.frames import frame as model
from schema.context import Info
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id, optional_global_id, public_actor, raw_id
from schema.node import Node

if TYPE_CHECKING:
    from schema.observations import Observation

FrameState = strawberry.enum(model.FrameState)
StepStatus = strawberry.enum(model.StepStatus)
PipelineStep = strawberry.enum(model.Step, name="PipelineStep")

URL_LIFETIME = timedelta(minutes=10)


@strawberry.type(description="One pipeline step of a frame.")
class StepState:
    step: PipelineStep  # type: ignore[valid-type]
    status: StepStatus  # type: ignore[valid-type]
    error: str | None = strawberry.field(description="Why it failed, was skipped or is retried.")
    tries: int
    started_at: datetime | None
    finished_at: datetime | None


@strawberry.experimental.pydantic.type(model=model.StoredMetadata, all_fields=True)
class FrameMetadata:
    pass


@strawberry.experimental.pydantic.type(model=model.StoredMetrics, all_fields=True)
class FrameMetrics:
    pass


@strawberry.type(description="The plate solution (WCS) of a frame.")
class FrameSolution:
    ra_deg: float = strawberry.field(description="Centre of the image, ICRS degrees.")
    dec_deg: float
    rotation_deg: float = strawberry.field(
        description="Position angle of the image +y axis, degrees east of north."
    )
    parity: str
    pixel_scale_arcsec: float
    field_width_arcmin: float
    field_height_arcmin: float
    wcs_header: str = strawberry.field(description="The WCS as FITS header cards.")
    backend: str


@strawberry.type
class GradeReason:
    code: str
    metric: str
    value: float | None
    limit: float
    message: str


@strawberry.type(description="Accepted or rejected against the observation's thresholds.")
class FrameGrade:
    accepted: bool
    reasons: list[GradeReason]
    overridden_by: str | None = strawberry.field(
        description="user:<id> when a person overrode the pipeline's verdict."
    )
    override_reason: str | None


@strawberry.type(description="An uploaded FITS frame and its processing.")
class Frame(Node):
    id: strawberry.ID
    observation_id: strawberry.ID | None
    observatory_id: strawberry.ID | None
    uploaded_by: str
    sequence: int | None
    original_sha256: str
    size_bytes: int
    compression: str | None
    compressed_bytes: int | None
    compression_ratio: float | None
    state: FrameState  # type: ignore[valid-type]
    steps: list[StepState]
    metadata: FrameMetadata | None
    header: str | None = strawberry.field(
        description="The image's FITS header as it was uploaded, one card per line."
    )
    metrics: FrameMetrics | None
    solution: FrameSolution | None
    grade: FrameGrade | None
    created_at: datetime
    raw_key: strawberry.Private[str | None]
    preview_key: strawberry.Private[str | None]
    thumbnail_key: strawberry.Private[str | None]

    async def _url(self, info: Info, key: str | None, filename: str) -> str | None:
        if key is None:
            return None
        return await info.context.services.objects.signed_url(
            key, expires_in=URL_LIFETIME, filename=filename
        )

    @strawberry.field(description="The observation it belongs to, if you may see it.")  # type: ignore[untyped-decorator]
    async def observation(
        self, info: Info
    ) -> Annotated[Observation, strawberry.lazy("schema.observations")] | None:
        from schema.frame_observation import frame_observation

        return await frame_observation(info, self.observation_id)

    @strawberry.field(description="Signed link to the stored .fits.fz (valid 10 minutes).")  # type: ignore[untyped-decorator]
    async def download_url(self, info: Info) -> str | None:
        return await self._url(info, self.raw_key, f"{raw_id(self.id)}.fits.fz")

    @strawberry.field(description="Signed link to the JPEG preview (valid 10 minutes).")  # type: ignore[untyped-decorator]
    async def preview_url(self, info: Info) -> str | None:
        return await self._url(info, self.preview_key, f"{raw_id(self.id)}.jpg")

    @strawberry.field(description="Signed link to the JPEG thumbnail (valid 10 minutes).")  # type: ignore[untyped-decorator]
    async def thumbnail_url(self, info: Info) -> str | None:
        return await self._url(info, self.thumbnail_key, f"{raw_id(self.id)}-thumbnail.jpg")

    @classmethod
    def from_document(cls, frame: model.Frame) -> Frame:
        solution = frame.solution
        grade = frame.grade
        return cls(
            id=global_id("Frame", frame.id),
            observation_id=optional_global_id("Observation", frame.observation_id),
            observatory_id=optional_global_id("Observatory", frame.observatory_id),
            uploaded_by=public_actor(frame.uploaded_by),
            sequence=frame.sequence,
            original_sha256=frame.original_sha256,
            size_bytes=frame.size_bytes,
            compression=frame.compression,
            compressed_bytes=frame.compressed_bytes,
            compression_ratio=frame.compression_ratio,
            state=frame.state,
            steps=[
                StepState(
                    step=step,
                    status=frame.steps.of(step).status,
                    error=frame.steps.of(step).error,
                    tries=frame.steps.of(step).tries,
                    started_at=frame.steps.of(step).started_at,
                    finished_at=frame.steps.of(step).finished_at,
                )
                for step in model.STEPS
            ],
            metadata=FrameMetadata.from_pydantic(frame.metadata) if frame.metadata else None,
            header=frame.header,
            metrics=FrameMetrics.from_pydantic(frame.metrics) if frame.metrics else None,
            solution=FrameSolution(
                ra_deg=solution.ra_deg,
                dec_deg=solution.dec_deg,
                rotation_deg=solution.rotation_deg,
                parity=solution.parity,
                pixel_scale_arcsec=solution.pixel_scale_arcsec,
                field_width_arcmin=solution.field_width_arcmin,
                field_height_arcmin=solution.field_height_arcmin,
                wcs_header=solution.wcs_header,
                backend=solution.backend,
            )
            if solution
            else None,
            grade=FrameGrade(
                accepted=grade.accepted,
                reasons=[
                    GradeReason(
                        code=r.code,
                        metric=r.metric,
                        value=r.value,
                        limit=r.limit,
                        message=r.message,
                    )
                    for r in grade.reasons
                ],
                overridden_by=public_actor(grade.overridden_by) if grade.overridden_by else None,
                override_reason=grade.override_reason,
            )
            if grade
            else None,
            created_at=frame.created_at,
            raw_key=frame.raw_key if frame.steps.ingest.status is model.StepStatus.DONE else None,
            preview_key=frame.preview_key,
            thumbnail_key=frame.thumbnail_key,
        )


@strawberry.type(description="Progress of a frame through the pipeline.")
class FrameEvent:
    frame_id: strawberry.ID
    observation_id: strawberry.ID | None
    kind: str = strawberry.field(
        description="uploaded, step_changed, state_changed or grade_overridden."
    )
    step: PipelineStep | None  # type: ignore[valid-type]
    status: StepStatus | None  # type: ignore[valid-type]
    error: str | None
    state: FrameState  # type: ignore[valid-type]
    occurred_at: datetime


@strawberry.input
class FrameIdInput:
    id: strawberry.ID


@strawberry.input
class OverrideFrameGradeInput:
    id: strawberry.ID
    accepted: bool
    reason: str


FramePayload = Annotated[
    Frame | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("FramePayload"),
]
