"""`PluginSession`: one plugin connection as a state machine, with no I/O of its own.

Raw text frames go in with the current time; a list of effects comes out (send this, close
with that, apply this command in the domain, mark offline, interrupt). The domain's outcomes
come back through `hello_answered` and `applied`. Durable state (answers for duplicates,
unacked server commands) lives behind the injected `DedupStore` and `Outbox` ports.

Phases: connecting -> (awaiting_approval ->) authenticated -> ready -> closed.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import JsonValue, ValidationError

from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import (
    Apply,
    Authenticated,
    AuthRefused,
    Close,
    Effect,
    HelloOutcome,
    InterruptForLostHeartbeat,
    MarkOffline,
    Outcome,
    RegistrationPending,
    Rejected,
    Send,
)
from plugin_bridge.core.flood import TokenBucket
from plugin_bridge.core.heartbeat import HeartbeatMonitor, Verdict
from plugin_bridge.core.stores import DedupStore, Outbox, StoredAnswer

E = m.ErrorCode
CC = m.CloseCode


class SessionPhase(StrEnum):
    CONNECTING = "connecting"
    AWAITING_APPROVAL = "awaiting_approval"
    AUTHENTICATED = "authenticated"
    READY = "ready"
    CLOSED = "closed"


@dataclass(frozen=True)
class SessionConfig:
    min_plugin_version: str = "1.0.0"
    server_version: str = "0.1.0"
    heartbeat_interval_s: float = 30.0
    heartbeat_timeout_s: float = 90.0
    offline_grace_s: float = 300.0
    hello_timeout_s: float = 10.0
    max_message_bytes: int = m.MAX_MESSAGE_BYTES
    flood_burst: int = 60
    flood_rate_per_s: float = 10.0
    upload_url: str = "/uploads/frames"


_REFUSAL_CLOSE: dict[m.ErrorCode, m.CloseCode] = {
    E.PLUGIN_OUTDATED: CC.PLUGIN_OUTDATED,
    E.API_KEY_REVOKED: CC.API_KEY_REVOKED,
    E.FINGERPRINT_MISMATCH: CC.FINGERPRINT_MISMATCH,
    E.REGISTRATION_REJECTED: CC.REGISTRATION_REJECTED,
    E.UNSUPPORTED_PROTOCOL: CC.UNSUPPORTED_PROTOCOL,
}

# What each phase accepts besides heartbeat, goodbye, ack and nack.
_ALLOWED: dict[SessionPhase, frozenset[str]] = {
    SessionPhase.AWAITING_APPROVAL: frozenset(),
    SessionPhase.AUTHENTICATED: frozenset({"state_report"}),
    SessionPhase.READY: frozenset(c.COMMAND_FOR_TYPE) - {"state_report"},
}
_ALWAYS = frozenset({"heartbeat", "goodbye", "ack", "nack"})

LATEST_VALUE_KINDS = frozenset({"status", "progress"})
"""Reports whose effect is "these fields now hold these values": applying one again, in the
order sent, changes nothing, so their answers are not stored durably (see the protocol's
server-side section); a session remembers the last RECENT_ANSWERS of them in memory."""
RECENT_ANSWERS = 1024


@dataclass(frozen=True)
class _Invalid:
    code: m.ErrorCode
    message: str
    correlation_id: str | None
    details: dict[str, JsonValue]
    seq: int | None


class PluginSession:
    """One plugin connection. Feed it frames and time; carry out the effects it returns."""

    def __init__(
        self,
        *,
        config: SessionConfig,
        dedup: DedupStore,
        outbox: Outbox,
        new_id: Callable[[], str],
        now: datetime,
    ) -> None:
        self.config = config
        self.dedup = dedup
        self.outbox = outbox
        self.new_id = new_id
        self.phase = SessionPhase.CONNECTING
        self.session_id = new_id()
        self.observatory_id: str | None = None
        self.opened_at = now
        self.minimum = m.PluginVersion.parse(config.min_plugin_version)
        self.heartbeat = HeartbeatMonitor(now, config.heartbeat_timeout_s, config.offline_grace_s)
        self.bucket = TokenBucket(config.flood_burst, config.flood_rate_per_s, now)
        self.last_seq_in = 0
        self.next_seq_out = 1
        self.hello: m.Hello | None = None
        self.in_flight: dict[str, m.Envelope] = {}
        self._pending_observatory: str | None = None
        self._recent_reports: OrderedDict[str, StoredAnswer] = OrderedDict()
        self._copies: dict[str, int] = {}  # in-flight message id -> copies received

    # -- building messages --------------------------------------------------------------

    def compose[T: m.Envelope](self, model: type[T], now: datetime, **fields: Any) -> T:
        """A server message with a fresh id and `ts=now`; its `seq` is set when sent.

        Fields are validated in lax mode (enum values as strings, nested models as dicts);
        ranges, patterns and unknown fields are still checked.
        """
        envelope = {"id": self.new_id(), "seq": 1, "ts": now, "type": m.type_name(model)}
        return model.model_validate(envelope | fields, strict=False)

    def _send(self, message: m.ServerMessage) -> Send:
        sent = message.model_copy(update={"seq": self.next_seq_out})
        self.next_seq_out += 1
        return Send(sent)

    def _nack(
        self,
        code: m.ErrorCode,
        text: str,
        correlation_id: str | None,
        now: datetime,
        details: dict[str, JsonValue] | None = None,
        retryable: bool | None = None,
    ) -> m.Nack:
        return self.compose(
            m.Nack,
            now,
            correlation_id=correlation_id,
            code=code,
            message=text,
            retryable=m.ERROR_CODES[code].retryable if retryable is None else retryable,
            details=details or {},
        )

    def _close(self, code: m.CloseCode, reason: str, now: datetime) -> list[Effect]:
        effects: list[Effect] = [Close(code, reason)]
        self.phase = SessionPhase.CLOSED
        if self.observatory_id is not None and self.heartbeat.lost(now):
            reason = code.name.lower()
            effects.append(MarkOffline(self.observatory_id, self.heartbeat.last_seen, reason))
        return effects

    # -- the connection -----------------------------------------------------------------

    def start(self, subprotocol: str | None, now: datetime) -> list[Effect]:
        """The handshake finished with this negotiated subprotocol (None: none in common)."""
        if subprotocol not in m.SUPPORTED_PROTOCOLS:
            return self._close(CC.UNSUPPORTED_PROTOCOL, f"offer subprotocol {m.PROTOCOL}", now)
        return []

    def connection_lost(self, now: datetime) -> list[Effect]:
        """The socket closed under us (no goodbye)."""
        if self.phase is SessionPhase.CLOSED:
            return []
        self.phase = SessionPhase.CLOSED
        if self.observatory_id is not None and self.heartbeat.lost(now):
            return [MarkOffline(self.observatory_id, self.heartbeat.last_seen, "connection_lost")]
        return []

    def replaced(self, now: datetime) -> list[Effect]:
        """A newer session authenticated for this observatory: close, never interrupt."""
        self.heartbeat.cancel()
        if self.phase is SessionPhase.CLOSED:
            return []
        self.phase = SessionPhase.CLOSED
        return [Close(CC.SESSION_REPLACED, "another connection took over this observatory")]

    def revoked(self, now: datetime) -> list[Effect]:
        """The observatory's key was revoked while connected."""
        if self.phase is SessionPhase.CLOSED:
            return []
        return self._close(CC.API_KEY_REVOKED, "the API key was revoked", now)

    def tick(self, now: datetime) -> list[Effect]:
        """Time passed: hello timeout, heartbeat timeout, and the grace after going offline.

        Keep calling it after the session closed, until it interrupts or `replaced` is
        called, so a lost link interrupts the work after the grace period.
        """
        if self.phase is SessionPhase.CONNECTING:
            waited = (now - self.opened_at).total_seconds()
            if self.hello is None and waited >= self.config.hello_timeout_s:
                return self._close(CC.HELLO_TIMEOUT, "no hello", now)
            return []
        if self.observatory_id is None:
            waiting = self.phase is SessionPhase.AWAITING_APPROVAL
            if waiting and self.heartbeat.check(now) is Verdict.OFFLINE:
                return self._close(CC.HEARTBEAT_TIMEOUT, "no heartbeat", now)
            return []
        verdict = self.heartbeat.check(now)
        if verdict is Verdict.OFFLINE and self.phase is not SessionPhase.CLOSED:
            effects: list[Effect] = [
                MarkOffline(self.observatory_id, self.heartbeat.last_seen, "heartbeat_timeout"),
                Close(CC.HEARTBEAT_TIMEOUT, "no heartbeat"),
            ]
            self.phase = SessionPhase.CLOSED
            return effects
        if verdict is Verdict.INTERRUPT:
            since = self.heartbeat.offline_since
            assert since is not None
            return [InterruptForLostHeartbeat(self.observatory_id, since)]
        return []

    # -- frames in ----------------------------------------------------------------------

    async def receive(self, frame: str | bytes, now: datetime) -> list[Effect]:
        """One WebSocket frame from the plugin."""
        if self.phase is SessionPhase.CLOSED:
            return []
        if not self.bucket.take(now):
            return self._close(CC.RATE_LIMITED, "too many messages", now)
        size = len(frame) if isinstance(frame, bytes) else len(frame.encode("utf-8", "replace"))
        if size > self.config.max_message_bytes:
            limit = self.config.max_message_bytes
            return self._close(CC.MESSAGE_TOO_BIG, f"messages are at most {limit} bytes", now)
        parsed = self._parse(frame)
        if isinstance(parsed, _Invalid):
            return self._refuse(parsed, now)
        if parsed.seq <= self.last_seq_in:
            return self._close(CC.SEQUENCE_ERROR, f"seq {parsed.seq} after {self.last_seq_in}", now)
        self.last_seq_in = parsed.seq
        self.heartbeat.seen(now)
        if self.phase is SessionPhase.CONNECTING and self.hello is None:
            if not isinstance(parsed, m.Hello):
                nack = self._nack(
                    E.UNEXPECTED_MESSAGE, "the first message is hello", parsed.id, now
                )
                return [self._send(nack), *self._close(CC.PROTOCOL_ERROR, "hello first", now)]
            return self._hello(parsed, now)
        return await self._dispatch(parsed, now)

    def _parse(self, frame: str | bytes) -> m.Envelope | _Invalid:
        try:
            text = frame.decode("utf-8") if isinstance(frame, bytes) else frame
            raw = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return _Invalid(E.MALFORMED_JSON, "not a JSON text", None, {}, None)
        if not isinstance(raw, dict):
            return _Invalid(E.MALFORMED_JSON, "not a JSON object", None, {}, None)
        raw_id = raw.get("id")
        correlation = raw_id if isinstance(raw_id, str) and _valid_id(raw_id) else None
        raw_seq = raw.get("seq")
        seq = raw_seq if type(raw_seq) is int else None
        kind = raw.get("type")
        model = m.PLUGIN_MESSAGES.get(kind) if isinstance(kind, str) else None
        if model is None:
            known = isinstance(kind, str) and kind in m.SERVER_MESSAGES
            text_ = f"{kind} is sent by the server only" if known else f"unknown type {kind!r}"
            return _Invalid(E.UNKNOWN_TYPE, text_, correlation, {"type": _jsonable(kind)}, seq)
        if kind == "hello" and raw.get("protocol") != m.PROTOCOL:
            return _Invalid(
                E.UNSUPPORTED_PROTOCOL,
                f"this server speaks {m.PROTOCOL}",
                correlation,
                {"supported": list(m.SUPPORTED_PROTOCOLS)},
                seq,
            )
        try:
            return model.model_validate_json(text)
        except ValidationError as error:
            errors: list[JsonValue] = [
                {"loc": ".".join(str(part) for part in e["loc"]), "error": e["msg"]}
                for e in error.errors(include_url=False, include_input=False)
            ]
            return _Invalid(
                E.SCHEMA_VIOLATION, f"{kind} is invalid", correlation, {"errors": errors}, seq
            )

    def _refuse(self, invalid: _Invalid, now: datetime) -> list[Effect]:
        nack = self._nack(
            invalid.code, invalid.message, invalid.correlation_id, now, invalid.details
        )
        effects: list[Effect] = [self._send(nack)]
        if invalid.code is E.UNSUPPORTED_PROTOCOL:
            return effects + self._close(CC.UNSUPPORTED_PROTOCOL, invalid.message, now)
        if self.phase is SessionPhase.CONNECTING:
            return effects + self._close(CC.PROTOCOL_ERROR, "the first message is hello", now)
        if invalid.seq is not None:
            if invalid.seq <= self.last_seq_in:
                return self._close(
                    CC.SEQUENCE_ERROR, f"seq {invalid.seq} after {self.last_seq_in}", now
                )
            self.last_seq_in = invalid.seq
        self.heartbeat.seen(now)
        return effects

    # -- hello and registration ---------------------------------------------------------

    def _hello(self, hello: m.Hello, now: datetime) -> list[Effect]:
        if self.hello is not None:
            text = "hello was already sent; wait for its answer"
            return [self._send(self._nack(E.UNEXPECTED_MESSAGE, text, hello.id, now))]
        if m.PluginVersion.parse(hello.plugin_version) < self.minimum:
            text = f"plugin {hello.plugin_version} is below the minimum {self.minimum}"
            nack = self._nack(
                E.PLUGIN_OUTDATED, text, hello.id, now, {"minimum": str(self.minimum)}
            )
            return [self._send(nack), *self._close(CC.PLUGIN_OUTDATED, text, now)]
        self.hello = hello
        offset = (now - hello.ts).total_seconds()
        if hello.api_key is not None:
            return [Apply(c.Authenticate(hello, offset), hello.id)]
        if hello.registration is not None:
            return [Apply(c.Register(hello, offset), hello.id)]
        text = "send api_key, or registration for a new observatory"
        nack = self._nack(E.AUTHENTICATION_REQUIRED, text, hello.id, now)
        return [self._send(nack), *self._close(CC.AUTHENTICATION_FAILED, text, now)]

    async def hello_answered(self, outcome: HelloOutcome, now: datetime) -> list[Effect]:
        """The domain's answer to `Authenticate` or `Register`."""
        hello = self.hello
        if hello is None or self.phase is not SessionPhase.CONNECTING:
            return []
        if isinstance(outcome, Authenticated):
            self.observatory_id = outcome.observatory_id
            self.phase = SessionPhase.AUTHENTICATED
            return [self._send(self._welcome(hello.id, now))]
        if isinstance(outcome, RegistrationPending):
            self.phase = SessionPhase.AWAITING_APPROVAL
            pending = self.compose(
                m.RegistrationPending,
                now,
                correlation_id=hello.id,
                registration_id=outcome.registration_id,
            )
            return [self._send(pending)]
        return self._refused(outcome, hello.id, now)

    def registration_rejected(self, outcome: AuthRefused, now: datetime) -> list[Effect]:
        """An admin rejected the registration this session waits on: nack the hello, close.

        Does nothing unless the session is awaiting approval.
        """
        if self.phase is not SessionPhase.AWAITING_APPROVAL or self.hello is None:
            return []
        return self._refused(outcome, self.hello.id, now)

    def _refused(self, outcome: AuthRefused, hello_id: str, now: datetime) -> list[Effect]:
        nack = self._nack(outcome.code, outcome.message, hello_id, now)
        code = _REFUSAL_CLOSE.get(outcome.code, CC.AUTHENTICATION_FAILED)
        return [self._send(nack), *self._close(code, outcome.message, now)]

    def _welcome(self, hello_id: str, now: datetime) -> m.Welcome:
        assert self.hello is not None
        assert self.observatory_id is not None
        cfg = self.config
        return self.compose(
            m.Welcome,
            now,
            correlation_id=hello_id,
            protocol=m.PROTOCOL,
            session_id=self.session_id,
            observatory_id=self.observatory_id,
            server_version=cfg.server_version,
            min_plugin_version=str(self.minimum),
            server_time=now,
            clock_offset_s=(now - self.hello.ts).total_seconds(),
            heartbeat_interval_s=cfg.heartbeat_interval_s,
            heartbeat_timeout_s=cfg.heartbeat_timeout_s,
            max_message_bytes=cfg.max_message_bytes,
            upload_url=cfg.upload_url,
        )

    # -- messages of an authenticated session -------------------------------------------

    async def _dispatch(self, message: m.Envelope, now: datetime) -> list[Effect]:
        kind = m.type_name(type(message))
        if isinstance(message, m.Heartbeat):
            return [self._send(self.compose(m.Heartbeat, now, correlation_id=message.id))]
        if isinstance(message, m.Goodbye):
            return self._goodbye(message, now)
        if isinstance(message, m.Ack | m.Nack):
            return await self._answer_to_command(message, now)
        if kind not in _ALLOWED.get(self.phase, frozenset()):
            if self.phase is SessionPhase.READY or kind in {"hello", "state_report"}:
                text = f"{kind} is not expected now"
                return [self._send(self._nack(E.UNEXPECTED_MESSAGE, text, message.id, now))]
            text = "send state_report after welcome and wait for reconciliation"
            return [self._send(self._nack(E.NOT_READY, text, message.id, now))]
        assert self.observatory_id is not None
        if kind in LATEST_VALUE_KINDS:
            stored = self._recent_reports.get(message.id)
        else:
            stored = await self.dedup.get(self.observatory_id, message.id)
        if stored is not None:
            if isinstance(message, m.StateReport):
                return await self._become_ready(stored)
            return self._replay(stored)
        if message.id in self.in_flight:
            # answered when the first copy has been applied, once per copy
            self._copies[message.id] = self._copies.get(message.id, 1) + 1
            return []
        self.in_flight[message.id] = message
        payload: Any = message
        command = c.COMMAND_FOR_TYPE[kind](self.observatory_id, payload)
        return [Apply(command, message.id)]

    def _goodbye(self, message: m.Goodbye, now: datetime) -> list[Effect]:
        effects: list[Effect] = []
        if self.observatory_id is not None:
            effects.append(Apply(c.RecordGoodbye(self.observatory_id, message), None))
            if self.heartbeat.lost(now):
                effects.append(MarkOffline(self.observatory_id, now, "goodbye"))
        self.phase = SessionPhase.CLOSED
        effects.append(Close(CC.NORMAL, "goodbye"))
        return effects

    def _replay(self, stored: StoredAnswer) -> list[Effect]:
        return [self._send(stored.answer), *(self._send(reply) for reply in stored.replies)]

    async def _answer_to_command(self, answer: m.Ack | m.Nack, now: datetime) -> list[Effect]:
        if answer.correlation_id is None:
            return []
        observatory = self.observatory_id or self._pending_observatory
        if observatory is None:
            return []
        if isinstance(answer, m.Nack) and answer.retryable:
            return []
        command = await self.outbox.acknowledge(observatory, answer.correlation_id)
        if command is None:
            return []
        if isinstance(answer, m.Nack):
            return [Apply(c.CommandRefused(observatory, command, answer), None)]
        effects: list[Effect] = [Apply(c.CommandAcknowledged(observatory, command), None)]
        if self.phase is SessionPhase.AWAITING_APPROVAL and isinstance(command, m.ApiKeyIssued):
            self.observatory_id = observatory
            self.phase = SessionPhase.AUTHENTICATED
            assert self.hello is not None
            effects.append(self._send(self._welcome(self.hello.id, now)))
        return effects

    # -- outcomes from the domain -------------------------------------------------------

    async def applied(self, message_id: str, outcome: Outcome, now: datetime) -> list[Effect]:
        """The domain applied (or refused) the message `message_id`: ack or nack it."""
        message = self.in_flight.pop(message_id, None)
        copies = self._copies.pop(message_id, 1)
        if message is None or self.observatory_id is None:
            return []
        if isinstance(outcome, Rejected):
            nack = self._nack(
                outcome.code, outcome.message, message_id, now, outcome.details, outcome.retryable
            )
            if outcome.retryable:
                closed = self.phase is SessionPhase.CLOSED
                return [] if closed else [self._send(nack) for _ in range(copies)]
            stored = StoredAnswer(nack)
        else:
            ack = self.compose(m.Ack, now, correlation_id=message_id, result=outcome.result)
            stored = StoredAnswer(ack, outcome.replies)
        if m.type_name(type(message)) in LATEST_VALUE_KINDS and not stored.replies:
            self._remember_report(message_id, stored)
            closed = self.phase is SessionPhase.CLOSED
            return [] if closed else [e for _ in range(copies) for e in self._replay(stored)]
        stored = await self.dedup.put(self.observatory_id, message_id, stored)
        for reply in stored.replies:
            if m.is_command(reply):
                await self.outbox.add(self.observatory_id, reply)  # type: ignore[arg-type]
        if self.phase is SessionPhase.CLOSED:
            return []
        if isinstance(message, m.StateReport) and self.phase is SessionPhase.AUTHENTICATED:
            return await self._become_ready(stored)
        return [effect for _ in range(copies) for effect in self._replay(stored)]

    def _remember_report(self, message_id: str, answer: StoredAnswer) -> None:
        self._recent_reports[message_id] = answer
        while len(self._recent_reports) > RECENT_ANSWERS:
            self._recent_reports.popitem(last=False)

    async def _become_ready(self, stored: StoredAnswer) -> list[Effect]:
        """Answer the state report, then resend the unacked commands in their order."""
        assert self.observatory_id is not None
        effects = self._replay(stored)
        self.phase = SessionPhase.READY
        already = {reply.id for reply in stored.replies}
        for command in await self.outbox.pending(self.observatory_id):
            if command.id not in already:
                effects.append(self._send(command))
        return effects

    # -- server-initiated commands ------------------------------------------------------

    async def push(self, command: m.ServerCommand, now: datetime) -> list[Effect]:
        """A command the server starts (abort, key rotation, calibration order, approval).

        It is kept in the outbox until the plugin acks it, and sent now when the session can
        take it (ready; or any authenticated phase for a new API key).
        """
        if isinstance(command, m.ApiKeyIssued) and self.phase is SessionPhase.AWAITING_APPROVAL:
            self._pending_observatory = command.observatory_id
            await self.outbox.add(command.observatory_id, command)
            return [self._send(command)]
        if self.observatory_id is None:
            raise RuntimeError("push needs an authenticated session")
        await self.outbox.add(self.observatory_id, command)
        sendable = self.phase is SessionPhase.READY or (
            isinstance(command, m.ApiKeyIssued) and self.phase is SessionPhase.AUTHENTICATED
        )
        return [self._send(command)] if sendable else []


def _valid_id(value: str) -> bool:
    return 1 <= len(value) <= 64 and all(
        ch.isascii() and (ch.isalnum() or ch in "._:-") for ch in value
    )


def _jsonable(value: object) -> JsonValue:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
