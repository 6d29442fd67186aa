"""Ephemeris beyond the shipped IERS and leap-second tables: no warnings leak, still accurate."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body
from astropy.time import Time
from astropy.utils.exceptions import AstropyWarning

from domain.scheduling.ephemeris import altaz_deg, compute_ephemeris
from domain.scheduling.models import Site, TargetSet

FUTURE = 1937779200.0  # 2031-06-01T00:00:00 UTC, past the IERS predictions shipped today
SITE = Site(lat_deg=40.0, lon_deg=-105.0, elevation_m=1600.0)


def test_future_night_computes_without_warnings_and_matches_astropy() -> None:
    # given a night five years ahead (pytest turns any warning into an error)
    eph = compute_ephemeris(SITE, FUTURE, FUTURE + 12 * 3600)
    times = np.linspace(FUTURE, FUTURE + 12 * 3600, 5)
    targets = TargetSet(np.array([10.0, 200.0]), np.array([20.0, -10.0]))

    # when
    alt, _ = altaz_deg(eph, eph.apparent(targets.unit_vectors()), times)
    sun = eph.sun_altitude_deg(times)

    # then astropy agrees (its own warnings about the same extrapolation filtered here)
    location = EarthLocation.from_geodetic(-105.0 * u.deg, 40.0 * u.deg, 1600.0 * u.m)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*dubious year", category=UserWarning)
        warnings.filterwarnings("ignore", message="Tried to get polar", category=AstropyWarning)
        t = Time(times, format="unix", scale="utc")
        frame = AltAz(obstime=t, location=location)
        ref = SkyCoord([10.0, 200.0] * u.deg, [20.0, -10.0] * u.deg)[:, None].transform_to(frame)
        ref_sun = get_body("sun", t, location=location).transform_to(frame)
    np.testing.assert_allclose(alt, ref.alt.deg, atol=0.02)
    np.testing.assert_allclose(sun, ref_sun.alt.deg, atol=0.02)
