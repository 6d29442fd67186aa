"""Login throttling per account and per client address, also across aliases in one request."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.database import Database
from redis import Redis

from tests.accounts.conftest import login
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.engines import Engine
from tests.graphql_client import graphql_http

WRONG = {
    "__typename": "InvalidCredentials",
    "message": "wrong email or password, or the account is disabled",
}


def _aliased_logins(emails: list[str], password: str) -> str:
    """One mutation document with an aliased `login` per email (a0, a1, ...)."""
    fields = "\n".join(
        f'  a{i}: login(input: {{email: "{email}", password: "{password}"}}) {{'
        " __typename ... on TooManyAttempts { retryAfterSeconds } }"
        for i, email in enumerate(emails)
    )
    return f"mutation {{\n{fields}\n}}"


def _kinds(body: dict[str, Any]) -> list[str]:
    return [result["__typename"] for result in body["data"].values()]


def _throttle_keys(valkey_engine: Engine) -> list[bytes]:
    with Redis.from_url(valkey_engine.url) as redis:
        return sorted(redis.scan_iter("login-throttle:*"))


async def test_the_eleventh_attempt_is_refused_even_with_the_right_password(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    failures = [await login(api_server, password=f"guess {n}") for n in range(10)]

    # when
    eleventh = await login(api_server, password=ADMIN_PASSWORD)

    # then
    assert failures == [WRONG] * 10
    assert eleventh["__typename"] == "TooManyAttempts"
    assert 870 <= eleventh["retryAfterSeconds"] <= 900
    assert eleventh["message"] == (
        f"too many sign-in attempts; try again in {eleventh['retryAfterSeconds']} s"
    )
    assert database["refresh_tokens"].count_documents({}) == 0


async def test_successful_logins_do_not_count_against_the_account(
    api_server: ApiServer,
) -> None:
    # given
    for n in range(9):
        await login(api_server, password=f"guess {n}")
    for _ in range(3):
        assert (await login(api_server))["__typename"] == "LoginSuccess"

    # when
    tenth_failure = await login(api_server, password="guess 9")
    after = await login(api_server)

    # then
    assert tenth_failure == WRONG
    assert after["__typename"] == "TooManyAttempts"


async def test_aliases_in_one_request_each_count(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    document = _aliased_logins([ADMIN_EMAIL] * 30, "guess")

    # when
    body = await graphql_http(api_server.base_url, document)

    # then
    assert _kinds(body) == ["InvalidCredentials"] * 10 + ["TooManyAttempts"] * 20
    assert database["refresh_tokens"].count_documents({}) == 0


async def test_parallel_requests_cannot_slip_past_the_account_limit(
    api_server: ApiServer,
) -> None:
    # when: fifteen wrong passwords at the same moment
    results = await asyncio.gather(*(login(api_server, password=f"guess {n}") for n in range(15)))

    # then
    kinds = sorted(result["__typename"] for result in results)
    assert kinds == ["InvalidCredentials"] * 10 + ["TooManyAttempts"] * 5


async def test_forty_aliases_are_refused_before_any_password_is_checked(
    api_server: ApiServer, valkey_engine: Engine
) -> None:
    # given
    document = _aliased_logins([ADMIN_EMAIL] * 40, ADMIN_PASSWORD)

    # when
    body = await graphql_http(api_server.base_url, document)

    # then
    assert body == {"data": None, "errors": [{"message": "40 aliases found. Allowed: 30"}]}
    assert _throttle_keys(valkey_engine) == []


async def test_one_address_gets_thirty_attempts_over_any_accounts(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given: 30 attempts from this address on 30 different accounts, in three requests
    thirty = [
        await graphql_http(
            api_server.base_url,
            _aliased_logins([f"user{n}@example.org" for n in range(start, start + 10)], "guess"),
        )
        for start in (0, 10, 20)
    ]

    # when: ten more in the next request, then the admin with the right password
    ten_more = await graphql_http(
        api_server.base_url,
        _aliased_logins([f"user{n}@example.org" for n in range(30, 40)], "guess"),
    )
    admin = await login(api_server)

    # then
    assert [_kinds(body) for body in thirty] == [["InvalidCredentials"] * 10] * 3
    assert _kinds(ten_more) == ["TooManyAttempts"] * 10
    assert admin["__typename"] == "TooManyAttempts"
    assert database["refresh_tokens"].count_documents({}) == 0
