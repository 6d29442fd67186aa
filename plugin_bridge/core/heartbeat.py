"""Heartbeat bookkeeping for one observatory link, driven by the `now` passed in.

Any message from the plugin counts as a sign of life. After `timeout_s` without one the link
is offline; `grace_s` after that the observatory's assignment is interrupted, unless a new
session for the observatory took over (`cancel`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Verdict(StrEnum):
    ALIVE = "alive"
    OFFLINE = "offline"  # just went offline: mark the observatory offline
    INTERRUPT = "interrupt"  # grace passed: interrupt its assignment
    QUIET = "quiet"  # nothing new to do


class HeartbeatMonitor:
    def __init__(self, now: datetime, timeout_s: float, grace_s: float) -> None:
        self.last_seen = now
        self.timeout = timedelta(seconds=timeout_s)
        self.grace = timedelta(seconds=grace_s)
        self.offline_since: datetime | None = None
        self.interrupted = False

    def seen(self, now: datetime) -> None:
        if self.offline_since is None:
            self.last_seen = max(self.last_seen, now)

    def lost(self, now: datetime) -> bool:
        """The link dropped now; True when this newly makes it offline."""
        if self.offline_since is not None:
            return False
        self.offline_since = now
        return True

    def cancel(self) -> None:
        """Another session serves the observatory: never interrupt for this one."""
        self.interrupted = True
        if self.offline_since is None:
            self.offline_since = self.last_seen

    def check(self, now: datetime) -> Verdict:
        if self.offline_since is None:
            if now - self.last_seen < self.timeout:
                return Verdict.ALIVE
            self.offline_since = now
            return Verdict.OFFLINE
        if not self.interrupted and now - self.offline_since >= self.grace:
            self.interrupted = True
            return Verdict.INTERRUPT
        return Verdict.QUIET
