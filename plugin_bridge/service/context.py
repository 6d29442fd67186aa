"""What the bindings need from the process: the event bus, limits, a message composer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.events import EventBus
from plugin_bridge import messages as m


class Composer(Protocol):
    def __call__[T: m.Envelope](self, model: type[T], now: datetime, **fields: Any) -> T: ...


@dataclass(frozen=True)
class BridgeContext:
    bus: EventBus
    compose: Composer
    now: Callable[[], datetime]
    # Dispatch computes ephemerides in threads; a few at a time keep the event loop (and so
    # every other observatory's session) responsive during a burst of requests.
    dispatch_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    upload_url: str = "/uploads/frames"
    max_upload_bytes: int = 2 * 1024**3
