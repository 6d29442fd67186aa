"""The worker's memory stays bounded whatever it is given to process.

The API refuses these bad files at upload (tests/pipeline/test_uploads.py), so here they reach
the worker the way a file would that got past it: staged in the object store, recorded as a
frame and queued for ingest exactly as an accepted upload is. The worker process's peak
resident memory is read from the kernel (`VmHWM` in /proc/<pid>/status, reset through
/proc/<pid>/clear_refs before each frame), so no short spike between samples is missed.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psutil
import pytest
from beanie import PydanticObjectId

from domain.accounts.user import utcnow
from domain.frames.frame import Frame, FrameState, Step, StepStatus, object_keys
from science_scheduler.services import Services
from tests.engines import running_cli
from tests.pipeline.conftest import Api, processed, settled_rss, upload
from tests.pipeline.world import World, fits_file, orion_frame, sha256
from workers.queue import ArqStepQueue

MiB = 1024 * 1024
BAD_INPUT_BOUND = 32 * MiB
"""Peak RSS growth allowed while a bad file is refused: far below what each would expand to."""
LARGE_FRAME = (3000, 2000)  # 16-bit: 11.4 MiB of pixels
LARGE_FRAME_BOUND = 400 * MiB
"""Peak RSS growth allowed for the whole pipeline of the large frame: 35x its pixel data."""


@pytest.fixture
def worker_process(pipeline_env: dict[str, str], tmp_path: Path) -> Iterator[psutil.Process]:
    with running_cli(["worker"], pipeline_env, tmp_path / "worker.log") as process:
        yield psutil.Process(process.pid)


def _header(width: int, height: int, bitpix: int) -> bytes:
    cards = [
        ("SIMPLE", "T"),
        ("BITPIX", str(bitpix)),
        ("NAXIS", "2"),
        ("NAXIS1", str(width)),
        ("NAXIS2", str(height)),
    ]
    text = "".join(f"{key:<8}= {value:>20}".ljust(80) for key, value in cards) + "END".ljust(80)
    return text.encode().ljust(2880, b" ")


def _gzip_bomb(expanded_bytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    zeros = b"\0" * (16 * MiB)
    parts = [packer.compress(zeros) for _ in range(expanded_bytes // len(zeros))]
    return b"".join([*parts, packer.flush()])


def _reset_peak(process: psutil.Process) -> int:
    Path(f"/proc/{process.pid}/clear_refs").write_text("5")
    return int(process.memory_info().rss)


def _peak(process: psutil.Process) -> int:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _stage_past_the_api(services: Services, world: World, body: bytes) -> Frame:
    """Record and queue `body` as an accepted upload of the world's observation."""
    assert world.observation.id is not None
    frame_id, now = PydanticObjectId(), utcnow()
    keys = object_keys(world.organization.id, world.observation.id, frame_id, now)  # type: ignore[arg-type]
    await services.objects.put(keys["staging"], _one_chunk(body), expected_sha256=sha256(body))
    frame = Frame(
        id=frame_id,
        organization_id=world.observation.organization_id,
        project_id=world.observation.project_id,
        observation_id=world.observation.id,
        uploaded_by=f"user:{world.user.id}",
        original_sha256=sha256(body),
        size_bytes=len(body),
        staging_key=keys["staging"],
        raw_key=keys["raw"],
        created_at=now,
        updated_at=now,
    )
    await frame.insert()
    await ArqStepQueue(services.redis).enqueue(frame, Step.INGEST)
    return frame


async def test_bad_files_are_refused_by_the_worker_with_bounded_memory(
    worker_process: psutil.Process, world: World, services: Services
) -> None:
    # given: files that would expand enormously if the worker trusted them
    valid = fits_file(orion_frame(seed=12, width=400, height=300))
    cases = {
        "5 KB declaring 100000x100000 float64": (
            _header(100_000, 100_000, -64) + b"\0" * 2240,
            "truncated or inconsistent: header declares 80000000000 data bytes (100000x100000 "
            "at BITPIX -64) but the file holds only 2240 bytes after the header",
        ),
        "gzip bomb of 1 GiB of zeros": (
            _gzip_bomb(1024 * MiB),
            "gzip-compressed data, not FITS: upload the plain .fits or a Rice .fits.fz",
        ),
        "truncated frame": (
            valid[: len(valid) * 6 // 10],
            "truncated or inconsistent: header declares 240000 data bytes (400x300 at BITPIX 16) "
            "but the file holds only 144000 bytes after the header",
        ),
    }
    await settled_rss(worker_process)

    for name, (body, reason) in cases.items():
        # when
        before = _reset_peak(worker_process)
        frame = await processed(str((await _stage_past_the_api(services, world, body)).id))
        growth = _peak(worker_process) - before

        # then: refused at ingest with a reason, and the worker's memory barely moved
        assert frame.state is FrameState.FAILED, name
        assert frame.steps.ingest.status is StepStatus.FAILED, name
        assert frame.steps.ingest.error == reason, name
        assert growth < BAD_INPUT_BOUND, f"{name}: peak RSS grew by {growth / MiB:.1f} MiB"
        assert worker_process.is_running(), name


async def test_a_large_valid_frame_is_processed_with_bounded_memory(
    api: Api, worker_process: psutil.Process, world: World
) -> None:
    # given
    width, height = LARGE_FRAME
    body = fits_file(orion_frame(seed=13, width=width, height=height))
    await settled_rss(worker_process)
    before = _reset_peak(worker_process)

    # when
    answer = await upload(
        api,
        body,
        credential=world.token(world.user),
        digest=sha256(body),
        observation=str(world.observation.id),
    )
    frame = await processed(answer.json()["frameId"], timeout_s=300)
    growth = _peak(worker_process) - before

    # then
    assert answer.status_code == 201
    assert frame.steps.ingest.status is StepStatus.DONE
    assert frame.steps.quality.status is StepStatus.DONE
    assert growth < LARGE_FRAME_BOUND, f"peak RSS grew by {growth / MiB:.1f} MiB"
