"""Faults over a real socket: lost acks, duplicates, disagreement, lost links, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.frames.frame import Frame
from domain.observations.states import ObservationState
from plugin_bridge.storage.documents import PluginAnswer
from tests.bridge.client import PluginClient
from tests.bridge.conftest import SHORT_HEARTBEAT_TIMEOUT, BridgeServer, bridge_env
from tests.bridge.steps import (
    expose,
    observation,
    ready_status,
    take_assignment,
    token,
    uploaded,
    wait_for_state,
)
from tests.bridge.world import World, add_observation
from tests.graphql_client import graphql_http
from tests.ids import global_id

S = ObservationState
CANCEL = """
mutation Cancel($id: ID!) { cancelObservation(input: {id: $id, reason: "not needed"}) {
  __typename } }
"""


async def test_a_message_applied_before_a_lost_ack_takes_effect_once(
    bridge: BridgeServer, world: World
) -> None:
    # given: the server applied exposure_started, the link dropped before the plugin read the ack
    target = await add_observation(world, count=3)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    started = plugin.frame(
        "exposure_started",
        assignment_id=assignment["assignment_id"],
        sequence=1,
        target_index=0,
        exposure_index=0,
        filter="L",
        exposure_s=10.0,
    )
    await plugin.send_message(started)
    await wait_for_state(target.id, S.IN_PROGRESS)
    await plugin.drop()

    # when: it reconnects and resends the unacked message with its original id
    again = PluginClient(bridge.plugin_url, world.keys["north-1"])
    reconciliation = await again.start(
        assignment["assignment_id"], unacked_message_ids=[started["id"]]
    )
    await again.send_message(started)
    answer = await again.expect("ack", started["id"])

    # then
    assert reconciliation["decision"] == "continue"
    assert answer["result"] == {}
    stored = await observation(target.id)
    assert [entry.to_state for entry in stored.history] == [S.ASSIGNED, S.IN_PROGRESS]
    assert await PluginAnswer.find({"message_id": started["id"]}).count() == 1
    await again.close()


async def test_duplicated_messages_have_one_effect(bridge: BridgeServer, world: World) -> None:
    # given
    target = await add_observation(world, count=3)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)

    # when: every message is sent twice in a row
    request = plugin.frame("request_work")
    await plugin.send_message(request)
    await plugin.send_message(request)
    first = await plugin.expect("assignment", request["id"])
    second = await plugin.expect("assignment", request["id"])
    await plugin.ack(first)
    interrupted = plugin.frame(
        "assignment_interrupted",
        assignment_id=first["assignment_id"],
        reason="weather",
        frames_captured=[],
    )
    await plugin.send_message(interrupted)
    await plugin.send_message(interrupted)
    answers = [await plugin.expect("ack", interrupted["id"]) for _ in range(2)]

    # then
    assert {**first, "seq": 0} == {**second, "seq": 0}
    assert {**answers[0], "seq": 0} == {**answers[1], "seq": 0}
    stored = await observation(target.id)
    assert [entry.to_state for entry in stored.history] == [S.ASSIGNED, S.PENDING]
    await plugin.close()


async def test_a_plugin_claiming_work_the_server_finished_is_told_to_drop_it(
    bridge: BridgeServer, world: World
) -> None:
    # given: the observation was cancelled while the plugin was away
    target = await add_observation(world, count=3)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    await expose(plugin, assignment, 1)
    await plugin.close()
    observation_id = global_id("Observation", str(target.id))
    cancelled = await graphql_http(bridge.base_url, CANCEL, token=token(world), id=observation_id)
    assert cancelled["data"]["cancelObservation"]["__typename"] == "Observation"

    # when: it reconnects claiming the run is live with two frames captured
    again = PluginClient(bridge.plugin_url, world.keys["north-1"])
    reconciliation = await again.start(
        assignment["assignment_id"], frames_captured=[1, 2], frames_uploaded=[]
    )
    abort = await again.expect("abort")

    # then: terminal states never regress; it uploads what it holds and drops the run
    assert reconciliation["decision"] == "ignore_stale"
    assert reconciliation["observation_state"] == "cancelled"
    assert reconciliation["upload_sequences"] == [1, 2]
    assert abort["assignment_id"] == assignment["assignment_id"]
    assert (await observation(target.id)).state == S.CANCELLED
    await again.close()


async def test_a_plugin_that_lost_its_run_gets_it_requeued(
    bridge: BridgeServer, world: World
) -> None:
    # given: an in-progress run with one frame captured
    target = await add_observation(world, count=10)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    await expose(plugin, assignment, 1)
    await plugin.close()

    # when: the plugin comes back holding nothing (its local database was lost)
    again = PluginClient(bridge.plugin_url, world.keys["north-1"])
    reconciliation = await again.start(None)

    # then: the server's view is live, the plugin's is empty -> back to pending, reassignable
    assert reconciliation["decision"] == "requeue"
    assert reconciliation["observation_state"] == "pending"
    stored = await observation(target.id)
    assert stored.state == S.PENDING
    assert stored.assigned_observatory_id is None
    await again.close()


async def test_a_cancelled_observation_is_aborted_on_the_live_socket(
    bridge: BridgeServer, world: World
) -> None:
    # given
    target = await add_observation(world, count=3)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)

    # when
    observation_id = global_id("Observation", str(target.id))
    await graphql_http(bridge.base_url, CANCEL, token=token(world), id=observation_id)
    abort = await plugin.expect("abort")
    await plugin.ack(abort)
    interrupted = await plugin.call(
        "assignment_interrupted",
        assignment_id=assignment["assignment_id"],
        reason="server",
        frames_captured=[],
    )

    # then
    assert abort["reason"] == "cancel"
    assert abort["stop"] == "immediately"
    assert interrupted["result"] == {"observation_state": "cancelled"}
    await plugin.close()


@pytest.fixture
def short_heartbeat_bridge(engine_env: dict[str, str], tmp_path: Path) -> Iterator[BridgeServer]:
    server = BridgeServer(bridge_env(engine_env, **SHORT_HEARTBEAT_TIMEOUT), tmp_path)
    server.start()
    yield server
    server.stop()


async def test_a_lost_heartbeat_interrupts_the_run_after_the_grace_period(
    short_heartbeat_bridge: BridgeServer, world: World
) -> None:
    # given: one frame captured and uploaded (timeout 2 s, grace 2 s)
    bridge = short_heartbeat_bridge
    target = await add_observation(world, count=4)
    plugin = PluginClient(bridge.plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    ticket = await expose(plugin, assignment, 1)
    await uploaded(plugin, bridge.base_url, world.keys["north-1"], ticket)

    # when: the plugin goes silent
    code = await plugin.wait_closed(within_s=10)
    still_running = await observation(target.id)
    stored = await wait_for_state(target.id, S.PENDING, within_s=15)

    # then: offline, interrupted, progress kept, and another observatory gets it
    assert code == 4008
    assert still_running.state == S.IN_PROGRESS
    assert stored.assigned_observatory_id is None
    assert [f.sequence for f in await Frame.find(Frame.observation_id == target.id).to_list()] == [
        1
    ]
    other = PluginClient(bridge.plugin_url, world.keys["north-2"])
    await other.start()
    await ready_status(other)
    reassigned = await take_assignment(other)
    assert reassigned["observation_id"] == str(target.id)
    assert reassigned["first_sequence"] == 2
    await other.close()


async def test_the_plugin_resumes_after_the_api_restarts(
    engine_env: dict[str, str], tmp_path: Path, world: World
) -> None:
    # given: a run in progress (a grace period longer than the restart)
    server = BridgeServer(
        bridge_env(
            engine_env,
            SCHEDULER_PLUGIN_HEARTBEAT_TIMEOUT_SECONDS="30",
            SCHEDULER_PLUGIN_OFFLINE_GRACE_SECONDS="120",
        ),
        tmp_path,
    )
    server.start()
    try:
        await add_observation(world, count=2)
        plugin = PluginClient(server.plugin_url, world.keys["north-1"])
        await plugin.start()
        await ready_status(plugin)
        assignment = await take_assignment(plugin)
        ticket = await expose(plugin, assignment, 1)
        await uploaded(plugin, server.base_url, world.keys["north-1"], ticket)

        # when: the API restarts; the plugin reconnects and reports what it holds
        server.restart()
        await plugin.wait_closed()
        again = PluginClient(server.plugin_url, world.keys["north-1"])
        reconciliation = await again.start(
            assignment["assignment_id"], frames_captured=[1], frames_uploaded=[1]
        )
        ticket = await expose(again, assignment, 2)
        await uploaded(again, server.base_url, world.keys["north-1"], ticket)
        complete = await again.call(
            "assignment_complete", assignment_id=assignment["assignment_id"], frames_captured=[1, 2]
        )

        # then
        assert reconciliation["decision"] == "continue"
        assert reconciliation["observation_state"] == "in_progress"
        assert complete["result"] == {"observation_state": "completed"}
        await again.close()
    finally:
        server.stop()
    await asyncio.sleep(0)
