"""Uploading one queued frame: `POST` the ticket's URL with the file, its SHA-256 and the key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx

from science_scheduler.simulator.effects import UploadJob


@dataclass(frozen=True)
class Stored:
    frame_id: str


@dataclass(frozen=True)
class Refused:
    """A 4xx: do not retry (except 401 after a key rotation)."""

    status: int
    message: str


@dataclass(frozen=True)
class Retry:
    """A network error or a 5xx: try again later."""

    reason: str


UploadResult = Stored | Refused | Retry


async def upload(http: httpx.AsyncClient, job: UploadJob, path: Path, api_key: str) -> UploadResult:
    """Upload the frame at `path` as the ticket of `job` says (201 new, 200 already stored)."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return Refused(0, f"the frame file {path} is gone")
    headers = {
        "Authorization": f"Bearer {api_key}",
        "X-Content-SHA256": job.sha256,
        "Content-Type": "application/fits",
    }
    try:
        response = await http.post(job.url, content=data, headers=headers)
    except httpx.HTTPError as error:
        return Retry(f"{type(error).__name__}: {error}")
    if response.status_code in {200, 201}:
        return Stored(str(response.json()["frameId"]))
    if 400 <= response.status_code < 500:
        return Refused(response.status_code, response.text[:500])
    return Retry(f"HTTP {response.status_code}")
