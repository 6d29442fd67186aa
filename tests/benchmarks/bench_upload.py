"""Frame uploads and the pipeline on real processes: streaming memory, throughput, latency.

Run: .venv/bin/python tests/benchmarks/bench_upload.py [--gib 1] [--frames 3]
Targets (issue 5):
- a 1 GiB upload over loopback to a real `science-scheduler api` process: peak RSS growth of
  that process under 100 MB; MB/s, compared with writing the same bytes straight into the
  filesystem object store in this process (the reference: the store's own speed);
- upload complete -> every pipeline step done for a 24 MP (6000x4000) frame with a real
  `science-scheduler worker`: p50 over a few frames.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
import psutil
from astropy.io import fits

from domain.frames.frame import Frame, FrameState, Step
from domain.imaging.synthetic import FieldSpec, GaussianPsf, render_field
from science_scheduler.services import Services, close_services, open_services
from science_scheduler.settings import load_settings
from tests.engines import free_port, running_cli, running_mongo, running_valkey, wait_for_http
from tests.pipeline.conftest import settled_rss
from tests.pipeline.world import SECRET_KEY, fits_file, make_world, sha256

CHUNK = 1024 * 1024
RSS_TARGET_MB = 100.0


def _header(width: int, height: int) -> bytes:
    header = fits.Header()
    header["SIMPLE"] = True
    header["BITPIX"] = 32
    header["NAXIS"] = 2
    header["NAXIS1"] = width
    header["NAXIS2"] = height
    return header.tostring().encode()


def _chunks(width: int, height: int) -> Iterator[bytes]:
    yield _header(width, height)
    remaining = width * height * 4
    block = bytes(range(256)) * (CHUNK // 256)
    while remaining > 0:
        yield block[: min(CHUNK, remaining)]
        remaining -= CHUNK


async def _streamed(width: int, height: int) -> AsyncIterator[bytes]:
    for chunk in _chunks(width, height):
        yield chunk


async def _bench_large_upload(
    base_url: str, pid: int, token: str, observation: str, gib: float, services: Services
) -> None:
    width = 16_384  # int32: under the 400 Mpx limit at 1 GiB
    height = int(gib * 1024**3 / (4 * width))
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(width, height):
        digest.update(chunk)
        size += len(chunk)
    process = psutil.Process(pid)
    before = await settled_rss(process)
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:
        answer = await client.post(
            "/uploads/frames",
            content=_streamed(width, height),
            params={"observation": observation},
            headers={
                "Authorization": f"Bearer {token}",
                "X-Content-SHA256": digest.hexdigest(),
                "Content-Length": str(size),
            },
        )
    elapsed = time.perf_counter() - started
    done.set()
    await sampler
    assert answer.status_code == 201, answer.text
    frame = await Frame.get(answer.json()["frameId"])
    assert frame is not None
    assert frame.staging_key is not None
    objects = services.objects
    await objects.delete(frame.staging_key)
    await frame.delete()

    started = time.perf_counter()
    await objects.put("bench/reference.bin", _streamed(width, height))
    reference = time.perf_counter() - started
    await objects.delete("bench/reference.bin")

    growth_mb = (peak - before) / 1e6
    rate = size / 1e6 / elapsed
    reference_rate = size / 1e6 / reference
    print(f"upload {size / 2**30:.2f} GiB: {elapsed:.1f} s, {rate:.0f} MB/s")
    print(
        f"  API RSS before {before / 1e6:.0f} MB, peak growth {growth_mb:.1f} MB "
        f"(target < {RSS_TARGET_MB:.0f} MB: ratio {growth_mb / RSS_TARGET_MB:.2f})"
    )
    print(
        f"  reference, object store put in-process: {reference_rate:.0f} MB/s "
        f"(upload / reference = {rate / reference_rate:.2f})"
    )


async def _bench_pipeline(base_url: str, token: str, observation: str, frames: int) -> None:
    latencies: list[float] = []
    for seed in range(frames):
        rendered = render_field(
            FieldSpec(
                ra_deg=83.82,
                dec_deg=-5.39,
                pixel_scale_arcsec=1.2,
                rotation_deg=15.0,
                psf=GaussianPsf(fwhm_px=3.0),
                width=6000,
                height=4000,
                seed=100 + seed,
            )
        )
        body = fits_file(rendered)
        async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:
            answer = await client.post(
                "/uploads/frames",
                content=body,
                params={"observation": observation},
                headers={"Authorization": f"Bearer {token}", "X-Content-SHA256": sha256(body)},
            )
        uploaded = time.perf_counter()
        assert answer.status_code == 201, answer.text
        frame_id = answer.json()["frameId"]
        while True:
            frame = await Frame.get(frame_id)
            assert frame is not None
            if frame.state is not FrameState.PROCESSING:
                break
            await asyncio.sleep(0.05)
        latencies.append(time.perf_counter() - uploaded)
        steps = {s.value: frame.steps.of(s) for s in Step}
        took = ", ".join(
            f"{name} {(st.finished_at - st.started_at).total_seconds():.2f} s"
            for name, st in steps.items()
            if st.started_at and st.finished_at
        )
        solved = frame.steps.solve.status.value
        print(
            f"24 MP frame {seed + 1}: {frame.state.value}, solve {solved}, "
            f"in {latencies[-1]:.2f} s ({took})"
        )
    print(
        f"upload complete -> all steps done, 24 MP: p50 {statistics.median(latencies):.2f} s "
        f"over {frames} frames (min {min(latencies):.2f}, max {max(latencies):.2f})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--frames", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        root = Path(tmp)
        with running_mongo(root) as mongo, running_valkey(root) as valkey:
            env = {
                "MONGODB_URL": mongo.url,
                "MONGODB_DATABASE": "bench",
                "REDIS_URL": valkey.url,
                "SCHEDULER_DATA_DIR": str(root / "data"),
                "SCHEDULER_SECRET_KEY": SECRET_KEY,
                "SCHEDULER_LOG_FORMAT": "json",
                "SCHEDULER_LOG_LEVEL": "WARNING",
            }
            settings = load_settings(
                mongodb_url=mongo.url,
                mongodb_database="bench",
                redis_url=valkey.url,
                data_dir=root / "data",
            )
            services = await open_services(settings)
            world = await make_world()
            token = world.token(world.user)
            observation = str(world.observation.id)
            port = free_port()
            with running_cli(["api", "--port", str(port)], env, root / "api.log") as api:
                base_url = f"http://127.0.0.1:{port}"
                wait_for_http(f"{base_url}/healthz")
                await _bench_large_upload(base_url, api.pid, token, observation, args.gib, services)
                with running_cli(["worker"], env, root / "worker.log"):
                    await _bench_pipeline(base_url, token, observation, args.frames)
            await close_services(services)


if __name__ == "__main__":
    asyncio.run(main())
