"""Bridge fixtures: a real API process (restartable, short heartbeat settings) and a world."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from science_scheduler.services import Services
from tests.bridge.world import World, make_world
from tests.engines import free_port, running_cli, wait_for_http

SECRET_KEY = "bridge-tests-signing-key-of-32-bytes-or-more"


@contextmanager
def api_process(
    port: int, env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `science-scheduler api` process on `port`."""
    with running_cli(["api", "--port", str(port)], env, log_path) as process:
        yield process


@dataclass
class BridgeServer:
    """One API process on a fixed port; `restart` stops it and starts a new one."""

    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def plugin_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/plugin/ws"

    @property
    def graphql_ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"api-{self.starts}.log"
        self.process = self._stack.enter_context(api_process(self.port, self.env, log))
        wait_for_http(f"{self.base_url}/healthz")

    def stop(self) -> None:
        self._stack.close()
        self._stack = ExitStack()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("api-*.log")))


# Test plugins send heartbeats only where a test says so, and on two busy cores a step can take
# seconds: 10 s of silence is allowed unless a test about lost heartbeats asks for less.
SHORT_HEARTBEAT_TIMEOUT = {"SCHEDULER_PLUGIN_HEARTBEAT_TIMEOUT_SECONDS": "2"}


def bridge_env(engine_env: dict[str, str], **settings: str) -> dict[str, str]:
    return {
        **engine_env,
        "SCHEDULER_SECRET_KEY": SECRET_KEY,
        "SCHEDULER_PLUGIN_HEARTBEAT_INTERVAL_SECONDS": "1",
        "SCHEDULER_PLUGIN_HEARTBEAT_TIMEOUT_SECONDS": "10",
        "SCHEDULER_PLUGIN_OFFLINE_GRACE_SECONDS": "2",
        **settings,
    }


@pytest.fixture
def bridge(engine_env: dict[str, str], tmp_path: Path) -> Iterator[BridgeServer]:
    server = BridgeServer(bridge_env(engine_env), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def world(services: Services) -> World:
    return await make_world("north-1", "north-2")
