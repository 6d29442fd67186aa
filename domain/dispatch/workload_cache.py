"""In-process cache of the pending observations, kept current by observation events.

Reading 10,000 pending observations costs seconds on the embedded engine (mongoeco scans and
decodes every document), far more than the decision itself. So each process keeps the raw
rows of every pending observation and follows ``observation`` events on the event bus (every
state change and every creation publishes one, from any process): changed observations are
re-read by id before the next decision. A full re-read happens at the first use, after the
subscription fell behind, and every ``FULL_REFRESH_S`` as a safety net for writes that
publish no event (frame progress, edits). A stale row can never cause a double assignment:
the claim is conditional on the state, and a lost claim only moves on to the next candidate.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Mapping
from typing import Any

from beanie import PydanticObjectId

from domain.events import EventBus
from domain.events.bus import SubscriberTooSlow
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import Observation
from domain.observations.states import ObservationState

FULL_REFRESH_S = 60.0
_ONE_BY_ONE = 20

FIELDS = {
    "_id": 1,
    "state": 1,
    "eligible_observatory_ids": 1,
    "project_id": 1,
    "organization_id": 1,
    "type": 1,
    "priority": 1,
    "created_at": 1,
    "targets": 1,
    "constraints": 1,
    "type_settings": 1,
}

Row = Mapping[str, Any]


class PendingRows:
    """The raw rows of every pending observation (see the module docstring)."""

    def __init__(self, full_refresh_s: float = FULL_REFRESH_S) -> None:
        self._full_refresh_s = full_refresh_s
        self._rows: dict[PydanticObjectId, Row] = {}
        self._dirty: set[PydanticObjectId] = set()
        self._loaded_at = -math.inf
        self._stale = True
        self._bus: EventBus | None = None
        self._follower: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.memo: dict[int, Any] = {}
        """Derived values per row, for the caller (keyed by ``id(row)``, row kept alive)."""

    async def rows(self, bus: EventBus) -> list[Row]:
        """Every pending observation's row, current as of the events received."""
        async with self._lock:
            if bus is not self._bus or self._follower is None or self._follower.done():
                await self._follow(bus)
            if self._stale or time.monotonic() - self._loaded_at > self._full_refresh_s:
                await self._load_all()
            elif self._dirty:
                await self._reload_dirty()
            return list(self._rows.values())

    def forget(self, observation_id: PydanticObjectId) -> None:
        """This process just moved the observation out of pending."""
        self._rows.pop(observation_id, None)

    async def _follow(self, bus: EventBus) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        self._bus, self._stale = bus, True
        self._follower = asyncio.create_task(self._listen(bus), name="pending-rows-follower")
        await bus.wait_listening()
        for _ in range(3):  # let the follower register its subscription before reading
            await asyncio.sleep(0)

    async def _listen(self, bus: EventBus) -> None:
        try:
            async for event in bus.subscribe({OBSERVATION_TOPIC}):
                raw = event.payload.get("observation_id")
                if isinstance(raw, str) and PydanticObjectId.is_valid(raw):
                    self._dirty.add(PydanticObjectId(raw))
        except SubscriberTooSlow:
            self._stale = True  # the next use resubscribes and reads everything again

    async def _load_all(self) -> None:
        self._dirty.clear()  # events arriving during the read mark their rows again
        collection = Observation.get_pymongo_collection()
        cursor = collection.find({"state": ObservationState.PENDING.value}, FIELDS)
        self._rows = {PydanticObjectId(row["_id"]): row async for row in cursor}
        self._loaded_at, self._stale = time.monotonic(), False

    async def _reload_dirty(self) -> None:
        ids = list(self._dirty)
        self._dirty.clear()
        collection = Observation.get_pymongo_collection()
        found: dict[PydanticObjectId, Row] = {}
        if len(ids) <= _ONE_BY_ONE:  # the embedded engine answers `_id` equality fastest
            for observation_id in ids:
                row = await collection.find_one({"_id": observation_id}, FIELDS)
                if row is not None:
                    found[observation_id] = row
        else:
            async for row in collection.find({"_id": {"$in": ids}}, FIELDS):
                found[PydanticObjectId(row["_id"])] = row
        for observation_id in ids:
            row = found.get(observation_id)
            if row is None or row.get("state") != ObservationState.PENDING.value:
                self._rows.pop(observation_id, None)
            else:
                self._rows[observation_id] = row


PENDING_ROWS = PendingRows()
"""The process-wide cache."""
