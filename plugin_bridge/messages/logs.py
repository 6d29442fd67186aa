"""Log forwarding: new plugin and host log lines, with secrets already redacted."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from plugin_bridge.messages.base import Envelope, Strict


class LogEntry(Strict):
    at: AwareDatetime
    level: Literal["debug", "info", "warning", "error", "critical"]
    source: Literal["plugin", "host"]
    message: Annotated[str, StringConstraints(max_length=4000)]


class Log(Envelope):
    """Plugin -> server (acked): up to 500 log lines. API keys, passwords and tokens must be
    replaced by `[REDACTED]` before sending."""

    type: Literal["log"]
    entries: list[LogEntry] = Field(min_length=1, max_length=500)
