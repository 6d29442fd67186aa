"""Durable local storage: the state file, captured frames and the upload queue.

Layout of the state directory::

    state.json                      LocalState (written atomically, fsynced)
    frames/<observation>/<file>     captured FITS frames
    uploads/<observation>-<seq>.json  queued uploads, oldest first; removed when stored
    uploads/refused/                uploads the server refused for good
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path

from science_scheduler.simulator.effects import UploadJob
from science_scheduler.simulator.state import LocalState


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "state.json"
        self.frames = directory / "frames"
        self.saved: bytes | None = None

    def load(self, api_key: str) -> LocalState:
        """The saved state, or a fresh one; a key other than the saved one's origin wins."""
        if self.path.exists():
            state = LocalState.model_validate_json(self.path.read_bytes())
            if state.api_key_given != api_key:
                state.api_key = state.api_key_given = api_key
            return state
        return LocalState(api_key=api_key, api_key_given=api_key, machine_id=uuid.uuid4().hex)

    def save(self, state: LocalState) -> None:
        """Write the state when it changed since the last save (fsynced)."""
        data = state.model_dump_json().encode()
        if data != self.saved:
            write_atomically(self.path, data)
            self.saved = data

    def frame_path(self, observation_id: str, file_name: str) -> Path:
        return self.frames / observation_id / file_name


class UploadQueue:
    """Frames waiting to be uploaded, one JSON file each, in the order they were queued."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.refused = directory / "refused"

    def add(self, job: UploadJob) -> None:
        """Queue `job`; queueing a frame that is already queued changes nothing."""
        path = self.directory / f"{job.key}.json"
        if not path.exists():
            write_atomically(path, json.dumps(asdict(job)).encode())

    def jobs(self) -> list[UploadJob]:
        if not self.directory.is_dir():
            return []
        paths = sorted(
            self.directory.glob("*.json"), key=lambda path: (path.stat().st_mtime_ns, path.name)
        )
        return [UploadJob(**json.loads(path.read_text())) for path in paths]

    def done(self, job: UploadJob) -> None:
        (self.directory / f"{job.key}.json").unlink(missing_ok=True)

    def refuse(self, job: UploadJob) -> None:
        self.refused.mkdir(parents=True, exist_ok=True)
        source = self.directory / f"{job.key}.json"
        if source.exists():
            source.replace(self.refused / source.name)
