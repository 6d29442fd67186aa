"""A token bucket per session: a burst of `capacity` messages, refilled at `rate_per_s`."""

from __future__ import annotations

from datetime import datetime


class TokenBucket:
    def __init__(self, capacity: float, rate_per_s: float, now: datetime) -> None:
        self.capacity = capacity
        self.rate_per_s = rate_per_s
        self.tokens = capacity
        self.updated = now

    def take(self, now: datetime) -> bool:
        """Spend one token; False when the bucket is empty (the message is a flood)."""
        elapsed = max(0.0, (now - self.updated).total_seconds())
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate_per_s)
        self.updated = max(self.updated, now)
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True
