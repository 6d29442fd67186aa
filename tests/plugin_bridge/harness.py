"""A plugin-side driver for `PluginSession`: builds frames, numbers them, and keeps time."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from plugin_bridge import messages as m
from plugin_bridge.core.effects import Effect, Send
from plugin_bridge.core.session import PluginSession, SessionConfig
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox

T0 = datetime(2026, 11, 24, 22, 0, 0, tzinfo=UTC)
API_KEY = "sso_3f9a1c2e4b5d6f708192a3b4"
FINGERPRINT = "sha256:" + "ab" * 32
OBSERVATORY = "obs-7"


def counter(prefix: str) -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers):04d}"


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


class Plugin:
    """Numbers and stamps the frames a plugin sends on one connection."""

    def __init__(self, new_id: Callable[[], str]) -> None:
        self.new_id = new_id
        self.seq = 0

    def frame(
        self, kind: str, at: datetime, *, id: str | None = None, **fields: Any
    ) -> tuple[str, str]:
        """The JSON text of a message and its id."""
        self.seq += 1
        message_id = id or self.new_id()
        body = {"id": message_id, "seq": self.seq, "type": kind, "ts": iso(at), **fields}
        return json.dumps(body), message_id

    def hello(self, at: datetime, **fields: Any) -> tuple[str, str]:
        defaults: dict[str, Any] = {
            "protocol": m.PROTOCOL,
            "plugin_version": "1.4.0",
            "api_key": API_KEY,
            "fingerprint": FINGERPRINT,
        }
        return self.frame("hello", at, **(defaults | fields))


def new_session(
    dedup: MemoryDedupStore | None = None,
    outbox: MemoryOutbox | None = None,
    *,
    now: datetime = T0,
    config: SessionConfig | None = None,
    server_ids: Callable[[], str] | None = None,
) -> PluginSession:
    return PluginSession(
        config=config or SessionConfig(min_plugin_version="1.2.0"),
        dedup=dedup or MemoryDedupStore(),
        outbox=outbox or MemoryOutbox(),
        new_id=server_ids or counter("srv"),
        now=now,
    )


def sent(effects: list[Effect]) -> list[dict[str, Any]]:
    """The messages the effects send, as the JSON the plugin receives."""
    return [
        json.loads(effect.message.model_dump_json())
        for effect in effects
        if isinstance(effect, Send)
    ]


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def ready(
    session: PluginSession, plugin: Plugin, at: datetime = T0, assignment_id: str | None = None
) -> list[Effect]:
    """Take a fresh session through hello, welcome, state_report and reconciliation."""
    from plugin_bridge.core.effects import Applied, Authenticated

    text, _ = plugin.hello(at)
    await session.receive(text, at)
    await session.hello_answered(Authenticated(OBSERVATORY), at)
    text, report_id = plugin.frame("state_report", at, assignment_id=assignment_id)
    await session.receive(text, at)
    reconciliation = session.compose(
        m.Reconciliation,
        at,
        correlation_id=report_id,
        decision=m.DecisionKind.IDLE if assignment_id is None else m.DecisionKind.CONTINUE,
        assignment_id=assignment_id,
        observation_state=None,
        reason="no assignment on either side",
    )
    return await session.applied(report_id, Applied(replies=(reconciliation,)), at)
