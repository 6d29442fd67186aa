"""`science-scheduler serve` runs everything from one command, survives crashes and restarts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import Job, JobStatus

from tests.engines import cli_command, free_port, stop_process, wait_for_http
from workers.settings import QUEUE_NAME

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery"
SERVER_INFO = "query { serverInfo { name environment } }"


class Served:
    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir, self.port, self.log_path = data_dir, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "REDIS", "S3_"))}
        env["SCHEDULER_LOG_FORMAT"] = "json"
        env["SCHEDULER_ADMIN_EMAIL"] = ADMIN_EMAIL
        env["SCHEDULER_ADMIN_PASSWORD"] = ADMIN_PASSWORD
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                cli_command("serve", "--data-dir", str(self.data_dir), "--port", str(self.port)),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_http(f"{self.base}/readyz", timeout_s=60)
        return time.monotonic() - started

    def stop(self) -> int:
        assert self.process is not None
        return stop_process(self.process, timeout_s=30)

    def child(self, name_part: str) -> psutil.Process:
        assert self.process is not None
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if name_part in " ".join(child.cmdline()):
                return child
        raise LookupError(name_part)

    def redis_url(self) -> str:
        valkey = self.child("valkey-server")
        port = next(c.laddr.port for c in valkey.net_connections() if c.status == "LISTEN")
        return f"redis://127.0.0.1:{port}/0"

    def log_lines(self) -> list[dict[str, object]]:
        lines = []
        for raw in self.log_path.read_text().splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
        return lines


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path / "data", free_port(), tmp_path / "serve.log")
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


def _wait_until(predicate: object, timeout_s: float) -> float:
    assert callable(predicate)
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"condition not met in {timeout_s} s")


def _readiness(served: Served) -> tuple[int, dict[str, object]]:
    response = httpx.get(f"{served.base}/readyz", timeout=5)
    return response.status_code, response.json()


def _check_status(served: Served, name: str) -> str:
    _, body = _readiness(served)
    checks = body["checks"]
    assert isinstance(checks, dict)
    return str(checks[name]["status"])


@pytest.mark.slow
def test_serve_starts_every_engine_and_serves_graphiql_graphql_and_readiness(
    served: Served,
) -> None:
    # when
    served.start()

    # then
    status, body = _readiness(served)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"mongodb", "redis", "object_store", "worker", "processes"}  # type: ignore[arg-type]
    page = httpx.get(f"{served.base}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    answer = httpx.post(f"{served.base}/graphql", json={"query": SERVER_INFO}).json()
    assert answer == {
        "data": {"serverInfo": {"name": "Science Scheduler", "environment": "development"}}
    }
    assert httpx.get(f"{served.base}/healthz").json() == {"status": "ok"}
    assert (served.data_dir / "documents" / "documents.sqlite3").exists()
    assert (served.data_dir / "valkey").is_dir()
    assert (served.data_dir / "objects").is_dir()


@pytest.mark.slow
def test_a_killed_valkey_is_reported_restarted_and_loses_no_acknowledged_job(
    served: Served,
) -> None:
    # given: a job acknowledged by Redis, deferred so the worker has not run it yet
    served.start()
    redis_url = served.redis_url()

    async def enqueue() -> str:
        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        job = await pool.enqueue_job("echo", "kept", _queue_name=QUEUE_NAME, _defer_by=8)
        assert job is not None
        await pool.aclose()
        return job.job_id

    job_id = asyncio.run(enqueue())
    old_pid = served.child("valkey-server").pid

    # when
    os.kill(old_pid, signal.SIGKILL)

    # then: readiness says so within seconds, the supervisor restarts it, the job runs
    _wait_until(lambda: _check_status(served, "redis") == "error", timeout_s=5)
    _wait_until(lambda: _readiness(served)[0] == 200, timeout_s=30)
    assert served.child("valkey-server").pid != old_pid

    async def result() -> object:
        pool = await create_pool(RedisSettings.from_dsn(served.redis_url()))
        job = Job(job_id, pool, _queue_name=QUEUE_NAME)
        assert await job.status() in {
            JobStatus.deferred,
            JobStatus.queued,
            JobStatus.in_progress,
            JobStatus.complete,
        }
        value = await job.result(timeout=30)
        await pool.aclose()
        return value

    outcome = asyncio.run(result())
    assert isinstance(outcome, dict)
    assert outcome["payload"] == "kept"
    assert any("valkey died" in str(line.get("message")) for line in served.log_lines())


@pytest.mark.slow
def test_a_killed_worker_is_reported_within_seconds_and_restarted(served: Served) -> None:
    # given
    served.start()
    old_pid = served.child("cli worker").pid

    # when
    os.kill(old_pid, signal.SIGKILL)

    # then
    waited = _wait_until(lambda: _check_status(served, "processes") == "error", timeout_s=10)
    assert waited < 5
    _wait_until(lambda: _readiness(served)[0] == 200, timeout_s=30)
    assert served.child("cli worker").pid != old_pid


@pytest.mark.slow
def test_ctrl_c_stops_everything_and_a_restart_finds_the_data(served: Served) -> None:
    # given
    served.start()
    pids = [
        served.child(part).pid
        for part in ("mongo_server", "valkey-server", "cli worker", "cli api")
    ]
    marker = f"kept-{time.time_ns()}"
    asyncio.run(_write_document(served, marker))

    # when
    assert served.process is not None
    served.process.send_signal(signal.SIGINT)
    code = served.process.wait(timeout=30)

    # then
    assert code == 0
    assert not any(
        psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in pids
    )
    stopped = [
        str(line["message"])
        for line in served.log_lines()
        if str(line.get("message", "")).startswith("stopped ")
    ]
    assert stopped == ["stopped api", "stopped worker", "stopped valkey", "stopped mongo"]

    # when
    served.start()

    # then
    assert asyncio.run(_read_document(served)) == marker


LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename ... on LoginSuccess { accessToken }
  }
}"""
CREATE_ORGANIZATION = """
mutation ($name: String!) {
  createOrganization(input: {name: $name, shortName: "kept-org"}) {
    __typename ... on Organization { id name }
  }
}"""
ORGANIZATIONS = "query { organizations { edges { node { name shortName } } } }"


async def _graphql(
    served: Served, query: str, token: str | None = None, **variables: str
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def _admin_token(served: Served) -> str:
    data = await _graphql(served, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    return str(data["login"]["accessToken"])


async def _write_document(served: Served, marker: str) -> None:
    token = await _admin_token(served)
    data = await _graphql(served, CREATE_ORGANIZATION, token, name=marker)
    assert data["createOrganization"]["__typename"] == "Organization"


async def _read_document(served: Served) -> str:
    token = await _admin_token(served)
    data = await _graphql(served, ORGANIZATIONS, token)
    organizations = [edge["node"] for edge in data["organizations"]["edges"]]
    assert [o["shortName"] for o in organizations] == ["kept-org"]
    return str(organizations[0]["name"])
