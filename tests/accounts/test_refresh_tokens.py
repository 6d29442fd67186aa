"""Refresh tokens: single-use rotation, theft detection, sign-out and password change."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from pymongo.database import Database

from tests.accounts.conftest import login
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import graphql_http

REFRESH = """mutation ($refreshToken: String!) {
  refreshToken(input: {refreshToken: $refreshToken}) {
    __typename
    ... on LoginSuccess { accessToken refreshToken expiresIn user { email } }
    ... on InvalidToken { message }
  }
}"""
LOGOUT = """mutation ($refreshToken: String!) {
  logout(input: {refreshToken: $refreshToken}) {
    __typename
    ... on LoggedOut { message }
    ... on InvalidToken { message }
  }
}"""
CHANGE_PASSWORD = """mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    __typename
    ... on PasswordChanged { accessToken refreshToken user { email } }
    ... on InvalidCredentials { message }
    ... on ValidationError { fields { path message } }
  }
}"""
ME = "query { me { email } }"

INVALID = {
    "__typename": "InvalidToken",
    "message": "the refresh token is unknown, expired, revoked or already used; sign in again",
}
NEW_PASSWORD = "a much longer passphrase"


async def _refresh(server: ApiServer, token: str) -> dict[str, Any]:
    body = await graphql_http(server.base_url, REFRESH, refreshToken=token)
    result: dict[str, Any] = body["data"]["refreshToken"]
    return result


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def test_login_returns_a_refresh_token_stored_only_as_its_hash(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # when
    signed_in = await login(api_server)

    # then
    stored = list(database["refresh_tokens"].find())
    assert len(stored) == 1
    token = stored[0]
    assert token["token_hash"] == _sha256(signed_in["refreshToken"])
    assert signed_in["refreshToken"] not in str(token)
    assert token["expires_at"] - token["created_at"] == timedelta(days=7)
    assert (token["used_at"], token["revoked_at"]) == (None, None)


async def test_a_refresh_token_rotates_once(api_server: ApiServer) -> None:
    # given
    first = (await login(api_server))["refreshToken"]

    # when
    rotated = await _refresh(api_server, first)
    again = await _refresh(api_server, rotated["refreshToken"])

    # then
    assert rotated["__typename"] == "LoginSuccess"
    assert rotated["expiresIn"] == 900
    assert rotated["user"] == {"email": ADMIN_EMAIL}
    assert rotated["refreshToken"] != first
    me = await graphql_http(api_server.base_url, ME, token=rotated["accessToken"])
    assert me == {"data": {"me": {"email": ADMIN_EMAIL}}}
    assert again["__typename"] == "LoginSuccess"


async def test_reusing_a_used_refresh_token_revokes_the_whole_family(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given: the legitimate client rotated once; a thief replays the first token
    first = (await login(api_server))["refreshToken"]
    other_session = (await login(api_server))["refreshToken"]
    newer = (await _refresh(api_server, first))["refreshToken"]

    # when
    replayed = await _refresh(api_server, first)
    newer_afterwards = await _refresh(api_server, newer)

    # then
    assert replayed == INVALID
    assert newer_afterwards == INVALID
    family = database["refresh_tokens"].find_one({"token_hash": _sha256(first)})
    assert family is not None
    members = list(database["refresh_tokens"].find({"family_id": family["family_id"]}))
    assert len(members) == 2
    assert all(member["revoked_at"] is not None for member in members)
    assert (await _refresh(api_server, other_session))["__typename"] == "LoginSuccess"


async def test_logout_ends_refreshing(api_server: ApiServer) -> None:
    # given
    token = (await login(api_server))["refreshToken"]

    # when
    body = await graphql_http(api_server.base_url, LOGOUT, refreshToken=token)

    # then
    assert body["data"]["logout"] == {
        "__typename": "LoggedOut",
        "message": "signed out: the refresh token and its successors are revoked",
    }
    assert await _refresh(api_server, token) == INVALID


async def test_logout_with_an_unknown_token_is_a_typed_answer(api_server: ApiServer) -> None:
    # when
    body = await graphql_http(api_server.base_url, LOGOUT, refreshToken="made-up")

    # then
    assert body["data"]["logout"] == INVALID


async def test_a_password_change_ends_every_session_and_the_old_password(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given: two sessions
    first = await login(api_server)
    second = await login(api_server)

    # when
    body = await graphql_http(
        api_server.base_url,
        CHANGE_PASSWORD,
        token=first["accessToken"],
        current=ADMIN_PASSWORD,
        new=NEW_PASSWORD,
    )

    # then
    changed = body["data"]["changePassword"]
    assert changed["__typename"] == "PasswordChanged"
    assert changed["user"] == {"email": ADMIN_EMAIL}
    live = list(database["refresh_tokens"].find({"revoked_at": None}))
    assert [token["token_hash"] for token in live] == [_sha256(changed["refreshToken"])]
    assert await _refresh(api_server, first["refreshToken"]) == INVALID
    assert await _refresh(api_server, second["refreshToken"]) == INVALID
    assert (await _refresh(api_server, changed["refreshToken"]))["__typename"] == "LoginSuccess"
    assert (await login(api_server))["__typename"] == "InvalidCredentials"
    assert (await login(api_server, password=NEW_PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_wrong_current_password_changes_nothing(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    signed_in = await login(api_server)
    before = database["users"].find_one({"email": ADMIN_EMAIL})

    # when
    wrong = await graphql_http(
        api_server.base_url,
        CHANGE_PASSWORD,
        token=signed_in["accessToken"],
        current="not my password",
        new=NEW_PASSWORD,
    )
    short = await graphql_http(
        api_server.base_url,
        CHANGE_PASSWORD,
        token=signed_in["accessToken"],
        current=ADMIN_PASSWORD,
        new="short",
    )

    # then
    assert wrong["data"]["changePassword"] == {
        "__typename": "InvalidCredentials",
        "message": "the current password is wrong",
    }
    assert short["data"]["changePassword"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["newPassword"], "message": "must be at least 8 characters"}],
    }
    assert database["users"].find_one({"email": ADMIN_EMAIL}) == before
    assert (await _refresh(api_server, signed_in["refreshToken"]))["__typename"] == "LoginSuccess"
