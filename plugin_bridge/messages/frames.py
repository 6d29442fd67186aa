"""Exposures and frame uploads (the bytes go over HTTP, never over the socket)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from plugin_bridge.messages.base import (
    Envelope,
    FrameSequence,
    Name,
    NonNegative,
    ObjectId,
    Sha256,
    ShortText,
)


class ExposureStarted(Envelope):
    """Plugin -> server (acked): an exposure began (the first one moves the observation to
    in_progress)."""

    type: Literal["exposure_started"]
    assignment_id: ObjectId
    sequence: FrameSequence
    target_index: int = Field(ge=0)
    exposure_index: int = Field(ge=0, description="Index of the exposure set in the target.")
    filter: Name
    exposure_s: float = Field(gt=0)


class ExposureFinished(Envelope):
    """Plugin -> server (acked): the exposure ended. For a captured frame the server answers
    with an `upload_ticket`."""

    type: Literal["exposure_finished"]
    assignment_id: ObjectId
    sequence: FrameSequence
    outcome: Literal["captured", "failed"]
    file_name: Name | None = None
    size_bytes: int | None = Field(default=None, ge=1)
    sha256: Sha256 | None = None
    hfr_px: NonNegative | None = None
    star_count: int | None = Field(default=None, ge=0)
    message: ShortText = ""


class UploadTicket(Envelope):
    """Server -> plugin, answer to `exposure_finished` (captured): how to upload the frame.
    `POST url` with the body = the file, headers Authorization: Bearer <api key>,
    X-Content-SHA256 and Content-Length. 201/200 = stored; then send `frame_uploaded`."""

    type: Literal["upload_ticket"]
    assignment_id: ObjectId
    observation_id: ObjectId
    sequence: FrameSequence
    method: Literal["POST"] = "POST"
    url: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    max_bytes: int = Field(gt=0)
    sha256: Sha256 | None = Field(description="The digest the upload must carry, if known.")


class FrameUploaded(Envelope):
    """Plugin -> server (acked): the upload answered 200/201 with this frame id."""

    type: Literal["frame_uploaded"]
    assignment_id: ObjectId
    sequence: FrameSequence
    frame_id: ObjectId
    sha256: Sha256
