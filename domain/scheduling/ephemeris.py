"""Per-site, per-night ephemeris: astropy once, then plain numpy for any number of targets.

:func:`compute_ephemeris` is the only place the scheduling core calls astropy. For a site
and a span of time it computes, on a regular grid: the apparent topocentric Sun and Moon,
the Moon's illuminated fraction and age, and the Earth-orientation quantities (Earth rotation
angle, polar motion, the bias-precession-nutation matrix and the observer's velocity for
aberration). Everything else is numpy on arrays of targets × times.

Apparent places follow astropy's ICRS -> AltAz chain (``erfa.apco`` + ``atciqz`` +
``atioq``) with pressure 0, i.e. **no refraction**, as astroplan does by default:

* ICRS direction -> annual + diurnal aberration (observer velocity at the reference time,
  the middle of the span) -> bias-precession-nutation -> CIRS, once per target;
* CIRS -> (-HA, Dec) through the local Earth rotation angle ``eral(t)``, polar motion,
  then to (north, east, up) through the geodetic latitude: one rotation matrix per time.

Neglected, with their size: Solar light deflection (< 0.01" more than 30° from the Sun), the
change of aberration and precession-nutation across a 24 h span (< 0.4"), UT1-UTC drift
within the span (< 0.01"). Sun and Moon are interpolated with cubic splines in CIRS between
grid points (< 1" for grid steps up to 30 minutes).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.scheduling.models import FloatArray, Site

SYNODIC_MONTH_DAYS = 29.530588853
"""Mean synodic month (days)."""

_SIDEREAL_RATE_RAD_S = 2.0 * math.pi * 1.00273781191135448 / 86400.0
_OBLIQUITY_RAD = math.radians(23.4392911)

_iers_configured = False


def configure_offline_iers() -> None:
    """Use the IERS tables shipped with ``astropy-iers-data``; never download at run time.

    Predictions older than astropy's default maximum age are accepted (``auto_max_age =
    None``): the shipped IERS-A predictions are good to well under a second of UT1 for a year,
    far below what scheduling needs.
    """
    global _iers_configured
    if _iers_configured:
        return
    from astropy.utils import iers

    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    _iers_configured = True


@dataclass(frozen=True, slots=True, eq=False)
class Ephemeris:
    """Sun, Moon and Earth orientation for one site over a span of time.

    Attributes
    ----------
    site : Site
    times : float array, shape (G,)
        Grid times (UTC POSIX seconds), regular, increasing.
    ref_time : float
        Reference time (UTC POSIX seconds) of the Earth-rotation model.
    era_ref_rad : float
        Local Earth rotation angle at ``ref_time`` (radians).
    cirs_to_local_fixed : float array, shape (3, 3)
        Polar motion and latitude: (-HA, Dec) Cartesian -> (north, east, up).
    bpn : float array, shape (3, 3)
        Bias-precession-nutation matrix at ``ref_time`` (GCRS -> CIRS).
    observer_velocity : float array, shape (3,)
        Observer's barycentric velocity in units of c at ``ref_time`` (for aberration).
    bm1 : float
        sqrt(1 - |v|^2), the reciprocal Lorentz factor.
    equation_of_origins_rad : float
        Earth rotation angle minus apparent sidereal time (radians) at ``ref_time``.
    sun_cirs, moon_cirs : float array, shape (G, 3)
        Apparent topocentric directions of the Sun and Moon in CIRS (unit vectors).
    moon_illumination : float array, shape (G,)
        Moon illuminated fraction 0..1 (geocentric, as astroplan computes it).
    moon_age_days : float array, shape (G,)
        Days since new moon from the Moon-Sun ecliptic longitude difference
        (0 new, 14.77 full).
    """

    site: Site
    times: FloatArray
    ref_time: float
    era_ref_rad: float
    cirs_to_local_fixed: FloatArray
    bpn: FloatArray
    observer_velocity: FloatArray
    bm1: float
    equation_of_origins_rad: float
    sun_cirs: FloatArray
    moon_cirs: FloatArray
    moon_illumination: FloatArray
    moon_age_days: FloatArray

    @property
    def start(self) -> float:
        """First grid time (UTC POSIX seconds)."""
        return float(self.times[0])

    @property
    def end(self) -> float:
        """Last grid time (UTC POSIX seconds)."""
        return float(self.times[-1])

    def rotation(self, times: FloatArray) -> FloatArray:
        """CIRS -> local (north, east, up) rotation matrices, shape (T, 3, 3).

        Parameters
        ----------
        times : float array, shape (T,)
            UTC POSIX seconds.
        """
        era = self.era_ref_rad + _SIDEREAL_RATE_RAD_S * (np.asarray(times) - self.ref_time)
        c, s = np.cos(era), np.sin(era)
        spin = np.zeros((era.shape[0], 3, 3))
        spin[:, 0, 0] = c
        spin[:, 0, 1] = s
        spin[:, 1, 0] = -s
        spin[:, 1, 1] = c
        spin[:, 2, 2] = 1.0
        result: FloatArray = np.matmul(self.cirs_to_local_fixed, spin)
        return result

    def apparent(self, icrs_unit: FloatArray) -> FloatArray:
        """ICRS unit vectors (N, 3) -> apparent topocentric CIRS unit vectors (N, 3).

        Aberration (special-relativistic, as ``erfa.ab`` without the tiny Solar term) and
        bias-precession-nutation at the reference time.
        """
        v = self.observer_velocity
        pdv = icrs_unit @ v
        w1 = 1.0 + pdv / (1.0 + self.bm1)
        p = icrs_unit * self.bm1 + w1[:, None] * v[None, :]
        p /= np.linalg.norm(p, axis=1, keepdims=True)
        return p @ self.bpn.T

    def sun_local(self, times: FloatArray) -> FloatArray:
        """Sun (north, east, up) unit vectors at ``times``, shape (T, 3)."""
        return _to_local(self.rotation(times), self._interp(self.sun_cirs, times))

    def moon_cirs_at(self, times: FloatArray) -> FloatArray:
        """Moon apparent CIRS unit vectors at ``times``, shape (T, 3)."""
        return self._interp(self.moon_cirs, times)

    def moon_local(self, times: FloatArray) -> FloatArray:
        """Moon (north, east, up) unit vectors at ``times``, shape (T, 3)."""
        return _to_local(self.rotation(times), self.moon_cirs_at(times))

    def sun_altitude_deg(self, times: FloatArray) -> FloatArray:
        """Sun altitude (degrees, no refraction) at ``times``."""
        return np.degrees(np.arcsin(np.clip(self.sun_local(times)[:, 2], -1.0, 1.0)))

    def moon_altitude_deg(self, times: FloatArray) -> FloatArray:
        """Moon altitude (degrees, topocentric, no refraction) at ``times``."""
        return np.degrees(np.arcsin(np.clip(self.moon_local(times)[:, 2], -1.0, 1.0)))

    def moon_illumination_at(self, times: FloatArray) -> FloatArray:
        """Moon illuminated fraction 0..1 at ``times`` (linear interpolation)."""
        return np.interp(times, self.times, self.moon_illumination)

    def moon_age_days_at(self, times: FloatArray) -> FloatArray:
        """Moon age (days since new) at ``times`` (linear interpolation, unwrapped)."""
        unwrapped = np.unwrap(self.moon_age_days, period=SYNODIC_MONTH_DAYS)
        return np.mod(np.interp(times, self.times, unwrapped), SYNODIC_MONTH_DAYS)

    def local_sidereal_time_deg(self, times: FloatArray) -> FloatArray:
        """Local apparent sidereal time (degrees), equinox-based, at ``times``.

        The local Earth rotation angle minus the equation of the origins (from astropy at the
        reference time; it drifts by 0.003" per day).
        """
        era = self.era_ref_rad + _SIDEREAL_RATE_RAD_S * (np.asarray(times) - self.ref_time)
        return np.mod(np.degrees(era - self.equation_of_origins_rad), 360.0)

    def _interp(self, vectors: FloatArray, times: FloatArray) -> FloatArray:
        from scipy.interpolate import CubicSpline

        clipped = np.clip(times, self.times[0], self.times[-1])
        out: FloatArray = CubicSpline(self.times, vectors, axis=0)(clipped)
        return out / np.linalg.norm(out, axis=-1, keepdims=True)


def _to_local(rotation: FloatArray, cirs: FloatArray) -> FloatArray:
    result: FloatArray = np.einsum("tij,tj->ti", rotation, cirs)
    return result


def local_vectors(eph: Ephemeris, apparent: FloatArray, times: FloatArray) -> FloatArray:
    """Targets' (north, east, up) unit vectors, shape (N, T, 3).

    Parameters
    ----------
    apparent : float array, shape (N, 3)
        From :meth:`Ephemeris.apparent`.
    times : float array, shape (T,)
        UTC POSIX seconds.
    """
    result: FloatArray = np.einsum("tij,nj->nti", eph.rotation(times), apparent)
    return result


def sin_altitude(eph: Ephemeris, apparent: FloatArray, times: FloatArray) -> FloatArray:
    """Sine of the targets' altitude, shape (N, T) (cheaper than full alt/az)."""
    up_rows = eph.rotation(times)[:, 2, :]  # (T, 3)
    return apparent @ up_rows.T


def altaz_deg(
    eph: Ephemeris, apparent: FloatArray, times: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Targets' altitude and azimuth (degrees, no refraction), each shape (N, T)."""
    local = local_vectors(eph, apparent, times)
    alt = np.degrees(np.arcsin(np.clip(local[..., 2], -1.0, 1.0)))
    az = np.mod(np.degrees(np.arctan2(local[..., 1], local[..., 0])), 360.0)
    return alt, az


def compute_ephemeris(site: Site, start: float, end: float, step_s: float = 1800.0) -> Ephemeris:
    """Compute the ephemeris of ``site`` from ``start`` to ``end`` with astropy.

    Meant for a night up to a couple of weeks: aberration and precession-nutation are taken
    at the middle of the span (< 0.001 degrees over 14 days, about 0.013 over a year).

    Parameters
    ----------
    site : Site
    start, end : float
        UTC POSIX seconds; the grid covers [start, end] (end rounded up to a whole step).
    step_s : float
        Grid step (seconds) for the Sun and Moon, interpolated by cubic splines in CIRS; the
        default 30 minutes keeps the interpolation error below 1".

    Returns
    -------
    Ephemeris
    """
    if end <= start:
        raise ValueError("end must be after start")
    configure_offline_iers()
    import astropy.units as u
    from astropy.coordinates import (
        AltAz,
        EarthLocation,
        get_body,
    )
    from astropy.coordinates.erfa_astrom import erfa_astrom
    from astropy.time import Time

    count = max(4, math.ceil((end - start) / step_s) + 1)
    grid = start + step_s * np.arange(count, dtype=np.float64)
    location = EarthLocation.from_geodetic(
        site.lon_deg * u.deg, site.lat_deg * u.deg, site.elevation_m * u.m
    )
    with warnings.catch_warnings():
        _filter_future_date_warnings()
        times = Time(grid, format="unix", scale="utc")
        frame = AltAz(obstime=times, location=location)  # pressure 0: no refraction
        mid = count // 2
        astrom = erfa_astrom.get().apco(AltAz(obstime=times[mid], location=location))
        sun_altaz = get_body("sun", times, location=location).transform_to(frame)
        moon_altaz = get_body("moon", times, location=location).transform_to(frame)
        sun_geo = get_body("sun", times).cartesian.xyz.to_value(u.au).T
        moon_geo = get_body("moon", times).cartesian.xyz.to_value(u.au).T
        last_ref = times[mid].sidereal_time("apparent", longitude=location.lon)

    fixed = _cirs_to_local_fixed(
        float(astrom["xpl"]), float(astrom["ypl"]), float(astrom["sphi"]), float(astrom["cphi"])
    )
    era_ref = float(astrom["eral"])

    eph = Ephemeris(
        site=site,
        times=grid,
        ref_time=float(grid[mid]),
        era_ref_rad=era_ref,
        cirs_to_local_fixed=fixed,
        bpn=np.asarray(astrom["bpn"], dtype=np.float64),
        observer_velocity=np.asarray(astrom["v"], dtype=np.float64),
        bm1=float(astrom["bm1"]),
        equation_of_origins_rad=float(era_ref - last_ref.to_value(u.rad)),
        sun_cirs=np.zeros((count, 3)),
        moon_cirs=np.zeros((count, 3)),
        moon_illumination=_illumination(sun_geo, moon_geo),
        moon_age_days=_moon_age_days(sun_geo, moon_geo),
    )
    # Sun and Moon back from astropy's AltAz into CIRS (the transpose of our rotation), where
    # they move slowly enough to interpolate.
    rotation = eph.rotation(grid)
    return replace(
        eph,
        sun_cirs=np.einsum("tji,tj->ti", rotation, _local_from_altaz(sun_altaz)),
        moon_cirs=np.einsum("tji,tj->ti", rotation, _local_from_altaz(moon_altaz)),
    )


def _filter_future_date_warnings() -> None:
    from astropy.utils.exceptions import AstropyWarning

    # Dates past the leap-second table's horizon: ERFA flags them "dubious" and assumes no
    # new leap second; at worst one second of time error (0.004 degrees), fine for scheduling.
    # (erfa.ErfaWarning is a UserWarning; matched by its message to keep the filter narrow.)
    warnings.filterwarnings(
        "ignore", message='ERFA function "\\w+" yielded .*dubious year', category=UserWarning
    )
    # Dates past the shipped IERS predictions: astropy uses the 50-year mean polar motion
    # (error < 0.3") and UT1-UTC = 0 (error < 1 s); both are below scheduling resolution.
    warnings.filterwarnings("ignore", message="Tried to get polar motions", category=AstropyWarning)


def _cirs_to_local_fixed(xpl: float, ypl: float, sphi: float, cphi: float) -> FloatArray:
    # Polar motion as erfa.atioq applies it, then (-HA, Dec) -> (north, east, up).
    sx, cx, sy, cy = math.sin(xpl), math.cos(xpl), math.sin(ypl), math.cos(ypl)
    polar = np.array(
        [[cx, 0.0, sx], [sx * sy, cy, -cx * sy], [-sx * cy, sy, cx * cy]], dtype=np.float64
    )
    latitude = np.array([[-sphi, 0.0, cphi], [0.0, 1.0, 0.0], [cphi, 0.0, sphi]], dtype=np.float64)
    return latitude @ polar


def _local_from_altaz(altaz: Any) -> FloatArray:
    alt = np.radians(np.asarray(altaz.alt.deg, dtype=np.float64))
    az = np.radians(np.asarray(altaz.az.deg, dtype=np.float64))
    cos_alt = np.cos(alt)
    return np.stack([cos_alt * np.cos(az), cos_alt * np.sin(az), np.sin(alt)], axis=-1)


def _illumination(sun: FloatArray, moon: FloatArray) -> FloatArray:
    # Same geometry as astroplan.moon_illumination: phase angle from geocentric positions.
    sun_dist = np.linalg.norm(sun, axis=1)
    moon_dist = np.linalg.norm(moon, axis=1)
    cos_elong = np.einsum("ij,ij->i", sun, moon) / (sun_dist * moon_dist)
    elong = np.arccos(np.clip(cos_elong, -1.0, 1.0))
    phase = np.arctan2(sun_dist * np.sin(elong), moon_dist - sun_dist * np.cos(elong))
    result: NDArray[np.float64] = (1.0 + np.cos(phase)) / 2.0
    return result


def _moon_age_days(sun: FloatArray, moon: FloatArray) -> FloatArray:
    # Ecliptic longitudes (mean obliquity is ample here), difference as a fraction of the
    # synodic month.
    def ecliptic_longitude(vec: FloatArray) -> FloatArray:
        y = vec[:, 1] * math.cos(_OBLIQUITY_RAD) + vec[:, 2] * math.sin(_OBLIQUITY_RAD)
        return np.arctan2(y, vec[:, 0])

    delta = np.mod(ecliptic_longitude(moon) - ecliptic_longitude(sun), 2.0 * math.pi)
    result: NDArray[np.float64] = delta / (2.0 * math.pi) * SYNODIC_MONTH_DAYS
    return result
