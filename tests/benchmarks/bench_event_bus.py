"""Event bus: publish -> receive latency with 100 subscribers, through a real Valkey on loopback.

Run: .venv/bin/python tests/benchmarks/bench_event_bus.py
The publisher and the subscribers use separate Redis connections (as two API replicas would);
each event is timed from just before PUBLISH to its arrival at each of the 100 subscribers.
Target (issue 2): p99 < 20 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from redis.asyncio import Redis

from domain.events import DomainEvent, EventBus
from tests.engines import running_valkey

SUBSCRIBERS = 100
EVENTS = 500
INTERVAL_S = 0.005


async def measure(url: str) -> list[float]:
    publisher_redis, listener_redis = Redis.from_url(url), Redis.from_url(url)
    publisher, listener = EventBus(publisher_redis), EventBus(listener_redis, max_queue=EVENTS)
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def subscriber() -> None:
        received = 0
        async for event in listener.subscribe({"bench"}):
            latencies.append(time.perf_counter() - sent_at[event.id])
            received += 1
            if received == EVENTS:
                return

    tasks = [asyncio.create_task(subscriber()) for _ in range(SUBSCRIBERS)]
    await listener.wait_listening()
    await asyncio.sleep(0.2)
    for n in range(EVENTS):
        event = DomainEvent("bench", "tick", {"n": n})
        sent_at[event.id] = time.perf_counter()
        await publisher.publish(event)
        await asyncio.sleep(INTERVAL_S)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    await listener.close()
    await publisher_redis.aclose()
    await listener_redis.aclose()
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_valkey(Path(tmp)) as valkey:
        latencies = asyncio.run(measure(valkey.url))
    ms = sorted(x * 1000 for x in latencies)
    p50 = statistics.median(ms)
    p99 = ms[int(len(ms) * 0.99) - 1]
    print(f"event bus, {SUBSCRIBERS} subscribers x {EVENTS} events ({len(ms)} deliveries)")
    print(f"  p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   max {ms[-1]:7.2f} ms   target p99 < 20 ms")
    print(f"  p99 / target = {p99 / 20:.2f}")


if __name__ == "__main__":
    main()
