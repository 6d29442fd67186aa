"""Frames that arrive by HTTP only (no `frame_uploaded`) still complete the observation."""

from __future__ import annotations

from domain.observations.states import ObservationState
from domain.observatories.live_status import live_status_of
from tests.bridge.client import PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import (
    expose,
    ready_status,
    take_assignment,
    upload,
    wait_for_state,
)
from tests.bridge.world import World, add_observation


async def test_the_last_upload_after_the_run_ended_completes_the_observation(
    bridge: BridgeServer, world: World
) -> None:
    # given a plugin that captured two frames, uploaded only the first (and never said so),
    # reported its run complete and went away
    key = world.keys["north-1"]
    target = await add_observation(world, count=2)
    plugin = PluginClient(bridge.plugin_url, key)
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    tickets = [await expose(plugin, assignment, sequence) for sequence in (1, 2)]
    await upload(bridge.base_url, key, tickets[0])
    complete = await plugin.call(
        "assignment_complete", assignment_id=assignment["assignment_id"], frames_captured=[1, 2]
    )
    await plugin.close()
    assert complete["result"] == {"observation_state": "acquisition_complete"}

    # when its upload queue sends the second frame over HTTP
    await upload(bridge.base_url, key, tickets[1])

    # then the observation completes, and the observatory no longer holds the run
    stored = await wait_for_state(target.id, ObservationState.COMPLETED)
    assert [entry.to_state for entry in stored.history] == [
        ObservationState.ASSIGNED,
        ObservationState.IN_PROGRESS,
        ObservationState.ACQUISITION_COMPLETE,
        ObservationState.COMPLETED,
    ]
    assert stored.history[-1].reason == "every frame captured and uploaded"
    status = await live_status_of(world.observatories["north-1"].id)  # type: ignore[arg-type]
    assert status is not None
    assert status.current_assignment_id is None
    assert status.current_observation_id is None


async def test_uploads_without_frame_uploaded_complete_at_assignment_complete(
    bridge: BridgeServer, world: World
) -> None:
    # given a plugin that uploads both frames over HTTP and never sends frame_uploaded
    key = world.keys["north-1"]
    target = await add_observation(world, count=2)
    plugin = PluginClient(bridge.plugin_url, key)
    await plugin.start()
    await ready_status(plugin)
    assignment = await take_assignment(plugin)
    for sequence in (1, 2):
        await upload(bridge.base_url, key, await expose(plugin, assignment, sequence))

    # when it reports the run complete
    complete = await plugin.call(
        "assignment_complete", assignment_id=assignment["assignment_id"], frames_captured=[1, 2]
    )

    # then
    assert complete["result"] == {"observation_state": "completed"}
    assert (await wait_for_state(target.id, ObservationState.COMPLETED)).state == "completed"
    await plugin.close()
