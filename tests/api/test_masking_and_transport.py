"""What a client never sees: tracebacks of unexpected errors (masked, logged in full with the
request id), and a subscription socket in any protocol but graphql-transport-ws."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import websockets
from bson import ObjectId
from pymongo import MongoClient

from tests.api.gaps_world import make_world
from tests.conftest import TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.ids import database_id, global_id

OBSERVATION = """query ($id: ID!) { observation(id: $id) { name state } }"""


def _insert_damaged_observation(engine: Engine, project: str) -> str:
    """An observation whose stored state is no state at all, as a broken migration might leave."""
    identifier = ObjectId()
    with MongoClient[dict[str, Any]](engine.url) as client:
        client[TEST_DATABASE]["observations"].insert_one(
            {"_id": identifier, "project_id": ObjectId(database_id(project)), "name": "damaged",
             "state": "half-eaten", "targets": "not a list"}
        )  # fmt: skip
    return global_id("Observation", str(identifier))


async def test_an_unexpected_error_is_masked_for_the_client_and_logged_in_full(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: a stored observation the server cannot read back
    world = await make_world(api_server)
    damaged = _insert_damaged_observation(mongo_engine, world.project)

    # when
    async with httpx.AsyncClient(base_url=api_server.base_url) as client:
        response = await client.post(
            "/graphql",
            json={"query": OBSERVATION, "variables": {"id": damaged}},
            headers={"Authorization": f"Bearer {world.tokens['owner']}", "X-Request-ID": "dmg-1"},
        )

    # then: the client learns only that something failed, and under which request id
    body = response.json()
    assert body["data"] == {"observation": None}
    assert [error["message"] for error in body["errors"]] == ["Unexpected error."]
    assert "half-eaten" not in response.text
    assert "Traceback" not in response.text
    logged = [line for line in api_server.log_lines() if line.get("request_id") == "dmg-1"]
    failures = [line for line in logged if line.get("level") == "error"]
    assert failures, logged
    assert "half-eaten" in json.dumps(failures)  # the operator sees what went wrong


@pytest.mark.parametrize("protocol", ["graphql-ws", "subscriptions-transport-ws"])
async def test_a_subscription_socket_in_another_protocol_is_refused(
    api_server: ApiServer, protocol: str
) -> None:
    # when: the legacy protocols, by the names their clients offer
    async with websockets.connect(
        api_server.ws_url,
        subprotocols=[protocol],  # type: ignore[list-item]
    ) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()

    # then
    assert socket.subprotocol is None
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406
