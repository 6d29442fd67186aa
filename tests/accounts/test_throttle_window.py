"""The throttle's sliding window, on the real Redis engine with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from domain.accounts.throttle import LoginLimits, LoginThrottle, TooManyAttempts
from tests.engines import Engine

LIMITS = LoginLimits(failures_per_account=3, attempts_per_address=5, window=timedelta(seconds=60))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(clean_engines: None, valkey_engine: Engine) -> AsyncIterator[Redis]:
    client = Redis.from_url(valkey_engine.url)
    yield client
    await client.aclose()


async def _refusal(throttle: LoginThrottle, email: str, address: str) -> int | None:
    try:
        await throttle.admit(email, address)
    except TooManyAttempts as refused:
        return refused.retry_after_seconds
    return None


async def test_an_account_is_free_again_when_its_oldest_failure_leaves_the_window(
    redis: Redis,
) -> None:
    # given: failures at t = 0, 10 and 20 s
    clock = Clock()
    throttle = LoginThrottle(redis, LIMITS, clock)
    for _ in range(3):
        await throttle.admit("Ann@example.org", "10.0.0.1")
        clock.now += 10

    # when
    at_30s = await _refusal(throttle, "ann@example.org ", "10.0.0.2")
    clock.now += 30.5
    at_60_5s = await _refusal(throttle, "ann@example.org", "10.0.0.2")
    at_60_5s_again = await _refusal(throttle, "ann@example.org", "10.0.0.2")

    # then
    assert at_30s == 30
    assert at_60_5s is None
    assert at_60_5s_again == 10


async def test_a_success_is_withdrawn_from_the_account_but_not_the_address(
    redis: Redis,
) -> None:
    # given
    clock = Clock()
    throttle = LoginThrottle(redis, LIMITS, clock)
    for _ in range(5):
        await throttle.succeeded(await throttle.admit("bob@example.org", "10.0.0.1"))

    # when
    same_address = await _refusal(throttle, "bob@example.org", "10.0.0.1")
    other_address = await _refusal(throttle, "bob@example.org", "10.0.0.9")

    # then
    assert same_address == 60
    assert other_address is None


async def test_refused_attempts_are_not_counted(redis: Redis) -> None:
    # given
    clock = Clock()
    throttle = LoginThrottle(redis, LIMITS, clock)
    for _ in range(3):
        await throttle.admit("cy@example.org", "10.0.0.1")

    # when
    refusals = [await _refusal(throttle, "cy@example.org", "10.0.0.1") for _ in range(10)]
    clock.now += 60.001
    later = await _refusal(throttle, "dee@example.org", "10.0.0.1")

    # then
    assert refusals == [60] * 10
    assert later is None
