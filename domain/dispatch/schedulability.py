"""The submission check: reject observations that can never run at any of their observatories.

Each target is checked with the core's :func:`check_schedulable` at the observation's
eligible observatories (or every observatory of its organization when none are listed; with
no observatory at all nothing can be judged and the check passes). Weather, reservations and
competing work are ignored. The search covers the observation's window, at most
``MAX_SPAN_S`` (366 days) ahead, runs in a worker thread and is bounded by
``TIME_LIMIT_S``: a check that runs out of time accepts the observation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from domain.dispatch.ephemeris_cache import EPHEMERIDES
from domain.dispatch.inputs import site_of, workload_from_documents
from domain.errors import FieldProblem, ValidationFailed
from domain.observations.observation import Observation, ObservationType
from domain.observatories.observatory import Observatory
from domain.scheduling import (
    Ephemeris,
    ObservationSet,
    Schedulability,
    Site,
    check_schedulable,
)
from domain.scheduling.lookahead import build_lookahead, grid, open_until

MAX_SPAN_S = 366 * 86400.0
TIME_LIMIT_S = 20.0
_FAST_STEP_S = 600.0

Path = tuple[str, ...]

# The core's reasons (domain/scheduling/explanation.py) -> the field that causes them.
_CAUSES: tuple[tuple[str, Path], ...] = (
    ("never satisfied: darkness", ("constraints", "darkness")),
    ("never satisfied: moon separation", ("constraints", "moon_separation_deg")),
    ("never satisfied: moon illumination", ("constraints", "max_moon_illumination")),
    ("never satisfied: time window", ("constraints", "windows")),
    ("never satisfied: minimum altitude", ("constraints", "min_altitude_deg")),
    ("never satisfied: maximum airmass", ("constraints", "max_airmass")),
    ("never satisfied: horizon mask", ("targets", "{i}", "dec")),
    ("the target never rises above", ("targets", "{i}", "dec")),
    ("the target never clears", ("targets", "{i}", "dec")),
    ("the target stays above", ("targets", "{i}", "exposures")),
    ("maximum airmass", ("constraints", "max_airmass")),
    ("the longest stretch", ("targets", "{i}", "exposures")),
)


async def observatories_for(observation: Observation) -> list[Observatory]:
    """Where the observation may run: its listed observatories, else its organization's."""
    if observation.eligible_observatory_ids:
        found = await Observatory.find(
            {"_id": {"$in": list(observation.eligible_observatory_ids)}}
        ).to_list()
        order = {oid: i for i, oid in enumerate(observation.eligible_observatory_ids)}
        return sorted(found, key=lambda o: order.get(o.id, 0) if o.id else 0)
    return (
        await Observatory.find(Observatory.organization_id == observation.organization_id)
        .sort("name")
        .to_list()
    )


async def ensure_schedulable(observation: Observation, now: datetime) -> None:
    """Raise ValidationFailed when a target of `observation` can never run anywhere eligible.

    The problem's path points at the cause (e.g. ``("targets", "0", "dec")`` or
    ``("constraints", "windows")``) and its message gives the reason per observatory.
    """
    observatories = await observatories_for(observation)
    if not observatories:
        return
    sites = {o.code: site_of(o) for o in observatories}
    t = now.timestamp()
    ephemerides = [
        await EPHEMERIDES.for_dispatch(str(o.id), site, t)
        for o, site in zip(observatories, sites.values(), strict=True)
    ]
    try:
        problems = await asyncio.wait_for(
            asyncio.to_thread(_problems, observation, sites, ephemerides, t), TIME_LIMIT_S
        )
    except TimeoutError:
        return
    if problems:
        raise ValidationFailed(problems)


def _problems(
    observation: Observation, sites: dict[str, Site], ephemerides: list[Ephemeris], now: float
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for index, target in enumerate(observation.targets):
        single = observation.model_copy(update={"targets": [target]})
        workload = workload_from_documents([single], now)
        if any(_fits_soon(eph, workload.observations, now) for eph in ephemerides):
            continue
        result = check_schedulable(sites, workload.observations, 0, now, max_span_s=MAX_SPAN_S)
        if not result.schedulable:
            problems.append(_problem(observation, index, result))
    return _unique(problems)


def _fits_soon(eph: Ephemeris, one: ObservationSet, now: float) -> bool:
    # The common case, cheaply: the block fits within the cached dispatch ephemeris (the rest
    # of tonight and the next night), judged as check_schedulable does (optimistic by a step).
    if eph.end - now < _FAST_STEP_S * 2:
        return False
    times = grid(now, eph.end, _FAST_STEP_S)
    ok = build_lookahead(eph, one, times, ()).ok[0]
    if one.fixed_time[0]:
        needed = np.minimum(one.min_block_s[0], one.window_end[0] - times)
    else:
        needed = np.full(times.shape, min(float(one.min_block_s[0]), float(one.remaining_s[0])))
    run_s = open_until(ok[None, :], times)[0] - times + _FAST_STEP_S
    with np.errstate(invalid="ignore"):
        return bool(np.any(ok & (run_s >= needed - 1e-6) & (needed > 0)))


def _problem(observation: Observation, index: int, result: Schedulability) -> FieldProblem:
    reason = result.reason or "it can never run"
    first = next((why for why in result.per_site.values() if why), reason)
    return FieldProblem(_path_of(observation, index, first), f"never schedulable: {reason}")


def _path_of(observation: Observation, index: int, why: str) -> Path:
    if "time window" in why and why.startswith("the time window"):
        return _window_path(observation)
    for prefix, path in _CAUSES:
        if why.startswith(prefix):
            return tuple(part.format(i=index) for part in path)
    return ("targets", str(index))


def _window_path(observation: Observation) -> Path:
    if observation.type is ObservationType.FIXED_TIME:
        return ("type_settings", "fixed_start")
    if observation.type is ObservationType.MONITORING and not observation.constraints.windows:
        return ("type_settings", "cadence_end")
    return ("constraints", "windows")


def _unique(problems: Sequence[FieldProblem]) -> list[FieldProblem]:
    seen: set[tuple[Path, str]] = set()
    result = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            result.append(problem)
    return result
