"""A newly issued observatory key waits for its plugin sealed, never as plaintext at rest."""

from __future__ import annotations

from typing import Any

from domain.observatories.live_status import ObservatoryLiveStatus
from domain.observatories.registration import ObservatoryRegistration
from plugin_bridge.storage.documents import PluginCommand
from tests.bridge.client import PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import token
from tests.bridge.test_ws_registration import APPROVE, REGISTRATION
from tests.bridge.world import World
from tests.graphql_client import graphql_http
from tests.ids import global_id

ROTATE = """
mutation Rotate($id: ID!) { rotateObservatoryKey(input: {observatoryId: $id}) {
  __typename ... on RotateObservatoryKeySuccess { apiKey } } }
"""


async def _stored_anywhere(secret: str) -> list[str]:
    """The collections holding a document that contains `secret` in plaintext."""
    found = []
    for document in (ObservatoryLiveStatus, ObservatoryRegistration, PluginCommand):
        collection = document.get_pymongo_collection()
        raw: list[dict[str, Any]] = await collection.find({}).to_list()
        if any(secret in repr(doc) for doc in raw):
            found.append(collection.name)
    return found


async def test_a_key_rotated_while_offline_waits_sealed_and_is_delivered(
    bridge: BridgeServer, world: World
) -> None:
    # given an observatory whose plugin is offline
    north_1 = global_id("Observatory", str(world.observatories["north-1"].id))

    # when an admin rotates its key, and the plugin connects later with its old key
    rotated = await graphql_http(bridge.base_url, ROTATE, token=token(world), id=north_1)
    new_key = rotated["data"]["rotateObservatoryKey"]["apiKey"]
    at_rest_before = await _stored_anywhere(new_key)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    issued = await plugin.expect("api_key_issued")
    at_rest_while_sent = await _stored_anywhere(new_key)

    # then the key was nowhere in plaintext, and the plugin got it all the same
    assert at_rest_before == []
    assert at_rest_while_sent == []
    assert (issued["reason"], issued["api_key"]) == ("rotation", new_key)
    await plugin.ack(issued)
    await plugin.close()
    fresh = PluginClient(bridge.plugin_url, new_key)
    assert (await fresh.start())["decision"] == "idle"
    await fresh.close()


async def test_an_approved_registration_key_waits_sealed(
    bridge: BridgeServer, world: World
) -> None:
    # given a plugin waiting for approval
    plugin = PluginClient(bridge.plugin_url, None)
    await plugin.connect()
    pending = await plugin.hello(registration=REGISTRATION)

    # when an admin approves it
    await graphql_http(
        bridge.base_url,
        APPROVE,
        token=token(world),
        registration=global_id("ObservatoryRegistration", pending["registration_id"]),
        organization=global_id("Organization", str(world.organization.id)),
    )
    issued = await plugin.expect("api_key_issued")

    # then the key it received is stored nowhere in plaintext while it is unacknowledged
    assert issued["api_key"].startswith("sso_")
    assert await _stored_anywhere(issued["api_key"]) == []
    await plugin.ack(issued)
    await plugin.expect("welcome")
    await plugin.close()
