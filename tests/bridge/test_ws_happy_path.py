"""A plugin runs an observation to completion over a real socket; people watch it live."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.observations.states import ObservationState
from tests.bridge.client import PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import (
    expose,
    observation,
    ready_status,
    take_assignment,
    token,
    uploaded,
)
from tests.bridge.world import World, add_observation
from tests.graphql_client import as_lists, graphql_http, subscription
from tests.ids import global_id

OBSERVATION_EVENTS = """
subscription { observationEvents { observationId state previousState actor } }
"""
OBSERVATORY_EVENTS = """
subscription Watch($id: ID) {
  observatoryEvents(observatoryId: $id) {
    observatoryId kind connected operationalState safety currentObservationId progressPercent
  }
}
"""
LIVE_STATUS = """
{ observatories { edges { node { code liveStatus { connected operationalState safety
  currentObservationId pluginVersion progress { phase percent } } } } } }
"""


async def _collect(
    ws_url: str, query: str, jwt: str, until: int, into: list[dict[str, Any]], **variables: object
) -> None:
    async with subscription(ws_url, query, token=jwt, **variables) as feed:
        while len(into) < until:
            message = await feed.next_message()
            assert message["type"] == "next", message
            into.append(message["payload"]["data"])


async def test_a_plugin_completes_an_observation(bridge: BridgeServer, world: World) -> None:
    # given
    target = await add_observation(world, count=2)
    jwt = token(world)
    states: list[dict[str, Any]] = []
    watching = asyncio.create_task(
        _collect(bridge.graphql_ws_url, OBSERVATION_EVENTS, jwt, 4, states)
    )
    await asyncio.sleep(1.0)  # the subscription is registered
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    assert (await plugin.start())["decision"] == "idle"
    await ready_status(plugin)

    # when
    assignment = await take_assignment(plugin)
    assert assignment["observation_id"] == str(target.id)
    assert assignment["first_sequence"] == 1
    for sequence in (1, 2):
        ticket = await expose(plugin, assignment, sequence)
        answer = await uploaded(plugin, bridge.base_url, world.keys["north-1"], ticket)
        assert answer["type"] == "ack", answer
    live = await graphql_http(bridge.base_url, LIVE_STATUS, token=jwt)
    complete = await plugin.call(
        "assignment_complete", assignment_id=assignment["assignment_id"], frames_captured=[1, 2]
    )
    await asyncio.wait_for(watching, 15)

    # then
    assert complete["result"] == {"observation_state": "completed"}
    stored = await observation(target.id)
    assert [entry.to_state for entry in stored.history] == [
        ObservationState.ASSIGNED,
        ObservationState.IN_PROGRESS,
        ObservationState.ACQUISITION_COMPLETE,
        ObservationState.COMPLETED,
    ]
    actor = "observatory:" + global_id("Observatory", str(world.observatories["north-1"].id))
    observation_id = global_id("Observation", str(target.id))
    assert [event["observationEvents"] for event in states] == [
        {"observationId": observation_id, "state": s, "previousState": p, "actor": actor}
        for p, s in [
            ("PENDING", "ASSIGNED"),
            ("ASSIGNED", "IN_PROGRESS"),
            ("IN_PROGRESS", "ACQUISITION_COMPLETE"),
            ("ACQUISITION_COMPLETE", "COMPLETED"),
        ]
    ]
    north_1 = next(o for o in as_lists(live["data"]["observatories"]) if o["code"] == "north-1")
    assert north_1["liveStatus"] == {
        "connected": True,
        "operationalState": "ready",
        "safety": "safe",
        "currentObservationId": observation_id,
        "pluginVersion": "1.4.0",
        "progress": {"phase": "exposing", "percent": 0.0},
    }
    await plugin.close()


async def test_observatory_events_tell_connection_state_and_progress(
    bridge: BridgeServer, world: World
) -> None:
    # given
    target = await add_observation(world, count=3)
    north_1 = global_id("Observatory", str(world.observatories["north-1"].id))
    events: list[dict[str, Any]] = []
    watching = asyncio.create_task(
        _collect(bridge.graphql_ws_url, OBSERVATORY_EVENTS, token(world), 6, events, id=north_1)
    )
    await asyncio.sleep(1.0)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])

    # when
    await plugin.connect()
    await plugin.hello()  # connection
    await plugin.report()  # assignment (idle)
    await ready_status(plugin)  # status
    assignment = await take_assignment(plugin)  # assignment, assignment
    await plugin.call(
        "progress",
        assignment_id=assignment["assignment_id"],
        phase="slewing",
        target_index=0,
        frames_captured=0,
        percent=5.0,
    )
    await asyncio.wait_for(watching, 15)

    # then
    seen = [event["observatoryEvents"] for event in events]
    assert [(e["kind"], e["connected"]) for e in seen] == [
        ("connection", True),
        ("assignment", True),
        ("status", True),
        ("assignment", True),
        ("assignment", True),
        ("progress", True),
    ]
    assert seen[-1]["progressPercent"] == 5.0
    assert seen[2]["operationalState"] == "ready"
    assert seen[2]["safety"] == "safe"
    assert seen[-1]["currentObservationId"] == global_id("Observation", str(target.id))
    await plugin.close()
