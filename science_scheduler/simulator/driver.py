"""The thin asyncio driver: runs `PluginClient` over a WebSocket, with a camera and an uploader.

Every call into the client is followed by saving its durable state and then carrying out its
effects, in order. The camera and the upload queue keep working while the socket is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import UTC, datetime, timedelta

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from plugin_bridge import messages as m
from science_scheduler.simulator import camera
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
)
from science_scheduler.simulator.options import SimulatorOptions
from science_scheduler.simulator.store import StateStore, UploadQueue
from science_scheduler.simulator.uploader import Refused, Retry, Stored, upload

log = logging.getLogger(__name__)

TICK_S = 0.25
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0
UNAUTHORIZED_RETRIES = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


class Simulator:
    """One simulated observatory until `stop()` or a refusal that forbids reconnecting."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.store = StateStore(options.state_dir)
        self.queue = UploadQueue(options.state_dir / "uploads")
        started = utcnow()
        config = ClientConfig(
            plugin_version=options.plugin_version,
            capabilities=m.Capabilities(
                guiding=True,
                auto_focus=True,
                plate_solving=True,
                filter_wheel=True,
                filters=list(options.filters),
            ),
            equipment=options.optics.equipment(list(options.filters)),
            speedup=options.speedup,
            ack_delay_s=options.ack_delay_s,
            duplicate_rate=options.duplicate_rate,
            unsafe_periods=tuple(
                (
                    started + timedelta(seconds=period.start_s),
                    started + timedelta(seconds=period.start_s + period.duration_s),
                )
                for period in options.unsafe_periods
            ),
        )
        state = self.store.load(options.api_key)
        self.client = PluginClient(config, state, rng=random.Random(options.seed))
        self.faults = random.Random(None if options.seed is None else options.seed + 1)
        self.outbound: asyncio.Queue[str | None] | None = None
        self.socket: ClientConnection | None = None
        self.exposure: asyncio.Task[None] | None = None
        self.upload_wake = asyncio.Event()
        self.stopped = asyncio.Event()
        self.reached_ready = False

    # -- effects ------------------------------------------------------------------------

    def apply(self, effects: list[Effect]) -> None:
        """Save the durable state, then carry out `effects` in order."""
        self.store.save(self.client.state)
        for effect in effects:
            if isinstance(effect, Send):
                if self.outbound is not None:
                    self.outbound.put_nowait(effect.text)
            elif isinstance(effect, CloseSocket):
                log.info("closing the connection: %s", effect.reason)
                if self.outbound is not None:
                    self.outbound.put_nowait(None)
            elif isinstance(effect, StartExposure):
                self.exposure = asyncio.create_task(self._expose(effect.job))
            elif isinstance(effect, CancelExposure):
                if self.exposure is not None:
                    self.exposure.cancel()
            elif isinstance(effect, EnqueueUpload):
                self.queue.add(effect.job)
                self.upload_wake.set()
            elif isinstance(effect, Stop):
                log.error("stopping: %s", effect.reason)
                self.stopped.set()
        if self.client.phase is Phase.READY:
            self.reached_ready = True

    # -- the parts ----------------------------------------------------------------------

    async def _expose(self, job: ExposureJob) -> None:
        started = utcnow()
        await asyncio.sleep(job.exposure_s / self.options.speedup)
        directory = self.store.frames / job.observation_id
        try:
            frame = await asyncio.to_thread(
                camera.capture, job, self.options.optics, started, directory
            )
        except Exception:
            log.exception("the camera failed on frame %s", job.sequence)
            frame = None
        self.apply(self.client.exposure_done(job.sequence, frame, utcnow()))

    async def _ticker(self) -> None:
        while True:
            self.apply(self.client.tick(utcnow()))
            await asyncio.sleep(TICK_S)

    async def _uploader(self) -> None:
        backoff = FIRST_BACKOFF_S
        unauthorized = 0
        async with httpx.AsyncClient(base_url=self.options.http_url, timeout=120) as http:
            while True:
                jobs = self.queue.jobs()
                if not jobs:
                    self.upload_wake.clear()
                    await self.upload_wake.wait()
                    continue
                job = jobs[0]
                path = self.store.frame_path(job.observation_id, job.file_name)
                result = await upload(http, job, path, self.client.state.api_key)
                if isinstance(result, Stored):
                    backoff, unauthorized = FIRST_BACKOFF_S, 0
                    self.queue.done(job)
                    log.info("uploaded frame %d as %s", job.sequence, result.frame_id)
                    self.apply(self.client.upload_done(job, result.frame_id, utcnow()))
                    continue
                if isinstance(result, Refused) and not (
                    result.status == 401 and unauthorized < UNAUTHORIZED_RETRIES
                ):
                    self.queue.refuse(job)
                    reason = f"HTTP {result.status}: {result.message}"
                    self.apply(self.client.upload_failed(job, reason, utcnow()))
                    continue
                unauthorized += isinstance(result, Refused)
                reason = result.reason if isinstance(result, Retry) else "401, key rotated?"
                log.info("upload of frame %s failed (%s); retrying", job.sequence, reason)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _writer(self, socket: ClientConnection, outbound: asyncio.Queue[str | None]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            text = await outbound.get()
            if text is None:
                await socket.close()
                return
            await socket.send(text)
            if self.faults.random() < self.options.drop_rate:
                log.info("fault: dropping the connection")
                loop.call_later(self.faults.uniform(0.0, 0.2), socket.transport.abort)

    async def _session(self, socket: ClientConnection) -> int | None:
        outbound: asyncio.Queue[str | None] = asyncio.Queue()
        self.socket, self.outbound = socket, outbound
        writer = asyncio.create_task(self._writer(socket, outbound))
        try:
            self.apply(self.client.connected(utcnow()))
            async for frame in socket:
                self.apply(self.client.receive(frame, utcnow()))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.socket = self.outbound = None
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        code = socket.close_code
        return None if code in {None, 1006} else code

    async def _connections(self) -> None:
        backoff = FIRST_BACKOFF_S
        while not self.stopped.is_set():
            self.reached_ready = False
            code: int | None = None
            try:
                async with websockets.connect(
                    self.options.ws_url,
                    subprotocols=[Subprotocol(m.PROTOCOL)],
                    open_timeout=10,
                    max_size=m.MAX_MESSAGE_BYTES,
                    ping_interval=None,
                ) as socket:
                    code = await self._session(socket)
            except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
                log.warning("cannot connect to %s: %s", self.options.ws_url, error)
            self.apply(self.client.connection_lost(code, utcnow()))
            if self.client.phase is Phase.STOPPED:
                self.stopped.set()
                return
            if self.reached_ready:
                backoff = FIRST_BACKOFF_S
            delay = max(backoff * (1 + 0.2 * self.faults.random()), self.client.reconnect_wait_s)
            log.info("reconnecting in %.1f s (closed with %s)", delay, code)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), delay)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    # -- running ------------------------------------------------------------------------

    def stop(self) -> None:
        """Say goodbye and stop (the socket closes after the goodbye is written)."""
        self.apply(self.client.goodbye(utcnow()))
        self.stopped.set()

    async def run(self) -> None:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per upload is ours
        self.apply(self.client.restarted(utcnow()))
        if self.queue.jobs():
            self.upload_wake.set()
        helpers = [asyncio.create_task(self._ticker()), asyncio.create_task(self._uploader())]
        connections = asyncio.create_task(self._connections())
        try:
            await self.stopped.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(connections), 5)
        finally:
            tasks = [*helpers, connections]
            if self.exposure is not None:
                tasks.append(self.exposure)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def simulate(options: SimulatorOptions) -> None:
    """Run a simulated observatory until SIGINT/SIGTERM (or a final refusal)."""
    import signal

    simulator = Simulator(options)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, simulator.stop)
    await simulator.run()
