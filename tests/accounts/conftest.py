"""Helpers for the account tests: sign in over real HTTP and read the real database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.graphql_client import graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename
    ... on LoginSuccess { accessToken refreshToken expiresIn user { id email } }
    ... on InvalidCredentials { message }
    ... on TooManyAttempts { message retryAfterSeconds }
  }
}"""


@pytest.fixture
def database(mongo_engine: Engine) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_engine.url, tz_aware=True)
    yield client[TEST_DATABASE]
    client.close()


async def login(
    server: ApiServer, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD
) -> dict[str, Any]:
    body = await graphql_http(server.base_url, LOGIN, email=email, password=password)
    result: dict[str, Any] = body["data"]["login"]
    return result
