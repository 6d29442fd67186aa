"""Wires the simulator's `PluginClient` to the real `PluginSession` in process, with a clock.

Frames travel through a queue in both directions; the link can drop the connection after a
chosen server frame (so the server applied a message whose answer the plugin never sees).
Exposures finish when the clock passes their end; uploads go to the scripted domain.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Apply, Close
from plugin_bridge.core.effects import Effect as ServerEffect
from plugin_bridge.core.effects import Send as ServerSend
from plugin_bridge.core.session import PluginSession, SessionConfig
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox
from science_scheduler.simulator.client import ClientConfig, Phase, PluginClient
from science_scheduler.simulator.effects import (
    CancelExposure,
    CloseSocket,
    Effect,
    EnqueueUpload,
    ExposureJob,
    Send,
    StartExposure,
    Stop,
    UploadJob,
)
from science_scheduler.simulator.state import CapturedFrame, LocalState
from tests.simulator.server import API_KEY, ScriptedDomain

T0 = datetime(2026, 11, 24, 22, 0, 0, tzinfo=UTC)


def counter(prefix: str) -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers):04d}"


def new_state(api_key: str = API_KEY) -> LocalState:
    return LocalState(api_key=api_key, api_key_given=api_key, machine_id="simulated-machine")


def captured(job: ExposureJob) -> CapturedFrame:
    digest = f"{job.sequence:02d}" * 32
    return CapturedFrame(
        file_name=f"frame_{job.sequence:04d}.fits",
        size_bytes=1000 + job.sequence,
        sha256=digest,
        hfr_px=1.5,
        star_count=300,
    )


@dataclass
class Link:
    domain: ScriptedDomain
    client: PluginClient
    now: datetime = T0
    session: PluginSession | None = None
    dedup: MemoryDedupStore = field(default_factory=MemoryDedupStore)
    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    server_ids: Callable[[], str] = field(default_factory=lambda: counter("s"))
    to_server: deque[str] = field(default_factory=deque)
    to_plugin: deque[str] = field(default_factory=deque)
    uploads: deque[UploadJob] = field(default_factory=deque)  # the driver's upload queue
    uploads_paused: bool = False  # the upload link is down: jobs wait in the queue
    exposing: tuple[ExposureJob, datetime] | None = None
    cut_after: Callable[[m.Envelope], bool] | None = None
    plugin_frames: list[dict[str, Any]] = field(default_factory=list)
    server_frames: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None
    closes: list[int] = field(default_factory=list)
    min_plugin_version: str = "1.0.0"
    on_upload: Callable[[str, int], bool] = lambda observation, sequence: True

    # -- the connection -----------------------------------------------------------------

    async def connect(self) -> None:
        self.session = PluginSession(
            config=SessionConfig(min_plugin_version=self.min_plugin_version),
            dedup=self.dedup,
            outbox=self.outbox,
            new_id=self.server_ids,
            now=self.now,
        )
        self.session.start(m.PROTOCOL, self.now)
        await self.plugin_effects(self.client.connected(self.now))

    async def drop(self) -> None:
        """The connection dies: neither side hears more from the other."""
        self.to_server.clear()
        self.to_plugin.clear()
        if self.session is not None:
            self.session.connection_lost(self.now)
            self.session = None
            await self.plugin_effects(self.client.connection_lost(None, self.now))

    async def push(self, command: m.ServerCommand) -> None:
        assert self.session is not None
        await self.server_effects(await self.session.push(command, self.now))
        await self.deliver()

    # -- effects ------------------------------------------------------------------------

    async def plugin_effects(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Send):
                if self.session is not None:
                    self.to_server.append(effect.text)
            elif isinstance(effect, StartExposure):
                self.exposing = (effect.job, self.now + timedelta(seconds=effect.job.exposure_s))
            elif isinstance(effect, CancelExposure):
                self.exposing = None
            elif isinstance(effect, EnqueueUpload):
                self.uploads.append(effect.job)
            elif isinstance(effect, CloseSocket):
                await self.drop()
            elif isinstance(effect, Stop):
                self.stopped = effect.reason
        await self.deliver()

    async def server_effects(self, effects: list[ServerEffect]) -> None:
        assert self.session is not None
        for effect in effects:
            if isinstance(effect, ServerSend):
                message = effect.message
                self.to_plugin.append(message.model_dump_json())
                if self.cut_after is not None and self.cut_after(message):
                    self.cut_after = None
                    self.to_plugin.pop()
                    await self.drop()
                    return
            elif isinstance(effect, Close):
                self.closes.append(int(effect.code))
                self.to_server.clear()
                session, self.session = self.session, None
                del session
                # the plugin reads the frames sent before the close, then sees the close
                while self.to_plugin:
                    text = self.to_plugin.popleft()
                    self.server_frames.append(json.loads(text))
                    await self.plugin_effects(self.client.receive(text, self.now))
                await self.plugin_effects(self.client.connection_lost(int(effect.code), self.now))
                return
            elif isinstance(effect, Apply):
                await self.apply(effect)
            if self.session is None:
                return

    async def apply(self, effect: Apply) -> None:
        session = self.session
        assert session is not None
        command = effect.command
        if isinstance(command, c.Authenticate):
            outcome = self.domain.authenticate(command.hello)
            await self.server_effects(await session.hello_answered(outcome, self.now))
            return
        if effect.message_id is None:
            return
        assert not isinstance(command, c.Register | c.RecordGoodbye)
        assert not isinstance(command, c.CommandAcknowledged | c.CommandRefused)
        result = self.domain.apply(session, command, self.now)
        await self.server_effects(await session.applied(effect.message_id, result, self.now))

    async def deliver(self) -> None:
        while self.to_server or self.to_plugin or (self.uploads and not self.uploads_paused):
            if self.to_server:
                text = self.to_server.popleft()
                self.plugin_frames.append(json.loads(text))
                if self.session is not None:
                    await self.server_effects(await self.session.receive(text, self.now))
            elif self.to_plugin:
                text = self.to_plugin.popleft()
                self.server_frames.append(json.loads(text))
                await self.plugin_effects(self.client.receive(text, self.now))
            else:
                job = self.uploads.popleft()
                if self.on_upload(job.observation_id, job.sequence):
                    frame_id = self.domain.upload(job.observation_id, job.sequence, job.sha256)
                    await self.plugin_effects(self.client.upload_done(job, frame_id, self.now))

    # -- time ---------------------------------------------------------------------------

    async def step(self, seconds: float = 1.0) -> None:
        self.now += timedelta(seconds=seconds)
        if self.exposing is not None and self.exposing[1] <= self.now:
            job, _ = self.exposing
            self.exposing = None
            await self.plugin_effects(
                self.client.exposure_done(job.sequence, captured(job), self.now)
            )
        await self.plugin_effects(self.client.tick(self.now))
        if self.session is not None:
            await self.server_effects(self.session.tick(self.now))
        elif self.client.phase is Phase.DISCONNECTED and self.stopped is None:
            await self.connect()

    async def run_until(self, done: Callable[[], bool], limit_s: float = 3600) -> None:
        waited = 0.0
        while not done():
            assert waited < limit_s, f"not done after {limit_s} s of simulated time"
            await self.step()
            waited += 1.0

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.plugin_frames if frame["type"] == kind]


def make_link(
    counts: list[int],
    *,
    config: ClientConfig | None = None,
    state: LocalState | None = None,
    filters: str = "L",
    id_prefix: str = "p",
) -> Link:
    client_config = config or ClientConfig(capabilities=m.Capabilities(filters=["L", "R"]))
    client = PluginClient(client_config, state or new_state(), new_id=counter(id_prefix))
    return Link(ScriptedDomain(counts, now=T0, filters=filters), client)
