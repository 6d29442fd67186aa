"""Documents -> core inputs: an observatory's Site and its pending work as an ObservationSet.

Mapping (documented in docs/scheduling.md, "Service layer"):

* current target: the first target with frames still to take; ``remaining_s`` is its
  remaining exposure time plus ``FRAME_OVERHEAD_S`` per frame; ``fraction_complete`` is the
  accepted share of the whole plan's exposure time;
* flexible, monitoring and rise-to-set work may run in blocks of at least
  ``FLEXIBLE_MIN_BLOCK_S`` (or all that remains when less); time-based work needs its whole
  allocated duration; fixed-time work runs in ``[fixed_start, fixed_end]``;
* time windows: fixed-time work uses its fixed window; other work the first of its
  ``constraints.windows`` that has not closed yet (open when none), narrowed by a monitoring
  series' ``cadence_start`` / ``cadence_end``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from beanie import PydanticObjectId

from domain.dispatch.workload_cache import PENDING_ROWS, PendingRows
from domain.events import EventBus
from domain.observations.observation import Observation, ObservationType
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory
from domain.projects.project import Project, ProjectStatus
from domain.scheduling import HorizonMask, ObservationSet, Site, make_observations
from domain.scheduling.models import PER_OBSERVATION_FIELDS

FRAME_OVERHEAD_S = 5.0
"""Per-frame overhead (download, dither settle) added to the exposure time (seconds)."""

FLEXIBLE_MIN_BLOCK_S = 1800.0
"""Shortest run worth starting for flexible work (seconds), or all that remains when less."""

_DARKNESS_SUN_ALTITUDE = {"civil": -6.0, "nautical": -12.0, "astronomical": -18.0}

_FIELDS = {
    "_id": 1,
    "project_id": 1,
    "organization_id": 1,
    "type": 1,
    "priority": 1,
    "created_at": 1,
    "targets": 1,
    "constraints": 1,
    "type_settings": 1,
}


def site_of(observatory: Observatory) -> Site:
    """The core's Site (location and horizon mask) of an observatory."""
    location = observatory.location
    horizon = (
        HorizonMask.from_points(
            [p.azimuth_deg for p in observatory.horizon],
            [p.altitude_deg for p in observatory.horizon],
        )
        if observatory.horizon
        else HorizonMask.flat()
    )
    return Site(
        lat_deg=location.latitude_deg,
        lon_deg=location.longitude_deg,
        elevation_m=location.elevation_m,
        horizon=horizon,
    )


@dataclass(frozen=True, slots=True, eq=False)
class Workload:
    """Pending observations as the core's arrays, with the ids to map results back.

    ``projects[i]`` is the project id of dense project index ``i`` (``ObservationSet.project``).
    """

    observations: ObservationSet
    projects: tuple[PydanticObjectId, ...]
    organization_ids: tuple[PydanticObjectId, ...]

    def without(self, observation_ids: set[str]) -> Workload:
        """The same workload minus some observations (claims lost to other observatories)."""
        keep = np.array(
            [i for i, oid in enumerate(self.observations.ids) if oid not in observation_ids],
            dtype=np.int64,
        )
        return Workload(
            self.observations.take(keep),
            self.projects,
            tuple(self.organization_ids[int(i)] for i in keep),
        )

    def project_index(self, project_id: PydanticObjectId) -> int | None:
        try:
            return self.projects.index(project_id)
        except ValueError:
            return None


def pending_filter(observatory: Observatory) -> dict[str, object]:
    """Pending observations that may run at `observatory`: listed there, or listing none and
    belonging to its organization."""
    return {
        "state": ObservationState.PENDING.value,
        "$or": [
            {"eligible_observatory_ids": observatory.id},
            {"eligible_observatory_ids": [], "organization_id": observatory.organization_id},
        ],
    }


async def active_project_ids() -> set[PydanticObjectId]:
    """Projects whose work may be scheduled (status active)."""
    collection = Project.get_pymongo_collection()
    cursor = collection.find({"status": ProjectStatus.ACTIVE.value}, {"_id": 1})
    return {PydanticObjectId(row["_id"]) async for row in cursor}


async def pending_workload(observatory: Observatory, now: float) -> Workload:
    """Pending observations eligible at `observatory` (equipment-compatible, project active).

    Reads raw documents with a projection: for 10,000 pending observations this is several
    times faster than validating full Beanie documents.
    """
    collection = Observation.get_pymongo_collection()
    active = await active_project_ids()
    filters = set(observatory.equipment.filters)
    binning = set(observatory.equipment.binning_modes)
    rows = [
        row
        async for row in collection.find(pending_filter(observatory), _FIELDS)
        if row["project_id"] in active and _equipment_fits(row, filters, binning)
    ]
    return workload_from_rows(rows, now)


async def cached_workload(
    observatory: Observatory, now: float, bus: EventBus, cache: PendingRows = PENDING_ROWS
) -> Workload:
    """Like :func:`pending_workload`, from the process's event-driven cache of pending rows.

    Mapped rows are memoised per row (a changed observation is a new row) until the time
    their window choice may change.
    """
    rows = await cache.rows(bus)
    active = await active_project_ids()
    filters = set(observatory.equipment.filters)
    binning = set(observatory.equipment.binning_modes)
    memo: dict[int, tuple[Mapping[str, Any], MappedRow]] = cache.memo
    fresh: dict[int, tuple[Mapping[str, Any], MappedRow]] = {}
    chosen = []
    for row in rows:
        key = id(row)
        hit = memo.get(key)
        if hit is not None and hit[0] is row and now <= hit[1].valid_until:
            mapped = hit[1]
        else:
            mapped = map_row(row, now)
        fresh[key] = (row, mapped)
        if (
            mapped.project_id in active
            and mapped.filters <= filters
            and mapped.binning <= binning
            and _listed_here(row, observatory)
        ):
            chosen.append(mapped)
    cache.memo = fresh
    return workload_from_mapped(chosen)


def _listed_here(row: Mapping[str, Any], observatory: Observatory) -> bool:
    listed = row.get("eligible_observatory_ids") or []
    if listed:
        return observatory.id in listed
    return bool(row["organization_id"] == observatory.organization_id)


def workload_from_documents(observations: Sequence[Observation], now: float) -> Workload:
    """A workload from Beanie documents (explanations, submission checks)."""
    rows = [{**o.model_dump(mode="python"), "_id": o.id} for o in observations]
    return workload_from_rows(rows, now)


def _equipment_fits(row: Mapping[str, Any], filters: set[str], binning: set[int]) -> bool:
    return all(
        exposure.get("filter") in filters and exposure.get("binning", 1) in binning
        for target in row.get("targets", ())
        for exposure in target.get("exposures", ())
    )


def _posix(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


# The mapped row: target coordinates, then every per-observation array but the project.
_COLUMNS = ("ra", "dec", *(f for f in PER_OBSERVATION_FIELDS if f != "project"))


@dataclass(frozen=True, slots=True)
class MappedRow:
    """One observation as the core's values (``_COLUMNS`` order), valid until `valid_until`.

    Only the choice among several time windows depends on the time: it may change once the
    chosen window has ended.
    """

    observation_id: str
    values: tuple[float, ...]
    project_id: PydanticObjectId
    organization_id: PydanticObjectId
    filters: frozenset[str]
    binning: frozenset[int]
    valid_until: float


def map_row(row: Mapping[str, Any], now: float) -> MappedRow:
    """The core's values of one raw observation document at `now` (module docstring)."""
    targets = row.get("targets") or []
    done_s = total_s = 0.0
    current: Mapping[str, Any] | None = None
    current_remaining_s = 0.0
    filters: set[str] = set()
    binning: set[int] = set()
    for target in targets:
        target_remaining_s = 0.0
        for exposure in target.get("exposures", ()):
            count, accepted = int(exposure["count"]), int(exposure.get("accepted", 0))
            seconds = float(exposure["exposure_s"])
            total_s += count * seconds
            done_s += min(accepted, count) * seconds
            target_remaining_s += max(count - accepted, 0) * (seconds + FRAME_OVERHEAD_S)
            filters.add(exposure.get("filter"))
            binning.add(int(exposure.get("binning", 1)))
        if current is None and target_remaining_s > 0:
            current, current_remaining_s = target, target_remaining_s
    if current is None:  # nothing left to take: point at the first target, zero time left
        current = targets[0] if targets else {"ra_deg": 0.0, "dec_deg": 0.0}
    kind = ObservationType(row.get("type", ObservationType.FLEXIBLE.value))
    settings: Mapping[str, Any] = row.get("type_settings") or {}
    constraints: Mapping[str, Any] = row.get("constraints") or {}
    remaining = current_remaining_s
    min_block = min(remaining, FLEXIBLE_MIN_BLOCK_S)
    window = _window(constraints, now)
    valid_until = window[1] if len(constraints.get("windows") or ()) > 1 else np.inf
    if kind is ObservationType.FIXED_TIME:
        start = _posix(settings.get("fixed_start"))
        end = _posix(settings.get("fixed_end"))
        window = (
            start if start is not None else -np.inf,
            end if end is not None else np.inf,
        )
        min_block = remaining if end is None else end - window[0]
        valid_until = np.inf
    elif kind is ObservationType.TIME_BASED:
        remaining = float(settings.get("allocated_minutes") or 0.0) * 60.0
        min_block = remaining
    elif kind is ObservationType.MONITORING:
        cadence_start = _posix(settings.get("cadence_start"))
        cadence_end = _posix(settings.get("cadence_end"))
        window = (
            max(window[0], cadence_start if cadence_start is not None else -np.inf),
            min(window[1], cadence_end if cadence_end is not None else np.inf),
        )
    darkness = str(constraints.get("darkness", "nautical"))
    values = (
        float(current["ra_deg"]),
        float(current["dec_deg"]),
        float(row.get("priority", 5)),
        row["created_at"].timestamp(),
        remaining,
        min_block,
        done_s / total_s if total_s > 0 else 0.0,
        float(kind is ObservationType.FIXED_TIME),
        window[0],
        window[1],
        float(constraints.get("min_altitude_deg", 30.0)),
        float(constraints.get("max_airmass", 2.0)),
        float(constraints.get("moon_separation_deg", 60.0)),
        float(constraints.get("moon_separation_width_days", 7.0)),
        float(constraints.get("max_moon_illumination", 1.0)),
        _DARKNESS_SUN_ALTITUDE.get(darkness, 90.0),
        float(darkness == "any"),
    )
    return MappedRow(
        observation_id=str(row["_id"]),
        values=values,
        project_id=PydanticObjectId(row["project_id"]),
        organization_id=PydanticObjectId(row["organization_id"]),
        filters=frozenset(filters),
        binning=frozenset(binning),
        valid_until=float(valid_until),
    )


def _window(constraints: Mapping[str, Any], now: float) -> tuple[float, float]:
    open_windows = sorted(
        (w["start"].timestamp(), w["end"].timestamp())
        for w in constraints.get("windows", ())
        if w["end"].timestamp() > now
    )
    if open_windows:
        return open_windows[0]
    if constraints.get("windows"):
        return (-np.inf, -np.inf)  # every window has closed: never eligible again
    return (-np.inf, np.inf)


def workload_from_rows(rows: Sequence[Mapping[str, Any]], now: float) -> Workload:
    """The core's arrays from raw observation documents (see the module docstring)."""
    return workload_from_mapped([map_row(row, now) for row in rows])


def workload_from_mapped(mapped: Sequence[MappedRow]) -> Workload:
    """The core's arrays from mapped rows, in their order."""
    projects: dict[PydanticObjectId, int] = {}
    for m in mapped:
        projects.setdefault(m.project_id, len(projects))
    table = np.array([m.values for m in mapped], dtype=np.float64).reshape(
        len(mapped), len(_COLUMNS)
    )
    column = {name: table[:, i] for i, name in enumerate(_COLUMNS)}
    observations = make_observations(
        column["ra"],
        column["dec"],
        ids=tuple(m.observation_id for m in mapped),
        priority=column["priority"].astype(np.int64),
        created_at=column["created_at"],
        remaining_s=column["remaining_s"],
        min_block_s=column["min_block_s"],
        fraction_complete=column["fraction_complete"],
        fixed_time=column["fixed_time"].astype(np.bool_),
        window_start=column["window_start"],
        window_end=column["window_end"],
        min_altitude_deg=column["min_altitude_deg"],
        max_airmass=column["max_airmass"],
        moon_distance_deg=column["moon_distance_deg"],
        moon_width_days=column["moon_width_days"],
        max_moon_illumination=column["max_moon_illumination"],
        max_sun_altitude_deg=column["max_sun_altitude_deg"],
        bypass_darkness=column["bypass_darkness"].astype(np.bool_),
        project=np.array([projects[m.project_id] for m in mapped], dtype=np.int64),
    )
    return Workload(observations, tuple(projects), tuple(m.organization_id for m in mapped))
