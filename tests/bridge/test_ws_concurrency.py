"""Two observatories asking for work at the same moment never get the same observation."""

from __future__ import annotations

import asyncio

from domain.observations.states import ObservationState
from tests.bridge.client import PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import observation, ready_status
from tests.bridge.world import World, add_observation

OBSERVATIONS = 8


async def _drain(plugin: PluginClient) -> list[str]:
    """Take work until there is none; each run fails at once, so the next request is new."""
    taken: list[str] = []
    while True:
        request = await plugin.send("request_work")
        answer = await plugin.next()
        while answer.get("correlation_id") != request or answer["type"] == "ack":
            answer = await plugin.next()
        if answer["type"] == "no_work":
            return taken
        await plugin.ack(answer)
        taken.append(answer["observation_id"])
        failed = await plugin.call(
            "assignment_failed",
            assignment_id=answer["assignment_id"],
            error="test",
            frames_captured=[],
        )
        assert failed["type"] == "ack", failed


async def test_concurrent_requests_never_share_an_observation(
    bridge: BridgeServer, world: World
) -> None:
    # given
    targets = [
        await add_observation(world, f"field {i}", ra_deg=i * 40.0) for i in range(OBSERVATIONS)
    ]
    plugins = [PluginClient(bridge.plugin_url, world.keys[code]) for code in ("north-1", "north-2")]
    for plugin in plugins:
        await plugin.start()
        await ready_status(plugin)

    # when
    first, second = await asyncio.gather(*(_drain(plugin) for plugin in plugins))

    # then
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(str(t.id) for t in targets)
    for target in targets:
        stored = await observation(target.id)
        assigned = [e for e in stored.history if e.to_state == ObservationState.ASSIGNED]
        assert len(assigned) == 1
    for plugin in plugins:
        await plugin.close()
