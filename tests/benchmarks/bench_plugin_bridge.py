"""The plugin bridge under 200 simulated observatories on ONE API process.

Run: .venv/bin/python tests/benchmarks/bench_plugin_bridge.py   (about 2.5 min, loopback only)
Target (issue 6): message handling p99 < 100 ms. Each observatory is a lightweight WebSocket
client in this process, at its own site (so each needs its own ephemeris): it connects
(hello, state_report, status), sends a heartbeat every 5 s, asks for work once, acks and
accepts its assignment, then reports progress every 10 s and status every 60 s.

Two phases are reported separately: the warm-up, until every observatory got the answer to
its first request_work (bounded by BENCH_WARMUP_MAX_S), with the first-dispatch latency
(request_work sent -> assignment received: one ephemeris per site, two dispatches at a time
per process); then the steady state, measured for BENCH_MEASURE_S. Latency is measured on
the client from sending a message to its answer (ack, or the heartbeat answer), over
loopback; the API and the database engine run in their own processes so their CPU time is
their own. Reference in the same run: heartbeats, which the protocol core answers without
touching the database, against the messages that write to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil
import websockets
from beanie import init_beanie
from pymongo import AsyncMongoClient
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from domain.documents import DOCUMENT_MODELS
from domain.observations.observation import ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from domain.observatories.observatory import Equipment, Location, Observatory, Safety
from domain.organizations.organization import Organization
from domain.projects.project import Project
from domain.secrets import issue_secret
from tests.bridge.conftest import api_process
from tests.bridge.world import ALWAYS_UP
from tests.engines import free_port, running_mongo, running_valkey, wait_for_http

OBSERVATORIES = int(os.environ.get("BENCH_OBSERVATORIES", "200"))
HEARTBEAT_S = 5.0
PROGRESS_S = 10.0
STATUS_S = 60.0
CONNECT_SPREAD_S = 10.0
WARMUP_MAX_S = float(os.environ.get("BENCH_WARMUP_MAX_S", "90"))
MEASURE_S = float(os.environ.get("BENCH_MEASURE_S", "60"))
TARGET_P99_MS = 100.0
DATABASE = "bench_plugin_bridge"


def _ts() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class SimulatedPlugin:
    """One simulated plugin: sends, and times each answer by correlation id."""

    def __init__(self, url: str, key: str, clock: Clock) -> None:
        self.url = url
        self.key = key
        self.clock = clock
        self.seq = 0
        self.waiting: dict[str, tuple[str, float, asyncio.Future[dict[str, object]]]] = {}
        self.socket: websockets.ClientConnection | None = None

    async def send(self, kind: str, **fields: object) -> asyncio.Future[dict[str, object]]:
        assert self.socket is not None
        self.seq += 1
        message_id = uuid.uuid4().hex
        answer: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()
        self.waiting[message_id] = (kind, time.perf_counter(), answer)
        body = {"id": message_id, "seq": self.seq, "type": kind, "ts": _ts(), **fields}
        await self.socket.send(json.dumps(body))
        return answer

    async def call(self, kind: str, **fields: object) -> dict[str, object]:
        return await asyncio.wait_for(await self.send(kind, **fields), 100)

    async def _read(self, assignments: asyncio.Queue[dict[str, object]]) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._read_all(assignments)

    async def _read_all(self, assignments: asyncio.Queue[dict[str, object]]) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            message = json.loads(raw)
            if message["type"] == "assignment":
                await assignments.put(message)
                continue
            if message["type"] not in ("ack", "nack", "heartbeat", "welcome", "no_work"):
                continue
            pending = self.waiting.pop(str(message.get("correlation_id")), None)
            if pending is None:
                continue
            kind, sent, answer = pending
            if message["type"] != "no_work":
                self.clock.record(kind, sent)
            if not answer.done():
                answer.set_result(message)

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self.socket = await websockets.connect(
            self.url,
            subprotocols=[Subprotocol("ss-plugin.v1")],
            open_timeout=30,
            compression=None,
            ping_timeout=None,
        )
        assignments: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        reader = asyncio.create_task(self._read(assignments))
        await self.call(
            "hello",
            protocol="ss-plugin.v1",
            plugin_version="1.4.0",
            api_key=self.key,
            fingerprint="sha256:" + uuid.uuid4().hex * 2,
        )
        beating = asyncio.create_task(self._beat())
        await self.call("state_report", assignment_id=None)
        await self.call("status", operational_state="ready", safety="safe", operations_enabled=True)
        asked = time.perf_counter()
        await self.send("request_work")
        getting = asyncio.create_task(assignments.get())
        await asyncio.wait(
            [getting, asyncio.create_task(self.clock.ended.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not getting.done():  # dispatch did not reach it within the run
            getting.cancel()
            self.clock.unassigned += 1
            await beating
            await self.socket.close()
            return
        assignment = getting.result()
        self.clock.first_dispatch(asked)
        self.seq += 1
        ack = {"id": uuid.uuid4().hex, "seq": self.seq, "type": "ack", "ts": _ts()}
        await self.socket.send(json.dumps(ack | {"correlation_id": assignment["id"]}))
        await self.call("assignment_accepted", assignment_id=assignment["assignment_id"])
        next_progress = time.monotonic() + random.uniform(0, PROGRESS_S)
        next_status = time.monotonic() + random.uniform(0, STATUS_S)
        percent = 0.0
        while not self.clock.ended.is_set():
            now = time.monotonic()
            if now >= next_status:
                await self.send(
                    "status", operational_state="observing", safety="safe", operations_enabled=True
                )
                next_status += STATUS_S
            if now >= next_progress:
                percent = min(100.0, percent + 5.0)
                await self.send(
                    "progress",
                    assignment_id=assignment["assignment_id"],
                    phase="exposing",
                    target_index=0,
                    frames_captured=int(percent // 10),
                    percent=percent,
                )
                next_progress += PROGRESS_S
            wake = min(next_progress, next_status)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.clock.ended.wait(), max(0.0, wake - time.monotonic()))
        await beating
        await self.socket.close()
        reader.cancel()

    async def _beat(self) -> None:
        await asyncio.sleep(random.uniform(0, HEARTBEAT_S))
        while not self.clock.ended.is_set():
            await self.send("heartbeat")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.clock.ended.wait(), HEARTBEAT_S)


async def _seed(mongo_url: str) -> list[str]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    await init_beanie(database=client[DATABASE], document_models=DOCUMENT_MODELS)
    from domain.accounts.user import User
    from domain.organizations.organization import OrganizationMember

    user = User(email="bench@example.org", password_hash="-")
    await user.insert()
    assert user.id is not None
    organization = Organization(
        name="Bench",
        short_name="bench",
        members=[OrganizationMember(user_id=user.id, is_owner=True)],
    )
    await organization.insert()
    assert organization.id is not None
    project = Project(organization_id=organization.id, name="Bench", code="B-1", owner_id=user.id)
    await project.insert()
    assert project.id is not None
    keys: list[str] = []
    observatories = []
    for index in range(OBSERVATORIES):
        issued = issue_secret("sso")
        keys.append(issued.secret)
        observatories.append(
            Observatory(
                organization_id=organization.id,
                name=f"bench-{index}",
                code=f"bench-{index}",
                location=Location(  # a site of its own: one ephemeris each
                    latitude_deg=50.0 + index % 20, longitude_deg=-180.0 + index * 1.79
                ),
                equipment=Equipment(filters=["L"]),
                safety=Safety.SAFE,
                api_key_prefix=issued.prefix,
                api_key_hash=issued.sha256,
                created_by=user.id,
            )
        )
    await Observatory.insert_many(observatories)
    await Observation.insert_many(
        [
            Observation(
                organization_id=organization.id,
                project_id=project.id,
                created_by=user.id,
                name=f"polar {index}",
                targets=[
                    Target(
                        name=f"polar {index}",
                        ra_deg=(index * 7.3) % 360,
                        dec_deg=86.0,
                        exposures=[ExposureSet(filter="L", exposure_s=60, count=100)],
                    )
                ],
                constraints=ALWAYS_UP,
                state=ObservationState.PENDING,
            )
            for index in range(OBSERVATORIES + 20)
        ]
    )
    await client.close()
    return keys


class Clock:
    """Latencies by message type, split into the warm-up and the measured steady state.

    The steady state starts when every observatory got its first assignment (or after
    WARMUP_MAX_S) and lasts MEASURE_S.
    """

    def __init__(self) -> None:
        self.warmup: dict[str, list[float]] = defaultdict(list)
        self.steady: dict[str, list[float]] = defaultdict(list)
        self.dispatch_ms: list[float] = []
        self.unassigned = 0
        self.started = asyncio.Event()
        self.ended = asyncio.Event()

    def record(self, kind: str, sent: float) -> None:
        now = time.perf_counter()
        into = self.steady if self.started.is_set() else self.warmup
        into[kind].append((now - sent) * 1000)

    def first_dispatch(self, asked: float) -> None:
        self.dispatch_ms.append((time.perf_counter() - asked) * 1000)
        if len(self.dispatch_ms) == OBSERVATORIES:
            self.started.set()

    async def run_phases(self) -> float:
        """Warm-up (bounded), then the measured steady state; its start (monotonic)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.started.wait(), WARMUP_MAX_S)
        self.started.set()
        began = time.monotonic()
        await asyncio.sleep(MEASURE_S)
        self.ended.set()
        return began


def _table(title: str, latencies: dict[str, list[float]]) -> list[float]:
    print(title)
    print(f"{'message':>20} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in sorted(latencies, key=lambda k: -len(latencies[k])):
        values = latencies[kind]
        print(
            f"{kind:>20} {len(values):7d} {statistics.median(values):8.1f} "
            f"{_percentile(values, 0.99):8.1f} {max(values):8.1f}"
        )
    everything = [v for values in latencies.values() for v in values]
    if everything and len(latencies) > 1:
        print(
            f"{'all':>20} {len(everything):7d} {statistics.median(everything):8.1f} "
            f"{_percentile(everything, 0.99):8.1f} {max(everything):8.1f}"
        )
    return everything


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def main_async(mongo_url: str, redis_url: str, root: Path, mongo_pid: int) -> None:
    keys = await _seed(mongo_url)
    port = free_port()
    env = {
        "MONGODB_URL": mongo_url,
        "MONGODB_DATABASE": DATABASE,
        "REDIS_URL": redis_url,
        "SCHEDULER_DATA_DIR": str(root / "data"),
        "SCHEDULER_LOG_LEVEL": "WARNING",
        "SCHEDULER_LOG_FORMAT": "json",
    }
    with api_process(port, env, root / "api.log") as process:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        api = psutil.Process(process.pid)
        database = psutil.Process(mongo_pid)
        url = f"ws://127.0.0.1:{port}/plugin/ws"
        start = time.monotonic()
        clock = Clock()
        plugins = [SimulatedPlugin(url, key, clock) for key in keys]
        running = asyncio.gather(
            *(plugin.run(CONNECT_SPREAD_S * i / OBSERVATORIES) for i, plugin in enumerate(plugins)),
            return_exceptions=True,
        )
        phases = asyncio.create_task(clock.run_phases())
        await clock.started.wait()
        warmup_s = time.monotonic() - start
        cpu_before = {"API": _cpu(api), "database engine": _cpu(database)}
        began = await phases
        steady_s = time.monotonic() - began
        cpu = {
            name: (_cpu(p) - cpu_before[name]) / steady_s
            for name, p in (("API", api), ("database engine", database))
        }
        results = await running
    failures = [r for r in results if isinstance(r, BaseException)]
    print(
        f"{OBSERVATORIES} observatories (one site each) on one API process: heartbeat every "
        f"{HEARTBEAT_S:g} s, progress every {PROGRESS_S:g} s, status every {STATUS_S:g} s"
    )
    _table(
        f"warm-up ({warmup_s:.0f} s: connect, hello, state_report, status, request_work)",
        clock.warmup,
    )
    if clock.dispatch_ms:
        d = clock.dispatch_ms
        print(
            f"first dispatch (request_work -> assignment), {len(d)} observatories: "
            f"p50 {statistics.median(d):.0f} ms, p99 {_percentile(d, 0.99):.0f} ms, "
            f"max {max(d):.0f} ms"
        )
    everything = _table(f"steady state ({steady_s:.0f} s measured)", clock.steady)
    beats = clock.steady["heartbeat"]
    writes = [v for k, vs in clock.steady.items() if k != "heartbeat" for v in vs]
    if beats and writes:
        ratio = _percentile(writes, 0.99) / _percentile(beats, 0.99)
        print(f"reference: database-writing messages p99 / heartbeat p99 = {ratio:.1f}x")
    for name, used in cpu.items():
        print(f"steady-state CPU, {name} process: {100 * used:.0f} % of one core")
    print(f"machine load average (all users): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for kind, values in [("all", everything), ("heartbeat", beats), ("database-writing", writes)]:
        if values:
            p99 = _percentile(values, 0.99)
            print(
                f"target p99 < {TARGET_P99_MS:g} ms: {kind} p99 {p99:.1f} ms -> "
                f"p99 / target = {p99 / TARGET_P99_MS:.2f}"
            )
    if clock.unassigned:
        print(f"{clock.unassigned} observatories were still waiting for their first assignment")
    if failures:
        print(f"{len(failures)} simulated observatories failed; first: {failures[0]!r}")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with running_mongo(root / "mongo") as mongo, running_valkey(root / "valkey") as valkey:
            asyncio.run(main_async(mongo.url, valkey.url, root, mongo.process.pid))


if __name__ == "__main__":
    main()
