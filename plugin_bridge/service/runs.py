"""An observatory's assignment as the bridge sees it, and idempotent state changes on it.

The assignment id on the wire is the id of the DispatchRecord that claimed the observation
(the upload endpoint takes the same id). Each state change made for a plugin message carries
the message id in its history entry's reason, so applying the same message again after a
crash (the domain change written, its dedup record not) changes nothing a second time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from beanie import PydanticObjectId

from domain.dispatch.record import DispatchRecord
from domain.errors import Conflict
from domain.events import EventBus
from domain.frames.frame import Frame
from domain.observations.lifecycle import change_state
from domain.observations.observation import Observation
from domain.observations.states import TERMINAL, ObservationState
from plugin_bridge import messages as m
from plugin_bridge.core.effects import Rejected
from plugin_bridge.core.reconciliation import path

S = ObservationState
E = m.ErrorCode


@dataclass(frozen=True)
class Run:
    record: DispatchRecord
    observation: Observation

    @property
    def current(self) -> bool:
        """Still the observatory's assignment of the observation (not taken back)."""
        return self.observation.assigned_observatory_id == self.record.observatory_id

    @property
    def active(self) -> bool:
        return self.current and self.observation.state not in TERMINAL


class RunRefused(Exception):
    def __init__(self, code: m.ErrorCode, message: str) -> None:
        super().__init__(message)
        self.rejected = Rejected(code, message)


def marker(message_id: str) -> str:
    return f"[plugin message {message_id}]"


def already_applied(observation: Observation, message_id: str) -> bool:
    tag = marker(message_id)
    return any(entry.reason.endswith(tag) for entry in observation.history)


async def run_of(observatory_id: str, assignment_id: str, *, active: bool = True) -> Run:
    """The run `assignment_id` of the observatory; RunRefused when unknown or ended."""
    record = (
        await DispatchRecord.get(PydanticObjectId(assignment_id))
        if PydanticObjectId.is_valid(assignment_id)
        else None
    )
    if record is None or str(record.observatory_id) != observatory_id:
        raise RunRefused(E.UNKNOWN_ASSIGNMENT, f"no assignment {assignment_id} of this observatory")
    observation = await Observation.get(record.observation_id)
    if observation is None:
        raise RunRefused(E.UNKNOWN_ASSIGNMENT, f"no assignment {assignment_id}")
    run = Run(record, observation)
    if active and not run.active:
        raise RunRefused(
            E.ASSIGNMENT_NOT_ACTIVE,
            f"the assignment ended; the observation is {observation.state.value}",
        )
    latest = await latest_record(record.observatory_id)
    if active and latest is not None and latest.id != record.id:
        raise RunRefused(E.ASSIGNMENT_NOT_ACTIVE, "the observatory was given newer work")
    return run


async def latest_record(observatory_id: PydanticObjectId) -> DispatchRecord | None:
    return (
        await DispatchRecord.find(DispatchRecord.observatory_id == observatory_id)
        .sort(-DispatchRecord.start)  # type: ignore[operator]
        .first_or_none()
    )


async def move(
    run: Run,
    target: ObservationState,
    *,
    actor: str,
    reason: str,
    message_id: str | None,
    bus: EventBus,
) -> Observation:
    """Walk the observation to `target` through allowed transitions (nothing if already there).

    Going back to `pending` releases it from the observatory so it can be dispatched again.
    """
    observation = run.observation
    if message_id is not None and already_applied(observation, message_id):
        return observation
    try:
        steps = path(observation.state, target)
    except ValueError:
        raise RunRefused(
            E.INVALID_TRANSITION,
            f"an observation cannot go from {observation.state.value} to {target.value}",
        ) from None
    tag = f" {marker(message_id)}" if message_id is not None else ""
    assert observation.id is not None
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        extra: dict[str, object] = {"assigned_observatory_id": None} if step == S.PENDING else {}
        try:
            observation = await change_state(
                observation.id,
                step,
                actor=actor,
                reason=reason + (tag if last else ""),
                bus=bus,
                extra=extra,
            )
        except Conflict as error:
            raise RunRefused(E.INVALID_TRANSITION, str(error)) from None
    return observation


async def frames_of(record: DispatchRecord) -> dict[int, Frame]:
    """The frames uploaded for this run, by sequence."""
    frames = await Frame.find(Frame.assignment_id == record.id).to_list()
    return {frame.sequence: frame for frame in frames if frame.sequence is not None}


async def next_sequence(observation_id: PydanticObjectId) -> int:
    """The first sequence never used for the observation (over every run)."""
    last = (
        await Frame.find(Frame.observation_id == observation_id).sort("-sequence").first_or_none()
    )
    return (last.sequence or 0) + 1 if last is not None else 1


def planned(observation: Observation) -> int:
    return sum(exposure.count for target in observation.targets for exposure in target.exposures)


def accepted(observation: Observation) -> int:
    return sum(exposure.accepted for target in observation.targets for exposure in target.exposures)


async def release(observation_id: PydanticObjectId, actor: str, reason: str, bus: EventBus) -> None:
    """Put a live observation back to pending (progress kept); nothing if it moved on."""
    observation = await Observation.get(observation_id)
    if observation is None or observation.state in TERMINAL or observation.state == S.PENDING:
        return
    with contextlib.suppress(ValueError, Conflict):
        for step in path(observation.state, S.PENDING):
            extra: dict[str, object] = {"assigned_observatory_id": None}
            await change_state(
                observation_id, step, actor=actor, reason=reason, bus=bus, extra=extra
            )
