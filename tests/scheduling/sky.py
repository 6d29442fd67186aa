"""Shared test sky: one site and night, and astropy helpers to place targets independently."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import (
    ICRS,
    AltAz,
    EarthLocation,
    GeocentricTrueEcliptic,
    SkyCoord,
    get_body,
)
from astropy.time import Time

from domain.scheduling.ephemeris import configure_offline_iers
from domain.scheduling.models import Site

configure_offline_iers()  # astropy below must not try to download IERS tables either

SYNODIC_MONTH_DAYS = 29.530588853

SITE = Site(lat_deg=-30.24, lon_deg=-70.74, elevation_m=2700.0)
LOCATION = EarthLocation.from_geodetic(
    SITE.lon_deg * u.deg, SITE.lat_deg * u.deg, SITE.elevation_m * u.m
)
NIGHT_START = Time("2026-03-27T22:00:00", scale="utc").unix
NIGHT_END = Time("2026-03-28T10:30:00", scale="utc").unix
# astropy: Sun at -41.8 deg, Moon up at +35.7 deg, 73% illuminated, waxing.
NOW = Time("2026-03-28T02:00:00", scale="utc").unix
DAYTIME = Time("2026-03-27T22:00:00", scale="utc").unix  # Sun at +8.9 deg


def frame(unix: float) -> AltAz:
    return AltAz(obstime=Time(unix, format="unix", scale="utc"), location=LOCATION)


def radec_at(alt_deg: float, az_deg: float, unix: float = NOW) -> tuple[float, float]:
    """ICRS (ra, dec) in degrees of the direction at (alt, az) at ``unix``, by astropy."""
    icrs = SkyCoord(alt=alt_deg * u.deg, az=az_deg * u.deg, frame=frame(unix)).transform_to(ICRS())
    return float(icrs.ra.deg), float(icrs.dec.deg)


def altaz_of(ra_deg: float, dec_deg: float, unix: float) -> tuple[float, float]:
    """Astropy's (alt, az) in degrees of an ICRS direction at ``unix``."""
    coord = SkyCoord(ra_deg * u.deg, dec_deg * u.deg).transform_to(frame(unix))
    return float(coord.alt.deg), float(coord.az.deg)


def moon_radec(unix: float = NOW) -> tuple[float, float]:
    """Astropy's topocentric apparent Moon direction, as ICRS (ra, dec) degrees."""
    moon = get_body("moon", Time(unix, format="unix", scale="utc"), location=LOCATION)
    observed = moon.transform_to(frame(unix))
    direction = SkyCoord(alt=observed.alt, az=observed.az, frame=frame(unix)).transform_to(ICRS())
    return float(direction.ra.deg), float(direction.dec.deg)


def offset(ra_deg: float, dec_deg: float, sep_deg: float) -> tuple[float, float]:
    """A direction ``sep_deg`` due north (or south near the pole) of (ra, dec), by astropy."""
    start = SkyCoord(ra_deg * u.deg, dec_deg * u.deg)
    angle = 0.0 if dec_deg < 0 else 180.0
    moved = start.directional_offset_by(angle * u.deg, sep_deg * u.deg)
    return float(moved.ra.deg), float(moved.dec.deg)


def crossing_time(ra_deg: float, dec_deg: float, alt_deg: float, start: float, end: float) -> float:
    """First time (UTC POSIX s, 1-s resolution) astropy puts the target below ``alt_deg``."""
    times = np.arange(start, end, 1.0)
    coord = SkyCoord(ra_deg * u.deg, dec_deg * u.deg).transform_to(
        AltAz(obstime=Time(times, format="unix", scale="utc"), location=LOCATION)
    )
    below = np.flatnonzero(coord.alt.deg < alt_deg)
    return float(times[below[0]])


def lorentzian_reference(times: Time, distance: float, width: float) -> np.ndarray:
    """ACP's Lorentzian moon distance (degrees) with the Moon's age from astropy.

    The age is the Moon-Sun difference of geocentric true ecliptic longitudes as a fraction of
    the mean synodic month.
    """
    sun = get_body("sun", times).transform_to(GeocentricTrueEcliptic(obstime=times))
    moon = get_body("moon", times).transform_to(GeocentricTrueEcliptic(obstime=times))
    age = ((moon.lon.deg - sun.lon.deg) % 360.0) / 360.0 * SYNODIC_MONTH_DAYS
    return distance / (1.0 + ((age - SYNODIC_MONTH_DAYS / 2.0) / width) ** 2)
