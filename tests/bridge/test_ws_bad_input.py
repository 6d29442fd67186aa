"""Bad input gets the documented error or close code, applies nothing, and leaves other
observatories' sessions responsive."""

from __future__ import annotations

import json
import time

import pytest

from plugin_bridge.storage.documents import PluginAnswer
from tests.bridge.client import FINGERPRINT, PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import observation, ready_status, token
from tests.bridge.world import World, add_observation
from tests.graphql_client import graphql_http
from tests.ids import global_id

ROTATE = """
mutation Rotate($id: ID!) { rotateObservatoryKey(input: {observatoryId: $id}) {
  ... on RotateObservatoryKeySuccess { apiKey } } }
"""


async def _responsive(other: PluginClient) -> float:
    """A heartbeat round trip on the other observatory's session, in seconds."""
    started = time.monotonic()
    beat = await other.send("heartbeat")
    await other.expect("heartbeat", beat, within_s=5)
    return time.monotonic() - started


@pytest.fixture
async def bystander(bridge: BridgeServer, world: World) -> PluginClient:
    other = PluginClient(bridge.plugin_url, world.keys["north-2"])
    await other.start()
    return other


async def test_malformed_unknown_and_invalid_messages_are_nacked(
    bridge: BridgeServer, world: World, bystander: PluginClient
) -> None:
    # given
    target = await add_observation(world)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)

    # when
    await plugin.send_raw("{not json")
    malformed = await plugin.expect("nack")
    unknown_id = await plugin.send("teleport", target="M 31")
    unknown = await plugin.expect("nack", unknown_id)
    invalid_id = await plugin.send("request_work", available_until="tomorrow", colour="red")
    invalid = await plugin.expect("nack", invalid_id)
    server_only_id = await plugin.send("assignment", assignment_id="x")
    server_only = await plugin.expect("nack", server_only_id)

    # then
    assert (malformed["code"], malformed["correlation_id"]) == ("malformed_json", None)
    assert unknown["code"] == "unknown_type"
    assert invalid["code"] == "schema_violation"
    assert sorted(e["loc"] for e in invalid["details"]["errors"]) == [
        "available_until",
        "colour",
    ]
    assert server_only["code"] == "unknown_type"
    assert not any(n["retryable"] for n in (malformed, unknown, invalid, server_only))
    assert (await observation(target.id)).state.value == "pending"
    assert await PluginAnswer.find({"message_id": {"$in": [invalid_id]}}).count() == 0
    assert await _responsive(plugin) < 1.0
    assert await _responsive(bystander) < 1.0
    await plugin.close()


@pytest.mark.parametrize(
    ("subprotocols", "hello", "code", "close"),
    [
        ([], {}, None, 4001),
        (["ss-plugin.v1"], {"protocol": "ss-plugin.v2"}, "unsupported_protocol", 4001),
        (["ss-plugin.v1"], {"plugin_version": "0.9"}, "plugin_outdated", 4002),
        (["ss-plugin.v1"], {"api_key": "sso_0123456789abcdef"}, "invalid_api_key", 4003),
        (["ss-plugin.v1"], {"api_key": None}, "authentication_required", 4003),
    ],
)
async def test_refused_handshakes_close_with_the_documented_code(
    bridge: BridgeServer,
    world: World,
    bystander: PluginClient,
    subprotocols: list[str],
    hello: dict[str, object],
    code: str | None,
    close: int,
) -> None:
    # given
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.connect(subprotocols)

    # when
    if code is not None:
        fields = {k: v for k, v in hello.items() if v is not None}
        if "api_key" in hello and hello["api_key"] is None:
            plugin.api_key = None
        answer = await plugin.hello(**fields)
        assert (answer["type"], answer["code"]) == ("nack", code)
    closed = await plugin.wait_closed()

    # then
    assert closed == close
    assert await _responsive(bystander) < 1.0


async def test_a_revoked_key_is_refused(
    bridge: BridgeServer, world: World, bystander: PluginClient
) -> None:
    # given: the key was rotated and the plugin acknowledged the new one
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    north_1 = global_id("Observatory", str(world.observatories["north-1"].id))
    rotated = await graphql_http(bridge.base_url, ROTATE, token=token(world), id=north_1)
    new_key = rotated["data"]["rotateObservatoryKey"]["apiKey"]
    issued = await plugin.expect("api_key_issued")
    await plugin.ack(issued)
    await ready_status(plugin)  # acked in order after the key's ack: that one was applied
    await plugin.close()

    # when
    old = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await old.connect()
    refused = await old.hello()
    fresh = PluginClient(bridge.plugin_url, new_key)
    reconciliation = await fresh.start()

    # then
    assert (issued["reason"], issued["api_key"]) == ("rotation", new_key)
    assert refused["code"] == "api_key_revoked"
    assert await old.wait_closed() == 4004
    assert reconciliation["decision"] == "idle"
    assert await _responsive(bystander) < 1.0
    await fresh.close()


async def test_another_machine_with_the_key_is_refused(
    bridge: BridgeServer, world: World, bystander: PluginClient
) -> None:
    # given: the key's machine is enrolled on first use
    first = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await first.start()
    await first.close()

    # when
    other = PluginClient(bridge.plugin_url, world.keys["north-1"], "sha256:" + "cd" * 32)
    await other.connect()
    refused = await other.hello()

    # then
    assert refused["code"] == "fingerprint_mismatch"
    assert await other.wait_closed() == 4005
    assert other.fingerprint != FINGERPRINT


async def test_an_oversize_message_closes_4009_and_is_not_applied(
    bridge: BridgeServer, world: World, bystander: PluginClient
) -> None:
    # given
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    entries = [
        {"at": "2026-11-24T22:00:00Z", "level": "info", "source": "plugin", "message": "x" * 4000}
    ] * 70

    # when
    message = plugin.frame("log", entries=entries)
    await plugin.send_raw(json.dumps(message))
    closed = await plugin.wait_closed()

    # then
    assert closed == 4009
    assert await PluginAnswer.find({"message_id": message["id"]}).count() == 0
    assert await _responsive(bystander) < 1.0


async def test_a_flood_closes_4010_while_others_stay_responsive(
    bridge: BridgeServer, world: World, bystander: PluginClient
) -> None:
    # given
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()

    # when: far beyond the bucket (burst 60, 10 per second)
    for _ in range(200):
        try:
            await plugin.send("heartbeat")
        except Exception:
            break
    closed = await plugin.wait_closed()

    # then
    assert closed == 4010
    assert await _responsive(bystander) < 1.0


async def test_a_second_connection_replaces_the_first(bridge: BridgeServer, world: World) -> None:
    # given
    first = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await first.start()

    # when
    second = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await second.start()

    # then
    assert await first.wait_closed() == 4012
    assert await _responsive(second) < 1.0
    await second.close()
