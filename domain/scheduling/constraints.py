"""Observing constraints evaluated for observations × times, vectorised.

Each constraint is a boolean array of shape (N, T). :func:`observable` combines them cheaply
(comparisons on sines and cosines, horizon only where it can bind) for dispatch and night
plans; :func:`evaluate` returns every constraint separately with the values behind it for
"why not now". Both use the same comparisons, so they always agree.

Definitions (all inclusive, no refraction, topocentric):

* altitude: ``alt >= min_altitude_deg``;
* airmass: ``sec(z) = 1 / sin(alt) <= max_airmass`` (astroplan's ``secz``); no limit if inf;
* horizon: ``alt >= horizon.altitude_at(az)``;
* moon separation: ``sep >= required`` (Lorentzian, see :mod:`domain.scheduling.moon`), or
  the Moon is below the horizon (its altitude < 0);
* moon illumination: ``illumination <= max_moon_illumination``, or the Moon is below the
  horizon;
* darkness: ``sun_alt <= max_sun_altitude_deg``, or ``bypass_darkness``;
* time window: ``window_start <= t <= window_end``;
* reservation: no reservation covers ``t`` (``start <= t < end``) unless it lists the
  observation's project.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from domain.scheduling.ephemeris import Ephemeris, altaz_deg, sin_altitude
from domain.scheduling.models import BoolArray, FloatArray, ObservationSet, Reservation
from domain.scheduling.moon import required_moon_separation_deg


class Constraint(enum.Enum):
    """The constraints the engine checks, in the order explanations list them."""

    ALTITUDE = "altitude"
    AIRMASS = "airmass"
    HORIZON = "horizon"
    MOON_SEPARATION = "moon_separation"
    MOON_ILLUMINATION = "moon_illumination"
    DARKNESS = "darkness"
    TIME_WINDOW = "time_window"
    RESERVATION = "reservation"


@dataclass(frozen=True, slots=True, eq=False)
class SkyState:
    """Sun and Moon at the evaluation times (each shape (T,))."""

    times: FloatArray
    sun_altitude_deg: FloatArray
    moon_altitude_deg: FloatArray
    moon_illumination: FloatArray
    moon_age_days: FloatArray
    moon_cirs: FloatArray


def sky_state(eph: Ephemeris, times: FloatArray) -> SkyState:
    """Sun altitude (degrees), Moon altitude (degrees), illumination and age at ``times``."""
    return SkyState(
        times=times,
        sun_altitude_deg=eph.sun_altitude_deg(times),
        moon_altitude_deg=eph.moon_altitude_deg(times),
        moon_illumination=eph.moon_illumination_at(times),
        moon_age_days=eph.moon_age_days_at(times),
        moon_cirs=eph.moon_cirs_at(times),
    )


def min_sin_altitude(obs: ObservationSet) -> FloatArray:
    """Sine of the lowest altitude the altitude and airmass limits allow, shape (N,)."""
    sin_min_alt = np.sin(np.radians(obs.min_altitude_deg))
    with np.errstate(divide="ignore"):
        sin_airmass = np.where(np.isfinite(obs.max_airmass), 1.0 / obs.max_airmass, -1.0)
    result: FloatArray = np.maximum(sin_min_alt, sin_airmass)
    return result


def observable(
    eph: Ephemeris,
    obs: ObservationSet,
    times: FloatArray,
    reservations: tuple[Reservation, ...] = (),
    *,
    apparent: FloatArray | None = None,
    sky: SkyState | None = None,
    sin_alt: FloatArray | None = None,
) -> BoolArray:
    """Whether every constraint holds, shape (N, T).

    Parameters
    ----------
    eph : Ephemeris
        Must cover ``times``.
    obs : ObservationSet
    times : float array, shape (T,)
        UTC POSIX seconds.
    reservations : tuple of Reservation
    apparent, sky, sin_alt : optional
        Precomputed ``eph.apparent(obs.targets.unit_vectors())``, ``sky_state(eph, times)``
        and ``sin_altitude(eph, apparent, times)``, to share work between calls.

    Returns
    -------
    bool array, shape (N, T)
    """
    if apparent is None:
        apparent = eph.apparent(obs.targets.unit_vectors())
    if sky is None:
        sky = sky_state(eph, times)
    ok = _time_gates(obs, times, reservations)
    ok &= _darkness_ok(obs, sky)
    ok &= _illumination_ok(obs, sky)
    if sin_alt is None:
        sin_alt = sin_altitude(eph, apparent, times)
    ok &= sin_alt >= min_sin_altitude(obs)[:, None]
    rows = _horizon_rows(eph, obs)
    if rows.size:
        alt, az = altaz_deg(eph, apparent[rows], times)
        ok[rows] &= alt >= eph.site.horizon.altitude_at(az)
    ok &= _moon_separation_ok(obs, apparent @ sky.moon_cirs.T, sky)
    return ok


@dataclass(frozen=True, slots=True, eq=False)
class ConstraintEvaluation:
    """Every constraint separately, with the values behind them.

    Attributes
    ----------
    times : float array, shape (T,)
    sky : SkyState
    altitude_deg, azimuth_deg, airmass : float arrays, shape (N, T)
        Airmass is ``inf`` at or below the horizon.
    horizon_altitude_deg : float array, shape (N, T)
        The horizon mask at the target's azimuth (degrees).
    moon_separation_deg, required_moon_separation_deg : float arrays, shape (N, T)
    passed : dict of Constraint -> bool array, shape (N, T)
    """

    times: FloatArray
    sky: SkyState
    altitude_deg: FloatArray
    azimuth_deg: FloatArray
    airmass: FloatArray
    horizon_altitude_deg: FloatArray
    moon_separation_deg: FloatArray
    required_moon_separation_deg: FloatArray
    passed: dict[Constraint, BoolArray]

    @property
    def all_passed(self) -> BoolArray:
        """Every constraint holds, shape (N, T)."""
        result = np.ones_like(self.altitude_deg, dtype=np.bool_)
        for mask in self.passed.values():
            result &= mask
        return result


def evaluate(
    eph: Ephemeris,
    obs: ObservationSet,
    times: FloatArray,
    reservations: tuple[Reservation, ...] = (),
) -> ConstraintEvaluation:
    """Evaluate each constraint separately (for explanations; heavier than observable).

    Parameters
    ----------
    eph : Ephemeris
    obs : ObservationSet
    times : float array, shape (T,)
        UTC POSIX seconds.
    reservations : tuple of Reservation

    Returns
    -------
    ConstraintEvaluation
    """
    apparent = eph.apparent(obs.targets.unit_vectors())
    sky = sky_state(eph, times)
    sin_alt = sin_altitude(eph, apparent, times)
    alt, az = altaz_deg(eph, apparent, times)
    with np.errstate(divide="ignore"):
        airmass = np.where(sin_alt > 0.0, 1.0 / np.where(sin_alt > 0, sin_alt, 1.0), np.inf)
    sin_min_alt = np.sin(np.radians(obs.min_altitude_deg))[:, None]
    with np.errstate(divide="ignore"):
        sin_airmass = np.where(np.isfinite(obs.max_airmass), 1.0 / obs.max_airmass, -1.0)
    horizon_alt = eph.site.horizon.altitude_at(az)
    cos_sep = apparent @ sky.moon_cirs.T
    required = required_moon_separation_deg(
        sky.moon_age_days[None, :],
        obs.moon_distance_deg[:, None],
        obs.moon_width_days[:, None],
    )
    shape = sin_alt.shape
    window = (times[None, :] >= obs.window_start[:, None]) & (
        times[None, :] <= obs.window_end[:, None]
    )
    passed = {
        Constraint.ALTITUDE: sin_alt >= sin_min_alt,
        Constraint.AIRMASS: sin_alt >= sin_airmass[:, None],
        Constraint.HORIZON: alt >= horizon_alt,
        Constraint.MOON_SEPARATION: _moon_separation_ok(obs, cos_sep, sky),
        Constraint.MOON_ILLUMINATION: np.broadcast_to(_illumination_ok(obs, sky), shape).copy(),
        Constraint.DARKNESS: np.broadcast_to(_darkness_ok(obs, sky), shape).copy(),
        Constraint.TIME_WINDOW: window,
        Constraint.RESERVATION: _reservation_ok(obs, times, reservations),
    }
    return ConstraintEvaluation(
        times=times,
        sky=sky,
        altitude_deg=alt,
        azimuth_deg=az,
        airmass=airmass,
        horizon_altitude_deg=horizon_alt,
        moon_separation_deg=np.degrees(np.arccos(np.clip(cos_sep, -1.0, 1.0))),
        required_moon_separation_deg=required,
        passed=passed,
    )


def _time_gates(
    obs: ObservationSet, times: FloatArray, reservations: tuple[Reservation, ...]
) -> BoolArray:
    ok: BoolArray = (times[None, :] >= obs.window_start[:, None]) & (
        times[None, :] <= obs.window_end[:, None]
    )
    if reservations:
        ok &= _reservation_ok(obs, times, reservations)
    return ok


def _reservation_ok(
    obs: ObservationSet, times: FloatArray, reservations: tuple[Reservation, ...]
) -> BoolArray:
    ok = np.ones((len(obs), times.shape[0]), dtype=np.bool_)
    for reservation in reservations:
        covered = (times >= reservation.start) & (times < reservation.end)
        if not covered.any():
            continue
        allowed = np.isin(obs.project, np.fromiter(reservation.projects, dtype=np.int64))
        ok &= ~(covered[None, :] & ~allowed[:, None])
    return ok


def _darkness_ok(obs: ObservationSet, sky: SkyState) -> BoolArray:
    result: BoolArray = obs.bypass_darkness[:, None] | (
        sky.sun_altitude_deg[None, :] <= obs.max_sun_altitude_deg[:, None]
    )
    return result


def _illumination_ok(obs: ObservationSet, sky: SkyState) -> BoolArray:
    moon_down = sky.moon_altitude_deg < 0.0
    result: BoolArray = moon_down[None, :] | (
        sky.moon_illumination[None, :] <= obs.max_moon_illumination[:, None]
    )
    return result


def _moon_separation_ok(obs: ObservationSet, cos_sep: FloatArray, sky: SkyState) -> BoolArray:
    # The Lorentzian threshold depends on the observation only through (distance, width):
    # compute it once per distinct pair, then gather.
    moon_down = sky.moon_altitude_deg < 0.0
    if moon_down.all():
        return np.ones(cos_sep.shape, dtype=np.bool_)
    pairs = obs.moon_distance_deg + 1j * obs.moon_width_days
    unique, inverse = np.unique(pairs, return_inverse=True)
    required = required_moon_separation_deg(
        sky.moon_age_days[None, :], unique.real[:, None], unique.imag[:, None]
    )
    cos_required = np.cos(np.radians(required))
    result: BoolArray = moon_down[None, :] | (cos_sep <= cos_required[inverse])
    return result


def _horizon_rows(eph: Ephemeris, obs: ObservationSet) -> np.ndarray[tuple[int], np.dtype[np.intp]]:
    # The mask can only bind where it rises above the observation's own altitude floor.
    floor_deg = np.degrees(np.arcsin(np.clip(min_sin_altitude(obs), -1.0, 1.0)))
    return np.flatnonzero(eph.site.horizon.max_altitude_deg > floor_deg)
