"""The event bus carries events between processes through Redis, filtered per subscriber."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from domain.events import DomainEvent, EventBus, SubscriberTooSlow
from tests.engines import Engine


@pytest.fixture
async def two_buses(
    clean_engines: None, valkey_engine: Engine
) -> AsyncIterator[tuple[EventBus, EventBus]]:
    """Two buses with their own connections, as two API replicas would have."""
    first, second = Redis.from_url(valkey_engine.url), Redis.from_url(valkey_engine.url)
    buses = EventBus(first), EventBus(second)
    yield buses
    for bus in buses:
        await bus.close()
    await first.aclose()
    await second.aclose()


async def _collect(stream: AsyncIterator[DomainEvent], count: int) -> list[DomainEvent]:
    received: list[DomainEvent] = []
    async for event in stream:
        received.append(event)
        if len(received) == count:
            break
    return received


async def test_an_event_published_on_one_bus_reaches_a_subscriber_of_another(
    two_buses: tuple[EventBus, EventBus],
) -> None:
    # given
    publisher, listener = two_buses
    stream = listener.subscribe({"observation"})
    receiving = asyncio.create_task(_collect(stream, 1))
    await listener.wait_listening()
    event = DomainEvent("observation", "state_changed", {"to": "pending"}, organization_id="org-1")

    # when
    await publisher.publish(event)

    # then
    (received,) = await asyncio.wait_for(receiving, timeout=5)
    assert received == event


async def test_subscribers_get_only_their_topics_and_what_their_filter_accepts(
    two_buses: tuple[EventBus, EventBus],
) -> None:
    # given
    publisher, listener = two_buses
    org_a_only = listener.subscribe({"observation"}, accepts=lambda e: e.organization_id == "a")
    receiving = asyncio.create_task(_collect(org_a_only, 2))
    await listener.wait_listening()

    # when
    await publisher.publish(DomainEvent("observation", "created", {"n": 1}, organization_id="b"))
    await publisher.publish(DomainEvent("frame", "created", {"n": 2}, organization_id="a"))
    await publisher.publish(DomainEvent("observation", "created", {"n": 3}, organization_id="a"))
    await publisher.publish(DomainEvent("observation", "created", {"n": 4}, organization_id="a"))

    # then
    received = await asyncio.wait_for(receiving, timeout=5)
    assert [event.payload["n"] for event in received] == [3, 4]


async def test_a_subscriber_that_falls_behind_is_told_instead_of_silently_missing_events(
    clean_engines: None, valkey_engine: Engine
) -> None:
    # given
    redis = Redis.from_url(valkey_engine.url)
    bus = EventBus(redis, max_queue=3)
    stream = bus.subscribe({"system"})
    first = asyncio.create_task(anext(stream))
    await bus.wait_listening()
    for n in range(10):
        await bus.publish(DomainEvent("system", "tick", {"n": n}))
    await asyncio.wait_for(first, timeout=5)
    await asyncio.sleep(0.2)

    # when
    async def drain() -> None:
        for _ in range(10):
            await asyncio.wait_for(anext(stream), timeout=5)

    # then
    with pytest.raises(SubscriberTooSlow):
        await drain()
    await bus.close()
    await redis.aclose()
