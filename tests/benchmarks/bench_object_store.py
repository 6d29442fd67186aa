"""Benchmark: streamed put and get of a 200 MiB object, filesystem store and S3 (moto).

Run with::

    .venv/bin/python tests/benchmarks/bench_object_store.py [--size-mib 200]

The object is generated on the fly in 1 MiB chunks and never held whole in memory. For each
operation the script prints throughput (MiB/s) and the peak growth of this process's resident
set size (sampled every 5 ms by a thread with psutil; target < 64 MiB), next to a named
reference measured in the same run: plain blocking file I/O for the filesystem store, the
minio SDK used directly (known length, file source) for the S3 store. moto's S3 server runs in
a child process, like a real MinIO would, so its memory is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
from minio import Minio

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.s3_store import DEFAULT_PART_BYTES, S3ObjectStore

MIB = 1024 * 1024
CHUNK = MIB
KEY = "raw/bench-org/2026-01-15/obs-1/frame-0001.fits.fz"
ACCESS_KEY = "bench-access"
SECRET_KEY = "bench-secret"
BUCKET = "bench"
RSS_TARGET_MIB = 64


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_growth: int


class RssSampler:
    """Samples this process's RSS in a thread and keeps the maximum."""

    def __init__(self, interval: float = 0.005) -> None:
        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.baseline = 0
        self.peak = 0

    def __enter__(self) -> RssSampler:
        gc.collect()
        self.baseline = self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, self._process.memory_info().rss)


def chunks(total: int) -> Iterator[bytes]:
    """Deterministic pseudo-random chunks: one random block, stamped with the chunk number."""
    block = random.Random(2026).randbytes(CHUNK)
    sent = 0
    number = 0
    while sent < total:
        size = min(CHUNK, total - sent)
        yield number.to_bytes(8, "little") + block[8:size] if size > 8 else block[:size]
        sent += size
        number += 1


async def async_chunks(total: int) -> AsyncIterator[bytes]:
    for chunk in chunks(total):
        yield chunk


def measure_sync(operation: Callable[[], None]) -> Measurement:
    with RssSampler() as sampler:
        started = time.perf_counter()
        operation()
        elapsed = time.perf_counter() - started
    return Measurement(elapsed, sampler.peak - sampler.baseline)


async def measure(operation: Callable[[], Awaitable[None]]) -> Measurement:
    with RssSampler() as sampler:
        started = time.perf_counter()
        await operation()
        elapsed = time.perf_counter() - started
    return Measurement(elapsed, sampler.peak - sampler.baseline)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("moto server did not start within 30 s")


async def bench_store_put(
    store: FilesystemObjectStore | S3ObjectStore, size: int, digest: str
) -> Measurement:
    async def put() -> None:
        info = await store.put(KEY, async_chunks(size), expected_sha256=digest)
        assert info.size == size

    return await measure(put)


async def bench_store_get(
    store: FilesystemObjectStore | S3ObjectStore, size: int, digest: str
) -> Measurement:
    async def get() -> None:
        hasher = hashlib.sha256()
        async for chunk in store.open(KEY):
            hasher.update(chunk)
        assert hasher.hexdigest() == digest

    return await measure(get)


def reference_file_put(path: Path, size: int) -> Measurement:
    def put() -> None:
        hasher = hashlib.sha256()
        with path.open("wb") as out:
            for chunk in chunks(size):
                hasher.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())

    return measure_sync(put)


def reference_file_get(path: Path) -> Measurement:
    def get() -> None:
        hasher = hashlib.sha256()
        with path.open("rb") as source:
            while block := source.read(256 * 1024):
                hasher.update(block)

    return measure_sync(get)


def reference_minio_put(client: Minio, source: Path, size: int) -> Measurement:
    def put() -> None:
        with source.open("rb") as data:
            client.put_object(
                BUCKET,
                "reference/object",
                data,
                length=size,
                part_size=DEFAULT_PART_BYTES,
                num_parallel_uploads=1,
            )

    return measure_sync(put)


def reference_minio_get(client: Minio) -> Measurement:
    def get() -> None:
        hasher = hashlib.sha256()
        response = client.get_object(BUCKET, "reference/object")
        try:
            for block in response.stream(256 * 1024):
                hasher.update(block)
        finally:
            response.close()
            response.release_conn()

    return measure_sync(get)


def combine(runs: list[Measurement]) -> Measurement:
    """Best time (least disturbed run), worst memory (the bound that matters)."""
    return Measurement(min(run.seconds for run in runs), max(run.peak_rss_growth for run in runs))


def row(name: str, size: int, ours: list[Measurement], reference: list[Measurement]) -> str:
    best, best_reference = combine(ours), combine(reference)
    ours_rate = size / MIB / best.seconds
    reference_rate = size / MIB / best_reference.seconds
    return (
        f"| {name:<14} | {ours_rate:>7.1f} | {best.peak_rss_growth / MIB:>9.1f} "
        f"| {reference_rate:>9.1f} | {best_reference.peak_rss_growth / MIB:>9.1f} "
        f"| {ours_rate / reference_rate:>5.2f} |"
    )


async def main(size: int, repeats: int) -> None:
    digest = hashlib.sha256()
    for chunk in chunks(size):
        digest.update(chunk)
    expected = digest.hexdigest()
    runs: dict[str, list[Measurement]] = {
        name: [] for name in ("fs put", "fs get", "ref fs put", "ref fs get")
    }
    runs.update({name: [] for name in ("s3 put", "s3 get", "ref s3 put", "ref s3 get")})

    with tempfile.TemporaryDirectory(prefix="bench-object-store-") as scratch:
        root = Path(scratch)
        filesystem = FilesystemObjectStore(
            root / "objects", signing_secret=b"bench", public_base_url="http://bench"
        )
        await filesystem.initialise()
        reference_path = root / "reference.bin"
        for _ in range(repeats):
            runs["fs put"].append(await bench_store_put(filesystem, size, expected))
            runs["ref fs put"].append(reference_file_put(reference_path, size))
            runs["fs get"].append(await bench_store_get(filesystem, size, expected))
            runs["ref fs get"].append(reference_file_get(reference_path))

        server, endpoint = start_moto()
        try:
            s3 = S3ObjectStore(endpoint, ACCESS_KEY, SECRET_KEY, BUCKET, secure=False)
            await s3.initialise()
            client = Minio(endpoint, ACCESS_KEY, SECRET_KEY, secure=False)
            for _ in range(repeats):
                runs["s3 put"].append(await bench_store_put(s3, size, expected))
                runs["ref s3 put"].append(reference_minio_put(client, reference_path, size))
                runs["s3 get"].append(await bench_store_get(s3, size, expected))
                runs["ref s3 get"].append(reference_minio_get(client))
                await s3.delete(KEY)
                client.remove_object(BUCKET, "reference/object")
            await s3.close()
        finally:
            server.terminate()
            server.wait(timeout=10)

    print(
        f"object: {size / MIB:.0f} MiB in {CHUNK // 1024} KiB chunks, best of {repeats} runs; "
        f"RSS growth target < {RSS_TARGET_MIB} MiB"
    )
    print("reference: blocking file I/O + fsync (filesystem), minio SDK, known length (s3)")
    print("| operation      |   MiB/s | RSS +MiB  | ref MiB/s | ref RSS+  | ratio |")
    print("|----------------|---------|-----------|-----------|-----------|-------|")
    print(row("filesystem put", size, runs["fs put"], runs["ref fs put"]))
    print(row("filesystem get", size, runs["fs get"], runs["ref fs get"]))
    print(row("s3 (moto) put", size, runs["s3 put"], runs["ref s3 put"]))
    print(row("s3 (moto) get", size, runs["s3 get"], runs["ref s3 get"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.size_mib * MIB, arguments.repeats))
