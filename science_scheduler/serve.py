"""`science-scheduler serve`: the embedded engines, a worker and the API under one supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from science_scheduler.embedded.mongo_server import mongodb_url
from science_scheduler.embedded.valkey import redis_url, valkey_command
from science_scheduler.object_store_factory import build_object_store
from science_scheduler.process_status import SUPERVISOR_STATUS_ENV
from science_scheduler.settings import Settings
from science_scheduler.supervisor import ChildSpec, ReadinessProbe, Supervisor
from workers.settings import worker_alive_key

ENGINE_HOST = "127.0.0.1"
_PREFLIGHT_TIMEOUT_S = 5.0


class ServeError(RuntimeError):
    """`serve` cannot start; the message is one line naming the setting and the fix."""


def free_port(host: str = ENGINE_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def ensure_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServeError(
                f"port {port} on {host} is not available ({error.strerror}); fix: stop the "
                "program using it or choose another with --port / SCHEDULER_PORT"
            ) from None


def ensure_data_dir_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise ServeError(
            f"data dir {data_dir} is not writable ({error.strerror}); fix: choose another "
            "with --data-dir / SCHEDULER_DATA_DIR or give this user write permission"
        ) from None


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[IO[str]]:
    """Only one `serve` may own a data dir: two would corrupt the embedded engines."""
    with (data_dir / ".serve.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServeError(
                f"data dir {data_dir} is in use by another `serve`; fix: stop it or choose "
                "another --data-dir"
            ) from None
        yield handle


async def _preflight_external_engines(settings: Settings) -> None:
    """Fail fast, in one line, when a configured production engine cannot be reached."""
    if settings.mongodb_url is not None:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            settings.mongodb_url, serverSelectionTimeoutMS=int(_PREFLIGHT_TIMEOUT_S * 1000)
        )
        try:
            await client.admin.command("ping")
        except Exception as error:
            raise ServeError(
                f"MongoDB at MONGODB_URL cannot be reached ({type(error).__name__}); fix: "
                "start it or correct MONGODB_URL"
            ) from None
        finally:
            await client.close()
    if settings.redis_url is not None:
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=_PREFLIGHT_TIMEOUT_S)
        try:
            await redis.ping()
        except Exception as error:
            raise ServeError(
                f"Redis at REDIS_URL cannot be reached ({type(error).__name__}); fix: start it "
                "or correct REDIS_URL"
            ) from None
        finally:
            await redis.aclose()
    if settings.uses_s3:
        from domain.storage.object_store import ObjectStoreUnavailable

        try:
            await build_object_store(settings).initialise()
        except ObjectStoreUnavailable as error:
            raise ServeError(f"{error}; fix: start it or correct S3_ENDPOINT") from None


def _tcp_probe(port: int) -> ReadinessProbe:
    async def probe(_pid: int) -> bool:
        _, writer = await asyncio.open_connection(ENGINE_HOST, port)
        writer.close()
        await writer.wait_closed()
        return True

    return probe


def _http_probe(url: str) -> ReadinessProbe:
    async def probe(_pid: int) -> bool:
        async with httpx.AsyncClient(timeout=1.0) as client:
            return (await client.get(url)).status_code == 200

    return probe


def _redis_probe(url: str) -> ReadinessProbe:
    async def probe(_pid: int) -> bool:
        redis = Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            return bool(await redis.ping())
        finally:
            await redis.aclose()

    return probe


def _worker_probe(url: str) -> ReadinessProbe:
    async def probe(pid: int) -> bool:
        redis = Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            return bool(await redis.exists(worker_alive_key(pid)))
        finally:
            await redis.aclose()

    return probe


def status_file(data_dir: Path) -> Path:
    run_dir = data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir / "processes.json"


def build_children(settings: Settings) -> list[ChildSpec]:
    """The supervised processes in start order; embedded engines only where no URL is set."""
    data_dir = settings.data_dir.resolve()
    env: dict[str, str] = {
        "SCHEDULER_DATA_DIR": str(data_dir),
        "SCHEDULER_HOST": settings.host,
        "SCHEDULER_PORT": str(settings.port),
        "SCHEDULER_LOG_FORMAT": settings.log_format,
        "SCHEDULER_LOG_LEVEL": settings.log_level,
    }
    children: list[ChildSpec] = []
    if settings.mongodb_url is None:
        port = free_port()
        env["MONGODB_URL"] = mongodb_url(ENGINE_HOST, port)
        command = [sys.executable, "-m", "science_scheduler.embedded.mongo_server"]
        command += ["--database-file", str(data_dir / "documents" / "documents.sqlite3")]
        command += ["--port", str(port), "--log-format", settings.log_format]
        children.append(ChildSpec("mongo", command, ready=_tcp_probe(port)))
    if settings.redis_url is None:
        port = free_port()
        env["REDIS_URL"] = redis_url(ENGINE_HOST, port)
        command = valkey_command(data_dir / "valkey", ENGINE_HOST, port)
        children.append(ChildSpec("valkey", command, ready=_redis_probe(env["REDIS_URL"])))
    env[SUPERVISOR_STATUS_ENV] = str(status_file(data_dir))
    cli = [sys.executable, "-m", "science_scheduler.cli"]
    worker_ready = _worker_probe(env.get("REDIS_URL") or str(settings.redis_url))
    children.append(ChildSpec("worker", [*cli, "worker"], env=dict(env), ready=worker_ready))
    api_host = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    api_url = f"http://{api_host}:{settings.port}/healthz"
    children.append(ChildSpec("api", [*cli, "api"], env=dict(env), ready=_http_probe(api_url)))
    for child in children:
        child.env = {**env, **child.env}
    return children


def serve(settings: Settings) -> None:
    """Run everything until SIGINT/SIGTERM; raise ServeError for a one-line start failure."""
    data_dir = settings.data_dir.resolve()
    ensure_data_dir_writable(data_dir)
    ensure_port_free(settings.host, settings.port)
    with data_dir_lock(data_dir):
        settings.resolved_secret_key()  # created once here, before the children race for it
        asyncio.run(_preflight_external_engines(settings))
        supervisor = Supervisor(build_children(settings), status_file=status_file(data_dir))
        asyncio.run(_run_supervised(supervisor, settings))


async def _run_supervised(supervisor: Supervisor, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, supervisor.request_stop)

    def announce() -> None:
        url = settings.base_url
        print(
            f"Science Scheduler is ready: GraphiQL at {url}/graphql, readiness at {url}/readyz "
            f"(data in {settings.data_dir.resolve()}; Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )

    await supervisor.run(on_ready=announce)
