"""An observatory's operational state at decision time: gates, reservations, running work.

Gates, checked in this order before the core is asked (each gives a Wait with its reason):
maintenance, dispatch switched off, the safety device reporting unsafe or nothing yet
(``unknown`` counts as unsafe: fail closed), an active reservation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from beanie import PydanticObjectId

from domain.dispatch.inputs import Workload
from domain.dispatch.record import DispatchRecord
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory, Safety
from domain.observatories.reservation import Reservation as ReservationDocument
from domain.observatories.reservation_service import reservations_between
from domain.scheduling import ObservatoryState, Reservation, RunningWork

FAIRNESS_WINDOW = timedelta(days=30)
"""How far back project observing time counts for the fairness score."""

RUNNING_STATES = (ObservationState.ASSIGNED, ObservationState.IN_PROGRESS)


class Gate(enum.StrEnum):
    """Why an observatory gets nothing at all right now."""

    MAINTENANCE = "maintenance"
    DISPATCH_DISABLED = "dispatch_disabled"
    UNSAFE = "unsafe"
    SAFETY_UNKNOWN = "safety_unknown"
    RESERVED = "reserved"


def closed_gate(
    observatory: Observatory, reservations: list[ReservationDocument], now: datetime
) -> tuple[Gate, ReservationDocument | None] | None:
    """The first closed gate of the observatory at `now`, with the active reservation."""
    if observatory.maintenance:
        return Gate.MAINTENANCE, None
    if not observatory.dispatch_enabled:
        return Gate.DISPATCH_DISABLED, None
    if observatory.safety is Safety.UNSAFE:
        return Gate.UNSAFE, None
    if observatory.safety is Safety.UNKNOWN:
        return Gate.SAFETY_UNKNOWN, None
    for reservation in reservations:
        if reservation.start <= now < reservation.effective_end:
            return Gate.RESERVED, reservation
    return None


def core_reservations(reservations: list[ReservationDocument]) -> tuple[Reservation, ...]:
    """Reservations as the core sees them: blocks for every project (cancelled ones shortened)."""
    return tuple(
        Reservation(r.start.timestamp(), r.effective_end.timestamp())
        for r in reservations
        if r.effective_end > r.start
    )


async def upcoming_reservations(
    observatory_id: PydanticObjectId, start: float, end: float
) -> list[ReservationDocument]:
    return await reservations_between(
        observatory_id, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
    )


@dataclass(frozen=True, slots=True)
class Running:
    """The observation the observatory is working on, and its dispatch record (if any)."""

    observation: Observation
    record: DispatchRecord | None


async def running_at(observatory_id: PydanticObjectId) -> Running | None:
    """The observation assigned to or in progress at the observatory, if any.

    Found through the observatory's latest dispatch record (indexed), since every assignment
    is made by dispatch and claiming new work releases the previous one.
    """
    record = (
        await DispatchRecord.find(DispatchRecord.observatory_id == observatory_id)
        .sort(-DispatchRecord.start)  # type: ignore[operator]
        .first_or_none()
    )
    if record is None:
        return None
    observation = await Observation.get(record.observation_id)
    if (
        observation is None
        or observation.state not in RUNNING_STATES
        or observation.assigned_observatory_id != observatory_id
    ):
        return None
    return Running(observation, record)


def running_work(running: Running, now: float) -> RunningWork:
    """The core's RunningWork; without a dispatch record the run is taken as over now."""
    record = running.record
    target = running.observation.targets[0]
    if record is None:
        return RunningWork(
            index=-1,
            started_at=running.observation.updated_at.timestamp(),
            until=now,
            priority=running.observation.priority,
            fixed_time=False,
            ra_deg=target.ra_deg,
            dec_deg=target.dec_deg,
        )
    return RunningWork(
        index=-1,
        started_at=record.start.timestamp(),
        until=record.until.timestamp(),
        priority=record.priority,
        fixed_time=record.fixed_time,
        ra_deg=record.ra_deg,
        dec_deg=record.dec_deg,
    )


async def project_usage(
    observatory_id: PydanticObjectId, workload: Workload, now: datetime
) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    """Seconds each workload project was dispatched at this observatory in the fairness window."""
    usage = np.zeros(len(workload.projects), dtype=np.float64)
    if not workload.projects:
        return usage
    records = DispatchRecord.get_pymongo_collection().find(
        {"observatory_id": observatory_id, "start": {"$gte": now - FAIRNESS_WINDOW}},
        {"project_id": 1, "start": 1, "until": 1},
    )
    async for row in records:
        index = workload.project_index(PydanticObjectId(row["project_id"]))
        if index is not None:
            usage[index] += max((min(row["until"], now) - row["start"]).total_seconds(), 0.0)
    return usage


def core_state(
    reservations: list[ReservationDocument],
    running: RunningWork | None,
    usage: np.ndarray[tuple[int], np.dtype[np.float64]] | None,
) -> ObservatoryState:
    """The core's ObservatoryState once the gates are open."""
    return ObservatoryState(
        safe=True,
        dispatch_enabled=True,
        reservations=core_reservations(reservations),
        running=running,
        project_usage_s=usage,
    )
