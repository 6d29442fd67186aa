"""One plugin socket: feed frames and time to its `PluginSession`, carry out the effects.

Everything that touches the session (frames, ticks, pushed commands, a takeover, the outcome
of a domain call) runs under the connection's lock, so the session sees one event at a time
and what it sends leaves in `seq` order. Once the session is ready, domain calls run outside
the lock in one applier task per connection, strictly in the order the messages arrived, so
a heartbeat sent behind a slow `request_work` is answered at once while every command is
still applied in order. Before ready (hello, registration, state report) each domain call
finishes before the next frame is read. A flooding plugin only delays itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from beanie import PydanticObjectId
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from domain.observatories.live_status import touch_live_status
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import (
    Applied,
    Apply,
    AuthRefused,
    Close,
    Effect,
    HelloOutcome,
    InterruptForLostHeartbeat,
    MarkOffline,
    RegistrationPending,
    Send,
)
from plugin_bridge.core.session import PluginSession, SessionPhase
from plugin_bridge.service import bindings, hello
from plugin_bridge.service.context import BridgeContext
from plugin_bridge.service.heartbeat import interrupt_lost_link, mark_offline

if TYPE_CHECKING:
    from plugin_bridge.adapter.hub import BridgeHub

log = logging.getLogger(__name__)

READ_AHEAD = 256  # frames read but not yet handled; a plugin beyond it waits (backpressure)
APPLY_AHEAD = 32  # commands accepted but not yet applied; at it, reading waits for them


def utc_now() -> datetime:
    return datetime.now(UTC)


class Connection:
    def __init__(
        self, socket: WebSocket, session: PluginSession, hub: BridgeHub, now: Callable[[], datetime]
    ) -> None:
        self.socket = socket
        self.session = session
        self.hub = hub
        self.now = now
        self.lock = asyncio.Lock()
        self.inbox: asyncio.Queue[tuple[str | bytes, datetime] | None] = asyncio.Queue(READ_AHEAD)
        self.closed = False
        self.registration_id: str | None = None
        self.keys_checked = False
        self._touched: datetime | None = None
        self.applies: asyncio.Queue[Apply] = asyncio.Queue()
        self._applier: asyncio.Task[None] | None = None
        self.context = BridgeContext(
            bus=hub.bus,
            compose=session.compose,
            now=now,
            upload_url=hub.config.upload_url,
            max_upload_bytes=hub.max_upload_bytes,
            dispatch_slots=hub.dispatch_slots,
        )

    # -- the socket ---------------------------------------------------------------------

    async def run(self, subprotocol: str | None) -> None:
        """Serve the socket until it closes; afterwards keep ticking for the grace period."""
        async with self.lock:
            await self.carry_out(self.session.start(subprotocol, self.now()))
        ticker = asyncio.create_task(self._tick_forever(), name="plugin-session-tick")
        self.hub.track(ticker)
        reader = asyncio.create_task(self._read(), name="plugin-socket-read")
        try:
            while not self.closed:
                arrived = await self.inbox.get()
                if arrived is None:
                    break
                frame, at = arrived
                if self.applies.qsize() >= APPLY_AHEAD:
                    await self._applied()  # backpressure: reading waits for the domain
                async with self.lock:
                    now = max(at, self.session.heartbeat.last_seen)
                    await self.carry_out(await self.session.receive(frame, now))
                    await self._touch(now)
                    await self._after_ready()
                    if self.session.phase is not SessionPhase.CLOSED:
                        # Time spent applying is ours, not the plugin's silence: what it sent
                        # meanwhile waits in the socket and is read next.
                        self.session.heartbeat.seen(self.now())
        finally:
            self.closed = True
            reader.cancel()
            await self._drain()
            async with self.lock:
                await self.carry_out(self.session.connection_lost(self.now()))
            self.hub.detach(self)

    async def _read(self) -> None:
        """Read frames as they come (so the server keeps answering pings while a message is
        being applied), up to READ_AHEAD waiting frames; None when the socket closed."""
        try:
            while True:
                message = await self.socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                frame: str | bytes | None = message.get("text")
                if frame is None:
                    frame = message.get("bytes") or b""
                await self.inbox.put((frame, self.now()))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await self.inbox.put(None)

    async def _apply_in_order(self) -> None:
        """Run queued domain calls one at a time, in arrival order, outside the lock."""
        while True:
            effect = await self.applies.get()
            try:
                await self._apply_ready(effect)
            except Exception:
                log.exception("applying a plugin message failed")
            finally:
                self.applies.task_done()

    async def _apply_ready(self, effect: Apply) -> None:
        command = effect.command
        if isinstance(command, c.CommandAcknowledged):
            await self._quietly(bindings.command_acknowledged(command))
            return
        if isinstance(command, c.RecordGoodbye | c.CommandRefused | c.Authenticate | c.Register):
            return
        assert effect.message_id is not None
        result = await bindings.apply(command, self.context)
        if isinstance(command, c.RecordStatus | c.ReportProgress) and isinstance(result, Applied):
            self._touched = self.now()  # the report wrote the last-seen time with its values
        async with self.lock:
            await self.carry_out(await self.session.applied(effect.message_id, result, self.now()))

    async def _applied(self) -> None:
        """Wait until every queued command is applied (or the applier was stopped)."""
        applier = self._applier
        if applier is None or applier.done():
            return
        joined = asyncio.ensure_future(self.applies.join())
        try:
            await asyncio.wait([joined, applier], return_when=asyncio.FIRST_COMPLETED)
        finally:
            joined.cancel()

    async def _drain(self) -> None:
        """Let the commands already accepted finish (their answers are stored), then stop."""
        if self._applier is None:
            return
        await self._applied()
        self._applier.cancel()

    async def _tick_forever(self) -> None:
        interval = self.hub.tick_interval_s
        while True:
            await asyncio.sleep(interval)
            if not self.inbox.empty():
                continue  # what the plugin sent is still to be handled: it is not silent
            async with self.lock:
                await self.carry_out(self.session.tick(self.now()))
            session = self.session
            if session.phase is SessionPhase.CLOSED and (
                session.observatory_id is None or session.heartbeat.interrupted
            ):
                return

    async def _touch(self, now: datetime) -> None:
        observatory = self.session.observatory_id
        if observatory is None:
            return
        # A third of the timeout: the lost-link sweep (other replicas, restarts) reads it.
        every = timedelta(seconds=self.hub.config.heartbeat_timeout_s / 3)
        if self._touched is None or now - self._touched >= every:
            self._touched = now
            await touch_live_status(PydanticObjectId(observatory), now)

    async def _after_ready(self) -> None:
        """Once ready: deliver a rotated key that waited while the plugin was offline."""
        if self.keys_checked or self.session.phase is not SessionPhase.READY:
            return
        self.keys_checked = True
        assert self.session.observatory_id is not None
        command = await self.hub.rotated_key_for(self.session.observatory_id)
        if command is not None:
            await self.carry_out(await self.session.push(command, self.now()))

    async def push(self, command: m.ServerCommand) -> None:
        async with self.lock:
            if self.session.phase is not SessionPhase.CLOSED:
                await self.carry_out(await self.session.push(command, self.now()))

    async def replaced(self) -> None:
        async with self.lock:
            await self.carry_out(self.session.replaced(self.now()))

    async def refuse(self, outcome: AuthRefused) -> None:
        """A pending registration was rejected: nack the hello and close."""
        async with self.lock:
            await self.carry_out(self.session.registration_rejected(outcome, self.now()))

    # -- effects ------------------------------------------------------------------------

    async def carry_out(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Send):
                await self._send(effect.message)
            elif isinstance(effect, Close):
                await self._close(effect)
            elif isinstance(effect, Apply):
                await self._apply(effect)
            elif isinstance(effect, MarkOffline):
                await mark_offline(
                    effect.observatory_id,
                    self.session.session_id,
                    effect.last_seen,
                    effect.reason,
                    self.hub.bus,
                )
            elif isinstance(effect, InterruptForLostHeartbeat):
                grace = timedelta(seconds=self.hub.config.offline_grace_s)
                await interrupt_lost_link(
                    effect.observatory_id, effect.offline_since, grace, self.hub.bus
                )

    async def _send(self, message: m.ServerMessage) -> None:
        if self.closed or self.socket.application_state is not WebSocketState.CONNECTED:
            return
        try:
            await self.socket.send_text(message.model_dump_json())
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.closed = True

    async def _close(self, close: Close) -> None:
        already = self.closed
        self.closed = True
        if already or self.socket.application_state is not WebSocketState.CONNECTED:
            return
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self.socket.close(int(close.code), close.reason[:120])

    async def _apply(self, effect: Apply) -> None:
        command = effect.command
        now = self.now
        ready = self.session.phase is SessionPhase.READY
        if ready and not isinstance(command, c.Authenticate | c.Register):
            if self._applier is None:
                self._applier = asyncio.create_task(self._apply_in_order(), name="plugin-apply")
                self.hub.track(self._applier)
            await self.applies.put(effect)
            return
        if isinstance(command, c.Authenticate | c.Register):
            answer = await self._hello(command)
            await self.carry_out(await self.session.hello_answered(answer, now()))
            if isinstance(answer, RegistrationPending):
                await self.hub.awaiting_approval(self, answer.registration_id)
            elif self.session.observatory_id is not None:
                await self.hub.attach(self)
            return
        if isinstance(command, c.CommandAcknowledged):
            await self._quietly(bindings.command_acknowledged(command))
            observatory = self.session.observatory_id
            if observatory is not None and self.registration_id is not None:
                self.registration_id = None
                hello_message = self.session.hello
                assert hello_message is not None
                await hello.record_connected(
                    observatory, self.session.session_id, hello_message, 0.0, self.context
                )
                await self.hub.attach(self)
            return
        if isinstance(command, c.RecordGoodbye | c.CommandRefused):
            return
        assert effect.message_id is not None
        result = await bindings.apply(command, self.context)
        await self.carry_out(await self.session.applied(effect.message_id, result, now()))

    async def _hello(self, command: c.Authenticate | c.Register) -> HelloOutcome:
        try:
            if isinstance(command, c.Authenticate):
                return await hello.authenticate(command, self.session.session_id, self.context)
            outcome, registration = await hello.register(command)
            self.registration_id = str(registration.id)
            return outcome
        except Exception:
            log.exception("hello failed")
            return AuthRefused(m.ErrorCode.INTERNAL_ERROR, "the server failed; reconnect later")

    async def _quietly(self, work: object) -> None:
        try:
            await work  # type: ignore[misc]
        except Exception:
            log.exception("handling a plugin acknowledgement failed")
