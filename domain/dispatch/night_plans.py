"""The night plan of an observatory: what dispatch would run, run by run, over one night.

A night is named by the local date it starts on, in the observatory's time zone
(``location.timezone``; UTC when unknown): it runs from local noon of that date to local
noon of the next day. The plan is a forecast: it assumes the observatory is safe and dispatch
is on, honours reservations, and uses the pending workload as it is now.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from beanie import PydanticObjectId

from domain.dispatch.ephemeris_cache import EPHEMERIDES, EphemerisCache
from domain.dispatch.inputs import pending_workload, site_of
from domain.dispatch.observatory_state import core_state, upcoming_reservations
from domain.observations.observation import Observation
from domain.observatories.observatory import Observatory
from domain.scheduling import NightPlan, plan_night


@dataclass(frozen=True, slots=True)
class PlannedObservation:
    observation: Observation
    start: datetime
    end: datetime
    priority: int
    time_critical: bool
    score: dict[str, float]


@dataclass(frozen=True, slots=True)
class AltitudeCurve:
    observation_id: PydanticObjectId
    altitude_deg: list[float]


@dataclass(frozen=True, slots=True)
class ObservatoryNightPlan:
    """Planned runs in time order, and the curves on the plan's grid (``times``)."""

    night: date
    start: datetime
    end: datetime
    runs: list[PlannedObservation]
    times: list[datetime]
    curves: list[AltitudeCurve]
    sun_altitude_deg: list[float]
    moon_altitude_deg: list[float]


def night_bounds(observatory: Observatory, night: date) -> tuple[datetime, datetime]:
    """Local noon of `night` to local noon of the next day, in UTC."""
    try:
        zone = ZoneInfo(observatory.location.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    start = datetime.combine(night, time(12), zone)
    end = datetime.combine(date.fromordinal(night.toordinal() + 1), time(12), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


async def night_plan(
    observatory: Observatory, night: date, now: datetime, cache: EphemerisCache = EPHEMERIDES
) -> ObservatoryNightPlan:
    """Plan `night` at `observatory` with the pending work it may run."""
    assert observatory.id is not None
    start, end = night_bounds(observatory, night)
    t0, t1 = start.timestamp(), end.timestamp()
    workload = await pending_workload(observatory, max(t0, now.timestamp()))
    reservations = await upcoming_reservations(observatory.id, t0, t1)
    eph = await cache.span(str(observatory.id), site_of(observatory), t0, t1)
    plan: NightPlan = await asyncio.to_thread(
        plan_night, eph, workload.observations, t0, t1, core_state(reservations, None, None)
    )
    ids = sorted({PydanticObjectId(run.observation_id) for run in plan.runs})
    documents = {o.id: o for o in await Observation.find({"_id": {"$in": ids}}).to_list()}
    runs = [
        PlannedObservation(
            observation=documents[PydanticObjectId(run.observation_id)],
            start=datetime.fromtimestamp(run.start, UTC),
            end=datetime.fromtimestamp(run.end, UTC),
            priority=run.priority,
            time_critical=run.time_critical,
            score=run.score,
        )
        for run in plan.runs
        if PydanticObjectId(run.observation_id) in documents
    ]
    ids_by_index = workload.observations.ids
    return ObservatoryNightPlan(
        night=night,
        start=start,
        end=end,
        runs=runs,
        times=[datetime.fromtimestamp(t, UTC) for t in plan.times.tolist()],
        curves=[
            AltitudeCurve(PydanticObjectId(ids_by_index[index]), curve.tolist())
            for index, curve in sorted(plan.altitude_deg.items())
        ],
        sun_altitude_deg=plan.sun_altitude_deg.tolist(),
        moon_altitude_deg=plan.moon_altitude_deg.tolist(),
    )
