"""Horizon mask interpolation and the Lorentzian moon distance, against hand-computed values
and astropy."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import GeocentricTrueEcliptic, get_body
from astropy.time import Time

from domain.scheduling.ephemeris import compute_ephemeris
from domain.scheduling.horizon import HorizonMask
from domain.scheduling.moon import required_moon_separation_deg
from tests.scheduling.sky import NIGHT_END, NIGHT_START, SITE, SYNODIC_MONTH_DAYS


def test_horizon_mask_interpolates_linearly_and_wraps_at_north() -> None:
    # given points at azimuth 10 (30 deg) and 350 (10 deg) among others
    mask = HorizonMask.from_points([350, 10, 90, 180], [10, 30, 20, 0])

    # when
    values = mask.altitude_at(np.array([0.0, 360.0, -10.0, 50.0, 135.0, 265.0, 350.0]))

    # then: 0 is halfway between 350 and 10 across north
    np.testing.assert_allclose(values, [20.0, 20.0, 10.0, 25.0, 10.0, 5.0, 10.0])


def test_flat_horizon_is_constant() -> None:
    mask = HorizonMask.flat(12.5)

    assert mask.max_altitude_deg == 12.5
    np.testing.assert_array_equal(mask.altitude_at(np.array([0.0, 123.0])), [12.5, 12.5])


def test_horizon_mask_rejects_unsorted_or_out_of_range_azimuths() -> None:
    with pytest.raises(ValueError, match="increase"):
        HorizonMask(np.array([10.0, 5.0]), np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="increase"):
        HorizonMask(np.array([0.0, 360.0]), np.array([0.0, 0.0]))


def test_lorentzian_is_full_at_full_moon_and_halved_one_width_away() -> None:
    # given the defaults: 60 deg at full moon, width 7 days
    full = SYNODIC_MONTH_DAYS / 2
    ages = np.array([full, full - 7.0, full + 7.0, 0.0])

    # when
    required = required_moon_separation_deg(ages, np.array(60.0), np.array(7.0))

    # then
    expected_new = 60.0 / (1.0 + (full / 7.0) ** 2)
    np.testing.assert_allclose(required, [60.0, 30.0, 30.0, expected_new])
    assert required[3] == pytest.approx(11.01, abs=0.01)


def test_moon_age_matches_astropy_ecliptic_longitudes() -> None:
    # given an ephemeris and astropy's Moon-Sun longitude difference
    eph = compute_ephemeris(SITE, NIGHT_START, NIGHT_END)
    times = np.linspace(NIGHT_START, NIGHT_END, 7)
    t = Time(times, format="unix", scale="utc")
    sun = get_body("sun", t).transform_to(GeocentricTrueEcliptic(obstime=t))
    moon = get_body("moon", t).transform_to(GeocentricTrueEcliptic(obstime=t))
    reference = ((moon.lon - sun.lon).wrap_at(360 * u.deg).deg / 360.0) * SYNODIC_MONTH_DAYS

    # when
    ours = eph.moon_age_days_at(times)

    # then (mean obliquity vs true ecliptic: well under an hour of age)
    np.testing.assert_allclose(ours, reference, atol=0.01)
