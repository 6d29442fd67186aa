"""Starts child processes in order, restarts the ones that die, stops them in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

ReadinessProbe = Callable[[int], Awaitable[bool]]
"""Called with the child's pid; True once the child serves."""

_PR_SET_PDEATHSIG = 1
_FIRST_BACKOFF_S = 0.5
_MAX_BACKOFF_S = 30.0
_HEALTHY_UPTIME_S = 60.0


class ChildStartupError(RuntimeError):
    """A child did not become ready; the message names it and the fix when known."""


@dataclass
class ChildSpec:
    name: str
    command: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    ready: ReadinessProbe | None = None
    ready_timeout_s: float = 20.0
    stop_timeout_s: float = 10.0


class ChildState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"
    STOPPED = "stopped"


@dataclass
class _Running:
    spec: ChildSpec
    process: asyncio.subprocess.Process
    started_at: float
    backoff_s: float = _FIRST_BACKOFF_S
    restarts: int = 0
    state: ChildState = ChildState.STARTING
    last_exit_code: int | None = None


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM the child if the supervisor itself is killed."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Runs children in their own process groups so Ctrl-C reaches only the supervisor."""

    def __init__(self, children: Sequence[ChildSpec], status_file: Path | None = None) -> None:
        self._specs = list(children)
        self._running: dict[str, _Running] = {}
        self._stopping = asyncio.Event()
        self._status_file = status_file

    def _set_state(self, running: _Running, state: ChildState) -> None:
        running.state = state
        self._write_status()

    def _write_status(self) -> None:
        """Publish every child's state (read by /readyz) with an atomic replace."""
        if self._status_file is None:
            return
        status = {
            name: {
                "pid": running.process.pid,
                "state": running.state.value,
                "restarts": running.restarts,
                "last_exit_code": running.last_exit_code,
            }
            for name, running in self._running.items()
        }
        body = {"updated_at": datetime.now(UTC).isoformat(), "children": status}
        temporary = self._status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(body))
        temporary.replace(self._status_file)

    def request_stop(self) -> None:
        self._stopping.set()

    def pid_of(self, name: str) -> int | None:
        running = self._running.get(name)
        return running.process.pid if running else None

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Start every child, watch them until asked to stop, then stop them in reverse order."""
        try:
            for spec in self._specs:
                if self._stopping.is_set():
                    return
                await self._start(spec)
                await self._wait_ready(spec)
            if on_ready is not None:
                on_ready()
            await self._watch()
        finally:
            await self._stop_all()

    async def _start(self, spec: ChildSpec, previous: _Running | None = None) -> None:
        process = await asyncio.create_subprocess_exec(
            *spec.command,
            env={**os.environ, **spec.env},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        running = _Running(spec=spec, process=process, started_at=time.monotonic())
        if previous is not None:
            running.backoff_s = previous.backoff_s
            running.restarts = previous.restarts + 1
            running.last_exit_code = previous.last_exit_code
        self._running[spec.name] = running
        self._write_status()
        log.info("started %s", spec.name, extra={"child": spec.name, "pid": process.pid})

    async def _wait_ready(self, spec: ChildSpec) -> None:
        running = self._running[spec.name]
        if spec.ready is None:
            self._set_state(running, ChildState.RUNNING)
            return
        deadline = time.monotonic() + spec.ready_timeout_s
        process = running.process
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise ChildStartupError(
                    f"{spec.name} exited with code {process.returncode} while starting "
                    "(see its log lines above)"
                )
            with contextlib.suppress(Exception):
                if await spec.ready(process.pid):
                    log.info("%s is ready", spec.name, extra={"child": spec.name})
                    self._set_state(running, ChildState.RUNNING)
                    return
            await asyncio.sleep(0.05)
        raise ChildStartupError(f"{spec.name} did not become ready in {spec.ready_timeout_s:.0f} s")

    async def _watch(self) -> None:
        stop_task = asyncio.create_task(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                waits = {
                    asyncio.create_task(running.process.wait()): name
                    for name, running in self._running.items()
                }
                done, _ = await asyncio.wait(
                    [*waits, stop_task], return_when=asyncio.FIRST_COMPLETED
                )
                for task in waits:
                    task.cancel()
                if self._stopping.is_set():
                    return
                for task in done:
                    if task in waits:
                        await self._restart(waits[task])
        finally:
            stop_task.cancel()

    async def _restart(self, name: str) -> None:
        running = self._running[name]
        running.last_exit_code = running.process.returncode
        self._set_state(running, ChildState.RESTARTING)
        uptime = time.monotonic() - running.started_at
        if uptime > _HEALTHY_UPTIME_S:
            running.backoff_s = _FIRST_BACKOFF_S
        log.warning(
            "%s died (exit code %s after %.1f s); restarting in %.1f s",
            name,
            running.process.returncode,
            uptime,
            running.backoff_s,
            extra={"child": name, "exit_code": running.process.returncode},
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=running.backoff_s)
        if self._stopping.is_set():
            return
        running.backoff_s = min(running.backoff_s * 2, _MAX_BACKOFF_S)
        await self._start(running.spec, previous=running)
        try:
            await self._wait_ready(running.spec)
        except ChildStartupError as error:
            log.error("restart of %s failed: %s", name, error, extra={"child": name})

    async def _stop_all(self) -> None:
        for spec in reversed(self._specs):
            running = self._running.get(spec.name)
            if running is None:
                continue
            if running.process.returncode is None:
                await self._stop_one(running)
            self._set_state(running, ChildState.STOPPED)

    async def _stop_one(self, running: _Running) -> None:
        name = running.spec.name
        with contextlib.suppress(ProcessLookupError):
            running.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(running.process.wait(), timeout=running.spec.stop_timeout_s)
            log.info("stopped %s", name, extra={"child": name})
        except TimeoutError:
            log.warning("%s did not stop in time; killing it", name, extra={"child": name})
            with contextlib.suppress(ProcessLookupError):
                running.process.kill()
            await running.process.wait()
