"""`next_work`: what an observatory should do now, with the atomic claim of the chosen work.

The decision is built from the database (observatory, its pending workload through the
event-driven cache of :mod:`domain.dispatch.workload_cache`, reservations, the running
observation, recent dispatch records), made by the pure core off the event loop, and
then claimed with :func:`domain.observations.lifecycle.change_state` (pending -> assigned),
whose update is conditional on the state read. A claim lost to another observatory raises
Conflict; the core is asked again without that observation, up to ``MAX_CLAIM_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import PydanticObjectId

from domain.dispatch.ephemeris_cache import DAY_S, EPHEMERIDES, LOOKAHEAD_S, EphemerisCache
from domain.dispatch.inputs import Workload, cached_workload, site_of
from domain.dispatch.observatory_state import (
    Gate,
    Running,
    closed_gate,
    core_state,
    project_usage,
    running_at,
    running_work,
    upcoming_reservations,
)
from domain.dispatch.record import DispatchRecord
from domain.dispatch.workload_cache import PENDING_ROWS, PendingRows
from domain.errors import Conflict, NotFound
from domain.events import EventBus
from domain.observations.lifecycle import change_state
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory
from domain.scheduling import Continue, DispatchConfig, Run, Wait
from domain.scheduling import next_work as core_next_work

MAX_CLAIM_ATTEMPTS = 25


class WaitReason(enum.StrEnum):
    """Why an observatory gets nothing now (the gates, then the core's reasons)."""

    MAINTENANCE = Gate.MAINTENANCE.value
    DISPATCH_DISABLED = Gate.DISPATCH_DISABLED.value
    UNSAFE = Gate.UNSAFE.value
    SAFETY_UNKNOWN = Gate.SAFETY_UNKNOWN.value
    RESERVED = Gate.RESERVED.value
    NOTHING_PENDING = "nothing_pending"
    NOTHING_ELIGIBLE_NOW = "nothing_eligible_now"
    NOTHING_IN_LOOKAHEAD = "nothing_in_lookahead"


@dataclass(frozen=True, slots=True)
class Assignment:
    """The observation was claimed for the observatory: run it from `start` until `until`.

    ``preempted_observation_id`` is the running observation this one interrupted (put back to
    pending), per the core's preemption policy; ``lost_claims`` counts candidates taken by
    other observatories at the same moment.
    """

    observation: Observation
    start: datetime
    until: datetime
    priority: int
    time_critical: bool
    score: dict[str, float]
    preempted_observation_id: PydanticObjectId | None
    lost_claims: int


@dataclass(frozen=True, slots=True)
class KeepRunning:
    """Carry on with the running observation until `until` (nothing preempts it)."""

    observation_id: PydanticObjectId
    until: datetime


@dataclass(frozen=True, slots=True)
class WaitDecision:
    """Nothing to do now; `until` is when something may become eligible, if known."""

    reason: WaitReason
    detail: str
    until: datetime | None = None
    next_observation_id: str | None = None


DispatchDecision = Assignment | KeepRunning | WaitDecision


def _utc(posix: float) -> datetime:
    return datetime.fromtimestamp(posix, UTC)


async def next_work(
    observatory_id: PydanticObjectId,
    now: datetime,
    *,
    bus: EventBus,
    cache: EphemerisCache = EPHEMERIDES,
    rows: PendingRows = PENDING_ROWS,
    config: DispatchConfig | None = None,
) -> DispatchDecision:
    """Decide what `observatory_id` should do at `now` and claim it atomically.

    Raises NotFound for an unknown observatory. Weather-unsafe (or unknown), dispatch-off,
    maintenance and reserved observatories get a WaitDecision with the reason.
    """
    observatory = await Observatory.get(observatory_id)
    if observatory is None:
        raise NotFound("observatory", str(observatory_id))
    assert observatory.id is not None
    t = now.timestamp()
    reservations = await upcoming_reservations(observatory.id, t - DAY_S, t + LOOKAHEAD_S + DAY_S)
    gate = closed_gate(observatory, reservations, now)
    if gate is not None:
        reason, reservation = gate
        return WaitDecision(
            WaitReason(reason.value),
            _gate_detail(reason, observatory, reservation.title if reservation else ""),
            reservation.effective_end if reservation is not None else None,
        )
    workload = await cached_workload(observatory, t, bus, rows)
    running = await running_at(observatory.id)
    if len(workload.observations) == 0 and running is None:
        return WaitDecision(WaitReason.NOTHING_PENDING, "no pending work may run here")
    site = site_of(observatory)
    eph = await cache.for_dispatch(str(observatory.id), site, t)
    work = running_work(running, t) if running is not None else None
    state = core_state(reservations, work, await project_usage(observatory.id, workload, now))
    lost: set[str] = set()
    while True:
        candidates = workload.without(lost) if lost else workload
        decision = await asyncio.to_thread(
            core_next_work, eph, candidates.observations, state, t, config
        )
        match decision:
            case Continue(until=until):
                assert running is not None
                assert running.observation.id is not None
                return KeepRunning(running.observation.id, _utc(until))
            case Wait(reason=core_reason, until=until, next_index=next_index):
                return WaitDecision(
                    WaitReason(core_reason.value),
                    _wait_detail(WaitReason(core_reason.value)),
                    _utc(until) if until is not None else None,
                    candidates.observations.ids[next_index] if next_index is not None else None,
                )
            case Run():
                claimed = await _claim(observatory, decision, candidates, running, bus, len(lost))
                rows.forget(PydanticObjectId(decision.observation_id))
                if claimed is not None:
                    return claimed
                lost.add(decision.observation_id)
                if len(lost) >= MAX_CLAIM_ATTEMPTS:
                    return WaitDecision(
                        WaitReason.NOTHING_ELIGIBLE_NOW,
                        f"{len(lost)} candidates were claimed by other observatories; ask again",
                    )


async def _claim(
    observatory: Observatory,
    run: Run,
    workload: Workload,
    running: Running | None,
    bus: EventBus,
    lost_claims: int,
) -> Assignment | None:
    assert observatory.id is not None
    actor = f"observatory:{observatory.id}"
    observation_id = PydanticObjectId(run.observation_id)
    try:
        claimed = await change_state(
            observation_id,
            ObservationState.ASSIGNED,
            actor=actor,
            reason=f"dispatched to {observatory.code} until {_utc(run.until).isoformat()}",
            bus=bus,
            extra={"assigned_observatory_id": observatory.id},
        )
    except (Conflict, NotFound):
        return None
    preempted: PydanticObjectId | None = None
    if running is not None and running.observation.id is not None:
        # Preempted, or its run is over: it goes back to pending with its progress kept.
        why = (
            f"preempted by {run.observation_id}"
            if run.preempts is not None
            else f"its run ended; {run.observation_id} dispatched"
        )
        with contextlib.suppress(Conflict):  # it finished or moved on meanwhile
            await change_state(
                running.observation.id,
                ObservationState.PENDING,
                actor=actor,
                reason=why,
                bus=bus,
                extra={"assigned_observatory_id": None},
            )
        if run.preempts is not None:
            preempted = running.observation.id
    index = run.index
    observations = workload.observations
    record = DispatchRecord(
        observatory_id=observatory.id,
        observation_id=observation_id,
        project_id=claimed.project_id,
        start=_utc(run.start),
        until=_utc(run.until),
        priority=run.priority,
        fixed_time=bool(observations.fixed_time[index]),
        time_critical=run.time_critical,
        ra_deg=float(observations.targets.ra_deg[index]),
        dec_deg=float(observations.targets.dec_deg[index]),
        score=run.score,
        preempted_observation_id=preempted,
    )
    await record.insert()
    return Assignment(
        observation=claimed,
        start=record.start,
        until=record.until,
        priority=run.priority,
        time_critical=run.time_critical,
        score=run.score,
        preempted_observation_id=preempted,
        lost_claims=lost_claims,
    )


def _gate_detail(gate: Gate, observatory: Observatory, reservation_title: str) -> str:
    match gate:
        case Gate.MAINTENANCE:
            return f"{observatory.code} is in maintenance"
        case Gate.DISPATCH_DISABLED:
            return f"dispatch is switched off for {observatory.code}"
        case Gate.UNSAFE:
            return f"the safety device of {observatory.code} reports unsafe"
        case Gate.SAFETY_UNKNOWN:
            return f"the safety device of {observatory.code} has not reported yet"
        case Gate.RESERVED:
            return f"{observatory.code} is reserved: {reservation_title}"


def _wait_detail(reason: WaitReason) -> str:
    if reason is WaitReason.NOTHING_ELIGIBLE_NOW:
        return "no pending work meets its constraints now; some will at `until`"
    if reason is WaitReason.NOTHING_IN_LOOKAHEAD:
        return "no pending work meets its constraints within the look-ahead"
    return reason.value
