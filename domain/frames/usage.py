"""Usage events of accepted frames, for the usage reports.

`frame_accepted` is stored when a frame first counts towards its observation (graded
accepted, or accepted by hand), with its uploaded size and exposure time. When the acceptance
is taken back (a re-grade or an override rejects it) the same kind is stored with `amount`
-1 and negative size and exposure, so sums over the kind are net.
"""

from __future__ import annotations

from domain.audit import UsageEvent
from domain.frames.frame import Frame

FRAME_ACCEPTED = "frame_accepted"


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


async def record_frame_acceptance(frame: Frame, *, withdrawn: bool = False) -> None:
    """Store that `frame` counts (or, `withdrawn`, no longer counts) for its observation."""
    sign = -1 if withdrawn else 1
    exposure = frame.metadata.exposure_s if frame.metadata is not None else None
    await UsageEvent(
        kind=FRAME_ACCEPTED,
        organization_id=str(frame.organization_id),
        project_id=_text(frame.project_id),
        observation_id=_text(frame.observation_id),
        observatory_id=_text(frame.observatory_id),
        amount=sign,
        size_bytes=sign * frame.size_bytes,
        exposure_seconds=sign * exposure if exposure is not None else None,
    ).insert()
