"""A target's visibility from an observatory over a span: the series behind sky charts.

Altitude and azimuth follow the core's ephemeris (no refraction, astroplan's default);
``observable`` is whether every default constraint (minimum altitude 30°, airmass 2, the
horizon mask, Lorentzian moon separation 60°/7 d, nautical darkness) holds at that step.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from domain.dispatch.ephemeris_cache import EPHEMERIDES, EphemerisCache
from domain.dispatch.inputs import site_of
from domain.errors import FieldProblem, ValidationFailed
from domain.observatories.observatory import Observatory
from domain.scheduling import Ephemeris, make_observations
from domain.scheduling.constraints import evaluate
from domain.scheduling.lookahead import grid

MAX_SPAN_DAYS = 14
MAX_POINTS = 5000


@dataclass(frozen=True, slots=True)
class VisibilitySeries:
    """One entry per step; airmass is None at or below the horizon. Degrees throughout."""

    times: list[float]
    altitude_deg: list[float]
    azimuth_deg: list[float]
    airmass: list[float | None]
    moon_separation_deg: list[float]
    moon_altitude_deg: list[float]
    sun_altitude_deg: list[float]
    observable: list[bool]


def _validate(
    ra_deg: float, dec_deg: float, start: datetime, end: datetime, step_minutes: float
) -> list[FieldProblem]:
    problems = []
    if not 0.0 <= ra_deg < 360.0:
        problems.append(FieldProblem(("ra",), "must be from 0 to less than 360 degrees"))
    if not -90.0 <= dec_deg <= 90.0:
        problems.append(FieldProblem(("dec",), "must be from -90 to +90 degrees"))
    if not 0.1 <= step_minutes <= 1440.0:
        problems.append(FieldProblem(("step_minutes",), "must be from 0.1 to 1440"))
    if start.tzinfo is None or end.tzinfo is None:
        problems.append(FieldProblem(("start",), "start and end need a time zone (UTC)"))
    elif end <= start:
        problems.append(FieldProblem(("end",), "must be after the start"))
    elif (end - start).total_seconds() > MAX_SPAN_DAYS * 86400.0:
        problems.append(FieldProblem(("end",), f"at most {MAX_SPAN_DAYS} days after the start"))
    elif step_minutes > 0 and (end - start).total_seconds() / (step_minutes * 60) > MAX_POINTS:
        problems.append(FieldProblem(("step_minutes",), f"gives more than {MAX_POINTS} points"))
    return problems


async def target_visibility(
    observatory: Observatory,
    ra_deg: float,
    dec_deg: float,
    start: datetime,
    end: datetime,
    step_minutes: float,
    cache: EphemerisCache = EPHEMERIDES,
) -> VisibilitySeries:
    """The visibility series of (ra, dec) ICRS degrees from `observatory`, `start` to `end`."""
    problems = _validate(ra_deg, dec_deg, start, end, step_minutes)
    if problems:
        raise ValidationFailed(problems)
    site = site_of(observatory)
    t0, t1 = start.timestamp(), end.timestamp()
    eph = await cache.span(str(observatory.id), site, t0, t1)
    return await asyncio.to_thread(_series, eph, ra_deg, dec_deg, t0, t1, step_minutes * 60.0)


def _series(
    eph: Ephemeris, ra_deg: float, dec_deg: float, start: float, end: float, step_s: float
) -> VisibilitySeries:
    times = grid(start, end, step_s)
    times = times[times <= end + 1e-6]
    ev = evaluate(eph, make_observations([ra_deg], [dec_deg]), times)
    airmass = ev.airmass[0]
    return VisibilitySeries(
        times=times.tolist(),
        altitude_deg=ev.altitude_deg[0].tolist(),
        azimuth_deg=ev.azimuth_deg[0].tolist(),
        airmass=[float(a) if math.isfinite(a) else None for a in airmass.tolist()],
        moon_separation_deg=ev.moon_separation_deg[0].tolist(),
        moon_altitude_deg=ev.sky.moon_altitude_deg.tolist(),
        sun_altitude_deg=ev.sky.sun_altitude_deg.tolist(),
        observable=np.asarray(ev.all_passed[0]).tolist(),
    )
