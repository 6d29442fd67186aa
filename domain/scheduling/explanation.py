""" "Why not now" for one observation, and the submission check "never schedulable"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from domain.scheduling.constraints import Constraint, ConstraintEvaluation, evaluate
from domain.scheduling.dispatch import DispatchConfig, WaitReason
from domain.scheduling.ephemeris import Ephemeris, compute_ephemeris
from domain.scheduling.lookahead import build_lookahead, grid, open_until
from domain.scheduling.models import (
    FloatArray,
    ObservationSet,
    ObservatoryState,
    Site,
)
from domain.scheduling.scoring import score

_EPS_S = 1e-6


@dataclass(frozen=True, slots=True)
class ConstraintState:
    """One constraint now: passed, the current value and the limit (units in ``unit``)."""

    constraint: Constraint
    passed: bool
    value: float | None
    limit: float | None
    unit: str


@dataclass(frozen=True, slots=True)
class SiteExplanation:
    """The observation at one observatory.

    Attributes
    ----------
    site_key : str
    constraints : tuple of ConstraintState
        Each constraint's state now.
    observable_now : bool
        Every constraint holds now.
    fits_now : bool
        Observable now and the needed block fits before a constraint closes.
    gate : WaitReason or None
        UNSAFE or DISPATCH_DISABLED when the observatory itself is closed.
    next_eligible : float or None
        First time (UTC POSIX seconds, look-ahead grid) it could start, if any.
    score : dict of str -> float
        Score components and total now (see :mod:`domain.scheduling.scoring`).
    """

    site_key: str
    constraints: tuple[ConstraintState, ...]
    observable_now: bool
    fits_now: bool
    gate: WaitReason | None
    next_eligible: float | None
    score: dict[str, float]


def why_not_now(
    ephemerides: Mapping[str, Ephemeris],
    states: Mapping[str, ObservatoryState],
    obs: ObservationSet,
    index: int,
    now: float,
    config: DispatchConfig | None = None,
) -> tuple[SiteExplanation, ...]:
    """Explain observation ``index`` at each eligible observatory.

    Parameters
    ----------
    ephemerides : mapping of site key -> Ephemeris
        One per eligible observatory; each must cover ``now``.
    states : mapping of site key -> ObservatoryState
        Missing keys mean a safe, enabled observatory without reservations.
    obs : ObservationSet
    index : int
        The observation to explain.
    now : float
        UTC POSIX seconds.
    config : DispatchConfig, optional

    Returns
    -------
    tuple of SiteExplanation
        In the order of ``ephemerides``.
    """
    config = config or DispatchConfig()
    one = obs.take(np.array([index]))
    result = []
    for key, eph in ephemerides.items():
        state = states.get(key, ObservatoryState())
        times = grid(now, min(eph.end, now + config.lookahead_s), config.step_s)
        ev = evaluate(eph, one, times, state.reservations)
        la = build_lookahead(eph, one, times, state.reservations)
        needed = _needed(one, times)
        run_s = open_until(la.ok, times)[0] - times
        with np.errstate(invalid="ignore"):
            fits = la.ok[0] & (run_s >= needed - _EPS_S) & (needed > 0)
        starts = np.flatnonzero(fits)
        gate = None
        if not state.safe:
            gate = WaitReason.UNSAFE
        elif not state.dispatch_enabled:
            gate = WaitReason.DISPATCH_DISABLED
        breakdown = score(
            one,
            np.array([0]),
            now,
            open_s=np.nan_to_num(la.close_at(0) - now, nan=0.0),
            sin_alt_now=la.sin_altitude[:, 0],
            best_sin_alt=la.best_sin_altitude_at(0),
            weights=config.weights,
            project_usage_s=state.project_usage_s,
        )
        result.append(
            SiteExplanation(
                site_key=key,
                constraints=_states_now(ev, one),
                observable_now=bool(la.ok[0, 0]),
                fits_now=bool(fits[0]),
                gate=gate,
                next_eligible=float(times[starts[0]]) if starts.size else None,
                score=breakdown.at(0),
            )
        )
    return tuple(result)


def _needed(one: ObservationSet, times: FloatArray) -> FloatArray:
    if one.fixed_time[0]:
        result: FloatArray = np.minimum(one.min_block_s[0], one.window_end[0] - times)
        return result
    return np.full(times.shape, min(float(one.min_block_s[0]), float(one.remaining_s[0])))


def _states_now(ev: ConstraintEvaluation, one: ObservationSet) -> tuple[ConstraintState, ...]:
    sky = ev.sky
    passed = {c: bool(mask[0, 0]) for c, mask in ev.passed.items()}
    moon_up = float(sky.moon_altitude_deg[0]) >= 0.0
    t0 = float(ev.times[0])
    airmass = float(ev.airmass[0, 0])
    return (
        ConstraintState(
            Constraint.ALTITUDE,
            passed[Constraint.ALTITUDE],
            float(ev.altitude_deg[0, 0]),
            float(one.min_altitude_deg[0]),
            "deg",
        ),
        ConstraintState(
            Constraint.AIRMASS,
            passed[Constraint.AIRMASS],
            airmass if np.isfinite(airmass) else None,
            float(one.max_airmass[0]) if np.isfinite(one.max_airmass[0]) else None,
            "",
        ),
        ConstraintState(
            Constraint.HORIZON,
            passed[Constraint.HORIZON],
            float(ev.altitude_deg[0, 0]),
            float(ev.horizon_altitude_deg[0, 0]),
            "deg",
        ),
        ConstraintState(
            Constraint.MOON_SEPARATION,
            passed[Constraint.MOON_SEPARATION],
            float(ev.moon_separation_deg[0, 0]),
            float(ev.required_moon_separation_deg[0, 0]) if moon_up else None,
            "deg",
        ),
        ConstraintState(
            Constraint.MOON_ILLUMINATION,
            passed[Constraint.MOON_ILLUMINATION],
            float(sky.moon_illumination[0]),
            float(one.max_moon_illumination[0]) if moon_up else None,
            "fraction",
        ),
        ConstraintState(
            Constraint.DARKNESS,
            passed[Constraint.DARKNESS],
            float(sky.sun_altitude_deg[0]),
            None if one.bypass_darkness[0] else float(one.max_sun_altitude_deg[0]),
            "deg",
        ),
        ConstraintState(
            Constraint.TIME_WINDOW,
            passed[Constraint.TIME_WINDOW],
            t0,
            float(one.window_end[0]) if t0 > one.window_end[0] else float(one.window_start[0]),
            "unix_s",
        ),
        ConstraintState(Constraint.RESERVATION, passed[Constraint.RESERVATION], None, None, ""),
    )


@dataclass(frozen=True, slots=True)
class Schedulability:
    """Result of the submission check.

    Attributes
    ----------
    schedulable : bool
    reason : str or None
        Why it can never run (None when schedulable).
    per_site : dict of str -> str
        For each site, why it can never run there ("" when it can).
    first_start : tuple of (str, float) or None
        The earliest (site key, UTC POSIX seconds) it could start, if schedulable.
    """

    schedulable: bool
    reason: str | None
    per_site: dict[str, str]
    first_start: tuple[str, float] | None


def check_schedulable(
    sites: Mapping[str, Site],
    obs: ObservationSet,
    index: int,
    now: float,
    *,
    max_span_s: float = 366 * 86400.0,
    step_s: float = 600.0,
) -> Schedulability:
    """Decide whether observation ``index`` can ever run inside its window at any site.

    Weather, reservations and competing work are ignored (they can change); the geometric
    and calendar constraints are not. The check is conservative towards acceptance: a run
    counts as fitting when the constraints hold from one grid time to the next failing one.

    Parameters
    ----------
    sites : mapping of site key -> Site
        The observatories the observation may run on.
    obs : ObservationSet
    index : int
    now : float
        UTC POSIX seconds; the search covers ``[max(now, window_start), window_end]``,
        at most ``max_span_s`` long.
    max_span_s : float
        Longest span searched (seconds), default one year.
    step_s : float
        Search grid (seconds), default 10 minutes. The span is searched in two-week chunks,
        stopping at the first fit, so typical checks cost well under a second per site; a
        year with no fit costs a few seconds per site (run it off the event loop).

    Returns
    -------
    Schedulability
    """
    one = obs.take(np.array([index]))
    start = max(now, float(one.window_start[0]))
    end = min(float(one.window_end[0]), start + max_span_s)
    needed_total = float(min(one.min_block_s[0], one.remaining_s[0]))
    if one.fixed_time[0]:
        needed_total = float(min(one.min_block_s[0], one.window_end[0] - start))
    if end <= start:
        return Schedulability(False, "the time window has already closed", {}, None)
    if end - start < needed_total - _EPS_S:
        hours = (end - start) / 3600.0
        return Schedulability(
            False,
            f"the time window ({hours:.2f} h) is shorter than the block it needs "
            f"({needed_total / 3600.0:.2f} h)",
            {},
            None,
        )
    per_site: dict[str, str] = {}
    first: tuple[str, float] | None = None
    for key, site in sites.items():
        static = _never_high_enough(site, one)
        if static:
            per_site[key] = static
            continue
        found, why = _scan(site, one, start, end, step_s)
        per_site[key] = why
        if found is not None and (first is None or found < first[1]):
            first = (key, found)
    if first is not None:
        return Schedulability(True, None, per_site, first)
    reason = "; ".join(f"{key}: {why}" for key, why in per_site.items()) or "no eligible site"
    return Schedulability(False, reason, per_site, None)


_CHUNK_S = 14 * 86400.0
_CHUNK_OVERLAP_S = 86400.0
_SCAN_EPHEMERIS_STEP_S = 7200.0


def _scan(
    site: Site, one: ObservationSet, start: float, end: float, step_s: float
) -> tuple[float | None, str]:
    # Two-week chunks (each with its own ephemeris, overlapping by a day so no run is lost at
    # a boundary), stopping at the first chunk where the block fits.
    ever_passed = dict.fromkeys(Constraint, False)
    longest_s = -1.0
    needed_s = 0.0
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, chunk_start + _CHUNK_S + _CHUNK_OVERLAP_S)
        eph = compute_ephemeris(site, chunk_start, chunk_end, step_s=_SCAN_EPHEMERIS_STEP_S)
        times = grid(chunk_start, chunk_end, step_s)
        ev = evaluate(eph, one, times)
        ok = ev.all_passed[0]
        needed = _needed(one, times)
        needed_s = max(needed_s, float(np.max(needed)))
        # Optimistic run length: up to the next grid point that fails.
        run_s = open_until(ok[None, :], times)[0] - times + step_s
        with np.errstate(invalid="ignore"):
            fits = ok & (run_s >= needed - _EPS_S) & (needed > 0)
        starts = np.flatnonzero(fits)
        if starts.size:
            return float(times[starts[0]]), ""
        for constraint, mask in ev.passed.items():
            ever_passed[constraint] |= bool(mask[0].any())
        if ok.any():
            longest_s = max(longest_s, float(np.nanmax(run_s)))
        chunk_start += _CHUNK_S
    if longest_s >= 0:
        return None, (
            f"the longest stretch where all constraints hold is {longest_s / 3600.0:.2f} h, "
            f"shorter than the {needed_s / 3600.0:.2f} h block it needs"
        )
    never = [_LABELS[c] for c, passed in ever_passed.items() if not passed]
    if never:
        return None, "never satisfied: " + ", ".join(never)
    return None, "constraints never hold at the same time"


def _never_high_enough(site: Site, one: ObservationSet) -> str:
    # Geometry only: the highest the target ever gets (upper culmination) against the
    # altitude, airmass and horizon limits; no ephemeris needed.
    dec = float(one.targets.dec_deg[0])
    culmination = 90.0 - abs(site.lat_deg - dec)
    floor = float(one.min_altitude_deg[0])
    if np.isfinite(one.max_airmass[0]) and one.max_airmass[0] >= 1.0:
        floor = max(floor, float(np.degrees(np.arcsin(1.0 / one.max_airmass[0]))))
    elif np.isfinite(one.max_airmass[0]):
        return f"maximum airmass {float(one.max_airmass[0]):.2f} is below 1"
    if culmination < floor - 0.05:
        return (
            f"the target never rises above {culmination:.1f} deg there "
            f"(needs {floor:.1f} deg for altitude/airmass)"
        )
    # Longest time per day above the altitude floor (the diurnal arc, sidereal day).
    lat_r, dec_r, floor_r = np.radians(site.lat_deg), np.radians(dec), np.radians(floor)
    denominator = np.cos(lat_r) * np.cos(dec_r)
    if denominator > 1e-9 and not one.fixed_time[0]:
        cos_h = (np.sin(floor_r) - np.sin(lat_r) * np.sin(dec_r)) / denominator
        if cos_h > -1.0:
            arc_s = 2.0 * float(np.arccos(np.clip(cos_h, -1.0, 1.0))) / (2 * np.pi) * 86164.1
            needed = float(min(one.min_block_s[0], one.remaining_s[0]))
            if needed > arc_s + 600.0:
                return (
                    f"the target stays above {floor:.1f} deg for at most {arc_s / 3600.0:.2f} h "
                    f"a day there, shorter than the {needed / 3600.0:.2f} h block it needs"
                )
    # The diurnal path against the horizon mask.
    ha = np.radians(np.linspace(-180.0, 180.0, 1441))
    lat, d = np.radians(site.lat_deg), np.radians(dec)
    sin_alt = np.sin(lat) * np.sin(d) + np.cos(lat) * np.cos(d) * np.cos(ha)
    alt = np.degrees(np.arcsin(np.clip(sin_alt, -1.0, 1.0)))
    az = np.degrees(
        np.arctan2(
            -np.cos(d) * np.sin(ha), np.sin(d) * np.cos(lat) - np.cos(d) * np.cos(ha) * np.sin(lat)
        )
    )
    clear = (alt >= site.horizon.altitude_at(np.mod(az, 360.0)) - 0.05) & (alt >= floor - 0.05)
    if not clear.any():
        return "the target never clears the observatory's horizon mask above its limits"
    return ""


_LABELS = {
    Constraint.ALTITUDE: "minimum altitude",
    Constraint.AIRMASS: "maximum airmass",
    Constraint.HORIZON: "horizon mask",
    Constraint.MOON_SEPARATION: "moon separation",
    Constraint.MOON_ILLUMINATION: "moon illumination",
    Constraint.DARKNESS: "darkness",
    Constraint.TIME_WINDOW: "time window",
    Constraint.RESERVATION: "reservation",
}
