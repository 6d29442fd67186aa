"""Pipeline fixtures: a real API process and a real worker process on the test engines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from redis import Redis

from domain.frames.frame import Frame, FrameState
from science_scheduler.services import Services
from tests.engines import free_port, running_cli, wait_for_http
from tests.pipeline.world import SECRET_KEY, World, make_world

UPLOAD_CAP_BYTES = 300 * 1024 * 1024


@dataclass
class Api:
    base_url: str
    ws_url: str
    pid: int


@pytest.fixture
def pipeline_env(engine_env: dict[str, str]) -> dict[str, str]:
    return {
        **engine_env,
        "SCHEDULER_SECRET_KEY": SECRET_KEY,
        "SCHEDULER_MAX_UPLOAD_BYTES": str(UPLOAD_CAP_BYTES),
    }


@pytest.fixture
def api(pipeline_env: dict[str, str], tmp_path: Path) -> Iterator[Api]:
    port = free_port()
    with running_cli(["api", "--port", str(port)], pipeline_env, tmp_path / "api.log") as process:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield Api(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql", process.pid)


@pytest.fixture
def worker(pipeline_env: dict[str, str], tmp_path: Path) -> Iterator[None]:
    with running_cli(["worker"], pipeline_env, tmp_path / "worker.log"):
        yield


@pytest.fixture
async def world(services: Services) -> World:
    return await make_world()


async def upload(
    api: Api,
    body: bytes,
    *,
    credential: str | None,
    digest: str | None,
    **params: str,
) -> httpx.Response:
    headers = {"Content-Type": "application/fits"}
    if credential is not None:
        headers["Authorization"] = f"Bearer {credential}"
    if digest is not None:
        headers["X-Content-SHA256"] = digest
    async with httpx.AsyncClient(base_url=api.base_url, timeout=60) as client:
        return await client.post("/uploads/frames", content=body, headers=headers, params=params)


async def processed(frame_id: str, timeout_s: float = 180.0) -> Frame:
    """The frame once it has left the processing state."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frame = await Frame.get(frame_id)
        assert frame is not None
        if frame.state is not FrameState.PROCESSING:
            return frame
        await asyncio.sleep(0.2)
    raise TimeoutError(f"frame {frame_id} still processing after {timeout_s} s")


def flush_redis(url: str) -> None:
    with Redis.from_url(url) as redis:
        redis.flushall()


async def stored_keys(services: Services) -> list[str]:
    return [info.key async for info in services.objects.list("")]


async def settled_rss(process: psutil.Process, timeout_s: float = 60.0) -> int:
    """The process's RSS once start-up work (astropy's warm-up thread) has finished."""
    deadline = time.monotonic() + timeout_s
    last = process.memory_info().rss
    while time.monotonic() < deadline:
        await asyncio.sleep(2.0)
        current = process.memory_info().rss
        if abs(current - last) < 1_000_000:
            return current
        last = current
    return last
