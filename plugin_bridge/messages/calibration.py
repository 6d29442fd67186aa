"""Calibration: what the server still needs, dark/bias orders in idle time, their results."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from plugin_bridge.messages.base import Envelope, Name, ObjectId, ShortText, Strict

Kind = Literal["flat", "dark", "bias"]


class CalibrationSetup(Strict):
    kind: Kind
    filter: Name | None = Field(default=None, description="Flats only.")
    exposure_s: float | None = Field(default=None, ge=0, description="Darks only.")
    gain: int | None = None
    offset: int | None = None
    binning: int = Field(default=1, ge=1, le=8)
    readout_mode: Name | None = None
    temperature_c: float | None = None


class CalibrationNeedsQuery(Envelope):
    """Plugin -> server (acked): what calibration frames of `kind` does the server still
    need? Answered by `calibration_needs`."""

    type: Literal["calibration_needs_query"]
    kind: Kind
    camera: Name


class CalibrationNeed(CalibrationSetup):
    frames_remaining: int = Field(ge=0, description="min_frames_for_master minus frames held.")


class CalibrationNeeds(Envelope):
    """Server -> plugin: the answer to `calibration_needs_query`."""

    type: Literal["calibration_needs"]
    needs: list[CalibrationNeed]


class CalibrationOrder(Envelope):
    """Server -> plugin command (ack required), only to plugins advertising
    `calibration_orders`: capture darks or bias while idle. Upload each frame without an
    observation, then report `calibration_complete` or `calibration_refused`."""

    type: Literal["calibration_order"]
    order_id: ObjectId
    setup: CalibrationSetup
    count: int = Field(ge=1, le=500)
    temperature_tolerance_c: float = Field(default=2.0, gt=0)
    must_end_by: AwareDatetime
    use_dark_filter: bool = Field(description="Close the light path with the dark filter.")


class CalibrationComplete(Envelope):
    """Plugin -> server (acked): the order is done."""

    type: Literal["calibration_complete"]
    order_id: ObjectId
    frames_captured: int = Field(ge=0)


class CalibrationRefused(Envelope):
    """Plugin -> server (acked): the order will not be run."""

    type: Literal["calibration_refused"]
    order_id: ObjectId
    reason: Literal["shutterless", "busy", "unsafe", "unsupported", "other"]
    message: ShortText = ""
