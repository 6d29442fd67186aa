"""When an observatory's run of an observation is complete: every captured frame uploaded.

The plugin says "acquisition complete" with the sequences it captured; the frames arrive by
HTTP upload, before or after that. Whichever comes last completes the observation, so both
the plugin bridge (`assignment_complete`, `frame_uploaded`) and the upload endpoint call
`complete_if_uploaded`.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.dispatch.record import DispatchRecord
from domain.errors import Conflict
from domain.events import EventBus
from domain.frames.frame import Frame
from domain.observations.lifecycle import change_state
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.live_status import live_status_of, publish_live_status, release_run


async def uploaded_sequences(assignment_id: PydanticObjectId) -> set[int]:
    """The sequences of the frames uploaded for a run."""
    frames = await Frame.find(Frame.assignment_id == assignment_id).to_list()
    return {frame.sequence for frame in frames if frame.sequence is not None}


async def complete_if_uploaded(
    record: DispatchRecord, observation: Observation, *, actor: str, bus: EventBus
) -> Observation:
    """`acquisition_complete` -> `completed` once every frame the observatory reported
    captured in this run is uploaded; the observation unchanged otherwise.

    Only while the run still holds the observation. Safe to call concurrently: the state
    change is conditional, and the loser of a race gets the observation as it is.
    """
    held = observation.assigned_observatory_id == record.observatory_id
    if observation.state != ObservationState.ACQUISITION_COMPLETE or not held:
        return observation
    assert record.id is not None
    assert observation.id is not None
    status = await live_status_of(record.observatory_id)
    same_run = status is not None and status.current_assignment_id == record.id
    captured = set(status.captured_sequences) if status is not None and same_run else set()
    if captured - await uploaded_sequences(record.id):
        return observation
    try:
        observation = await change_state(
            observation.id,
            ObservationState.COMPLETED,
            actor=actor,
            reason="every frame captured and uploaded",
            bus=bus,
        )
    except Conflict:
        return await Observation.get(observation.id) or observation
    released = await release_run(record.observatory_id, record.id)
    if released is not None:
        await publish_live_status(bus, released, "assignment")
    return observation
