"""What the client state machine asks its driver to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Send:
    """Write this text frame to the socket (in order; `seq` is already set)."""

    text: str


@dataclass(frozen=True)
class CloseSocket:
    """Close the connection (the driver reconnects unless the client says stop)."""

    reason: str


@dataclass(frozen=True)
class ExposureJob:
    """Expose one frame: `exposure_s` (simulated seconds) of a target through a filter."""

    assignment_id: str
    observation_id: str
    sequence: int
    target_name: str
    ra_deg: float
    dec_deg: float
    rotation_deg: float
    filter: str
    exposure_s: float
    binning: int
    gain: int | None


@dataclass(frozen=True)
class StartExposure:
    job: ExposureJob


@dataclass(frozen=True)
class CancelExposure:
    """Stop the running exposure at once; its frame is discarded."""

    sequence: int


@dataclass(frozen=True)
class UploadJob:
    """One frame to upload: `POST {server}{url}` with the file's bytes."""

    assignment_id: str
    observation_id: str
    sequence: int
    file_name: str
    url: str
    sha256: str

    @property
    def key(self) -> str:
        return f"{self.observation_id}-{self.sequence:06d}"


@dataclass(frozen=True)
class EnqueueUpload:
    job: UploadJob


@dataclass(frozen=True)
class Stop:
    """Give up: the server refused us for good (bad key, outdated plugin, ...)."""

    reason: str


Effect = Send | CloseSocket | StartExposure | CancelExposure | EnqueueUpload | Stop
