"""Forged, expired and foreign access tokens are refused and change nothing; keys on sockets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import websockets
from pymongo.database import Database

from tests.accounts.conftest import login
from tests.conftest import ApiServer
from tests.graphql_client import graphql_http
from tests.ids import database_id

CREATE_ORGANIZATION = """mutation {
  createOrganization(input: {name: "Sneaky", shortName: "sneaky"}) { __typename }
}"""
CREATE_KEY = """mutation ($organizationId: ID!) {
  createApiKey(input: {organizationId: $organizationId, name: "socket", permissions: [READ]}) {
    ... on ApiKeyCreated { secret apiKey { id } }
  }
}"""
REVOKE_KEY = "mutation ($id: ID!) { revokeApiKey(input: {id: $id}) { __typename } }"
CREATE_VEGA = """mutation {
  createOrganization(input: {name: "Vega", shortName: "vega"}) { ... on Organization { id } }
}"""


def _signing_key(engine_env: dict[str, str]) -> bytes:
    return (Path(engine_env["SCHEDULER_DATA_DIR"]) / "secret.key").read_text().strip().encode()


def _claims(user_id: str, **changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "iss": "science-scheduler",
        "aud": "science-scheduler-api",
        "iat": now,
        "exp": now + timedelta(minutes=15),
    }
    return claims | changes


@pytest.mark.parametrize(
    "forgery",
    ["alg none", "wrong key", "expired", "wrong audience", "wrong issuer", "HS512"],
)
async def test_a_bad_access_token_is_unauthenticated_and_changes_nothing(
    api_server: ApiServer,
    engine_env: dict[str, str],
    database: Database[dict[str, Any]],
    forgery: str,
) -> None:
    # given: the admin's real id, and the server's real key where the forgery needs it
    user_id = database_id((await login(api_server))["user"]["id"])
    key = _signing_key(engine_env)
    past = datetime.now(UTC) - timedelta(hours=1)
    tokens = {
        "alg none": jwt.encode(_claims(user_id), key="", algorithm="none"),
        "wrong key": jwt.encode(_claims(user_id), b"k" * 32, algorithm="HS256"),
        "expired": jwt.encode(_claims(user_id, iat=past, exp=past), key, algorithm="HS256"),
        "wrong audience": jwt.encode(_claims(user_id, aud="another-api"), key, algorithm="HS256"),
        "wrong issuer": jwt.encode(_claims(user_id, iss="someone-else"), key, algorithm="HS256"),
        "HS512": jwt.encode(_claims(user_id), key, algorithm="HS512"),
    }

    # when
    body = await graphql_http(api_server.base_url, CREATE_ORGANIZATION, token=tokens[forgery])

    # then
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert body["errors"][0]["message"] == "the access token is invalid or expired"
    assert database["organizations"].count_documents({}) == 0


async def test_a_token_signed_with_the_real_key_is_accepted(
    api_server: ApiServer, engine_env: dict[str, str]
) -> None:
    # given: the control for the forgeries above
    user_id = database_id((await login(api_server))["user"]["id"])
    token = jwt.encode(_claims(user_id), _signing_key(engine_env), algorithm="HS256")

    # when
    body = await graphql_http(api_server.base_url, CREATE_ORGANIZATION, token=token)

    # then
    assert body == {"data": {"createOrganization": {"__typename": "Organization"}}}


async def _connection_init(ws_url: str, credential: str) -> dict[str, Any]:
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {credential}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            return {"message": json.loads(await socket.recv())}
        except websockets.ConnectionClosed as closed:
            return {"closed": closed.rcvd.code if closed.rcvd else None}


async def test_an_api_key_opens_a_socket_until_it_is_revoked(api_server: ApiServer) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    vega = await graphql_http(api_server.base_url, CREATE_VEGA, token=token)
    organization_id = vega["data"]["createOrganization"]["id"]
    created = await graphql_http(
        api_server.base_url, CREATE_KEY, token=token, organizationId=organization_id
    )
    key = created["data"]["createApiKey"]

    # when
    live = await _connection_init(api_server.ws_url, key["secret"])
    await graphql_http(api_server.base_url, REVOKE_KEY, token=token, id=key["apiKey"]["id"])
    revoked = await _connection_init(api_server.ws_url, key["secret"])

    # then
    assert live == {"message": {"type": "connection_ack"}}
    assert revoked == {"closed": 4403}
