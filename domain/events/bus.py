"""The event bus: Redis pub/sub between processes, fanned out to local subscribers.

Each process holds one pattern subscription on Redis and hands every event to its local
subscribers whose topic and filter match, so any number of API replicas can serve
subscriptions. Events are live notifications: authoritative state lives in MongoDB, and an
event published while a replica is disconnected from Redis is not replayed to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from domain.events.event import DomainEvent

log = logging.getLogger(__name__)

EventFilter = Callable[[DomainEvent], bool]

CHANNEL_PREFIX = "ss:events:"
_RECONNECT_DELAY_S = 0.5


class SubscriberTooSlow(Exception):
    """The subscriber fell behind by more than its queue holds; it must resubscribe."""


@dataclass(eq=False)
class _Subscriber:
    topics: frozenset[str]
    accepts: EventFilter | None
    queue: asyncio.Queue[DomainEvent]
    overflowed: bool = False

    def offer(self, event: DomainEvent) -> None:
        if event.topic not in self.topics or self.overflowed:
            return
        if self.accepts is not None and not self.accepts(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


@dataclass
class EventBus:
    """Publish domain events and subscribe to them with a topic set and a filter."""

    redis: Redis
    max_queue: int = 1000
    _subscribers: set[_Subscriber] = field(default_factory=set)
    _listener: asyncio.Task[None] | None = None
    _listening: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, event: DomainEvent) -> None:
        await self.redis.publish(CHANNEL_PREFIX + event.topic, event.to_json())

    async def subscribe(
        self, topics: Iterable[str], accepts: EventFilter | None = None
    ) -> AsyncIterator[DomainEvent]:
        """Yield matching events until the consumer stops iterating.

        Raises SubscriberTooSlow when the consumer lets `max_queue` events pile up.
        """
        subscriber = _Subscriber(frozenset(topics), accepts, asyncio.Queue(self.max_queue))
        self._subscribers.add(subscriber)
        self._ensure_listener()
        try:
            await self._listening.wait()
            while True:
                if subscriber.overflowed and subscriber.queue.empty():
                    raise SubscriberTooSlow(f"more than {self.max_queue} events behind")
                yield await subscriber.queue.get()
        finally:
            self._subscribers.discard(subscriber)

    async def wait_listening(self) -> None:
        """Return once this process receives events from Redis (used at start and in tests)."""
        self._ensure_listener()
        await self._listening.wait()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(), name="event-bus-listener")

    async def _listen(self) -> None:
        while True:
            try:
                await self._relay_until_disconnected()
            except (RedisConnectionError, RedisTimeoutError, OSError) as error:
                self._listening.clear()
                log.warning("event bus lost Redis (%s); reconnecting", error)
                await asyncio.sleep(_RECONNECT_DELAY_S)

    async def _relay_until_disconnected(self) -> None:
        async with self.redis.pubsub() as pubsub:
            await pubsub.psubscribe(CHANNEL_PREFIX + "*")
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is None:
                    continue
                if message["type"] == "psubscribe":
                    self._listening.set()  # Redis confirmed: from now on nothing is missed
                    continue
                if message["type"] != "pmessage":
                    continue
                try:
                    event = DomainEvent.from_json(message["data"])
                except (ValueError, KeyError, TypeError):
                    log.warning("dropped a malformed event on %s", message["channel"])
                    continue
                for subscriber in tuple(self._subscribers):
                    subscriber.offer(event)
