"""Two API replicas on the same engines: takeovers and lost links are decided together."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.observations.states import ObservationState
from tests.bridge.client import PluginClient
from tests.bridge.conftest import SHORT_HEARTBEAT_TIMEOUT, BridgeServer, bridge_env
from tests.bridge.steps import expose, observation, ready_status, take_assignment
from tests.bridge.world import World, add_observation


@pytest.fixture
def replicas(engine_env: dict[str, str], tmp_path: Path) -> Iterator[list[BridgeServer]]:
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(
            BridgeServer(bridge_env(engine_env, **SHORT_HEARTBEAT_TIMEOUT), tmp_path / name)
        )
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


async def test_a_connection_on_another_replica_replaces_the_first(
    replicas: list[BridgeServer], world: World
) -> None:
    # given
    first = PluginClient(replicas[0].plugin_url, world.keys["north-1"])
    await first.start()

    # when
    second = PluginClient(replicas[1].plugin_url, world.keys["north-1"])
    await second.start()

    # then
    assert await first.wait_closed() == 4012
    beat = await second.send("heartbeat")
    await second.expect("heartbeat", beat)
    await second.close()


async def test_a_plugin_that_moved_to_another_replica_keeps_its_run(
    replicas: list[BridgeServer], world: World
) -> None:
    # given: a run in progress through replica a (timeout 2 s, grace 2 s)
    target = await add_observation(world, count=5)
    plugin = PluginClient(replicas[0].plugin_url, world.keys["north-1"])
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    await expose(plugin, assignment, 1)

    # when: its link to a drops and it reconnects through b at once, sending heartbeats
    await plugin.drop()
    moved = PluginClient(replicas[1].plugin_url, world.keys["north-1"])
    reconciliation = await moved.start(assignment["assignment_id"], frames_captured=[1])
    for _ in range(10):  # well past a's timeout and grace
        beat = await moved.send("heartbeat")
        await moved.expect("heartbeat", beat)
        await asyncio.sleep(0.5)

    # then: a saw b's session in the database and interrupted nothing
    assert reconciliation["decision"] == "continue"
    stored = await observation(target.id)
    assert stored.state == ObservationState.IN_PROGRESS
    assert stored.assigned_observatory_id == world.observatories["north-1"].id
    await moved.close()
