"""A small test-only plugin client over a real WebSocket: numbers, stamps and reads frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = "ss-plugin.v1"
FINGERPRINT = "sha256:" + "ab" * 32


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class PluginClient:
    """One connection of a plugin. `inbox` holds what the server sent, in order."""

    def __init__(self, url: str, api_key: str | None, fingerprint: str = FINGERPRINT) -> None:
        self.url = url
        self.api_key = api_key
        self.fingerprint = fingerprint
        self.seq = 0
        self.socket: ClientConnection | None = None
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.received: list[dict[str, Any]] = []
        self.welcome: dict[str, Any] | None = None
        self._reader: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = asyncio.Event()

    async def connect(self, subprotocols: list[str] | None = None) -> None:
        offered = [
            Subprotocol(p) for p in (subprotocols if subprotocols is not None else [PROTOCOL])
        ]
        self.socket = await websockets.connect(
            self.url, subprotocols=offered or None, max_size=None, open_timeout=10
        )
        self.seq = 0
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        try:
            async for raw in self.socket:
                message = json.loads(raw)
                self.received.append(message)
                await self.inbox.put(message)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.socket.close_code
            self.close_reason = self.socket.close_reason or ""
            self.closed.set()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def drop(self) -> None:
        """Cut the TCP connection without a closing handshake (a lost link)."""
        assert self.socket is not None
        self.socket.transport.abort()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # -- sending ------------------------------------------------------------------------

    def frame(
        self, kind: str, *, id: str | None = None, ts: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        self.seq += 1
        return {
            "id": id or uuid.uuid4().hex,
            "seq": self.seq,
            "type": kind,
            "ts": ts or now_iso(),
            **fields,
        }

    async def send(self, kind: str, *, id: str | None = None, **fields: Any) -> str:
        message = self.frame(kind, id=id, **fields)
        await self.send_raw(json.dumps(message))
        return str(message["id"])

    async def send_message(self, message: dict[str, Any]) -> None:
        """Send a message built earlier (a resend keeps its id and ts, gets a new seq)."""
        self.seq += 1
        await self.send_raw(json.dumps({**message, "seq": self.seq}))

    async def send_raw(self, text: str | bytes) -> None:
        assert self.socket is not None
        await self.socket.send(text)

    # -- receiving ----------------------------------------------------------------------

    async def next(self, within_s: float = 10.0) -> dict[str, Any]:
        """The next message; Closed when the socket closed and nothing is left to read."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while True:
            if not self.inbox.empty():
                return self.inbox.get_nowait()
            if self.closed.is_set():
                raise Closed(self.close_code, self.close_reason)
            if loop.time() >= deadline:
                raise TimeoutError(f"nothing arrived within {within_s} s")
            await asyncio.sleep(0.01)

    async def expect(
        self, kind: str, correlation_id: str | None = None, within_s: float = 10.0
    ) -> dict[str, Any]:
        """The next message of `kind` (answering to `correlation_id`); others are skipped."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while True:
            message = await self.next(max(0.0, deadline - loop.time()))
            if message["type"] == kind and (
                correlation_id is None or message.get("correlation_id") == correlation_id
            ):
                return message

    async def wait_closed(self, within_s: float = 10.0) -> int | None:
        await asyncio.wait_for(self.closed.wait(), within_s)
        return self.close_code

    # -- conversations ------------------------------------------------------------------

    async def hello(self, **fields: Any) -> dict[str, Any]:
        """Send hello; the answer (welcome, registration_pending or nack)."""
        body: dict[str, Any] = {
            "protocol": PROTOCOL,
            "plugin_version": "1.4.0",
            "fingerprint": self.fingerprint,
        }
        if self.api_key is not None:
            body["api_key"] = self.api_key
        hello_id = await self.send("hello", **(body | fields))
        while True:
            answer = await self.next()
            if answer.get("correlation_id") == hello_id:
                if answer["type"] == "welcome":
                    self.welcome = answer
                return answer

    async def report(self, assignment_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Send state_report; return the reconciliation."""
        report_id = await self.send("state_report", assignment_id=assignment_id, **fields)
        await self.expect("ack", report_id)
        return await self.expect("reconciliation", report_id)

    async def start(self, assignment_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Connect, hello, state_report: a ready session; returns the reconciliation."""
        await self.connect()
        welcome = await self.hello()
        assert welcome["type"] == "welcome", welcome
        return await self.report(assignment_id, **fields)

    async def call(self, kind: str, *, id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Send an acked message; return its ack or nack."""
        message_id = await self.send(kind, id=id, **fields)
        while True:
            answer = await self.next()
            if answer.get("correlation_id") == message_id and answer["type"] in ("ack", "nack"):
                return answer

    async def ack(self, command: dict[str, Any]) -> None:
        await self.send("ack", correlation_id=command["id"])
