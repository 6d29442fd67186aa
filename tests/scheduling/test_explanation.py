""" "Why not now" and the submission check, against astropy's view of the sky."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body
from astropy.time import Time

from domain.scheduling.constraints import Constraint
from domain.scheduling.dispatch import WaitReason
from domain.scheduling.ephemeris import Ephemeris, compute_ephemeris
from domain.scheduling.explanation import check_schedulable, why_not_now
from domain.scheduling.models import ObservatoryState, Site, make_observations
from tests.scheduling.sky import (
    LOCATION,
    NIGHT_END,
    NIGHT_START,
    NOW,
    SITE,
    frame,
    moon_radec,
    offset,
    radec_at,
)

NORTH = Site(lat_deg=52.0, lon_deg=5.0, elevation_m=10.0)
NORTH_LOCATION = EarthLocation.from_geodetic(
    NORTH.lon_deg * u.deg, NORTH.lat_deg * u.deg, NORTH.elevation_m * u.m
)


@pytest.fixture(scope="module")
def eph() -> Ephemeris:
    return compute_ephemeris(SITE, NIGHT_START, NIGHT_END)


def test_why_not_now_lists_each_constraint_with_astropy_values(eph: Ephemeris) -> None:
    # given a target 5 deg from the Moon, otherwise well placed
    ra, dec = offset(*moon_radec(), 5.0)
    obs = make_observations([ra], [dec], remaining_s=600)
    target = SkyCoord(ra * u.deg, dec * u.deg).transform_to(frame(NOW))
    moon = get_body("moon", Time(NOW, format="unix"), location=LOCATION).transform_to(frame(NOW))

    # when
    (site,) = why_not_now({"pachon": eph}, {}, obs, 0, NOW)

    # then
    states = {state.constraint: state for state in site.constraints}
    assert site.site_key == "pachon"
    assert not site.observable_now
    assert not site.fits_now
    assert not states[Constraint.MOON_SEPARATION].passed
    assert states[Constraint.MOON_SEPARATION].value == pytest.approx(
        float(target.separation(moon).deg), abs=0.05
    )
    assert states[Constraint.ALTITUDE].passed
    assert states[Constraint.ALTITUDE].value == pytest.approx(float(target.alt.deg), abs=0.02)
    assert states[Constraint.DARKNESS].passed
    assert set(site.score) >= {"setting", "window", "completion", "airmass", "total"}


def test_why_not_now_gives_the_next_time_it_could_run(eph: Ephemeris) -> None:
    # given a high target whose window opens in an hour
    ra, dec = radec_at(70, 150)
    obs = make_observations([ra], [dec], window_start=NOW + 3600.0, remaining_s=600)
    state = ObservatoryState(safe=False)

    # when
    (site,) = why_not_now({"pachon": eph}, {"pachon": state}, obs, 0, NOW)

    # then
    states = {s.constraint: s for s in site.constraints}
    assert not states[Constraint.TIME_WINDOW].passed
    assert site.gate is WaitReason.UNSAFE
    assert site.next_eligible == NOW + 3600.0


def test_target_that_never_rises_is_rejected_with_the_reason() -> None:
    # given dec -80 at latitude +52: astropy's highest altitude over a day is negative
    obs = make_observations([10.0], [-80.0])
    times = Time(NOW, format="unix") + np.linspace(0, 1, 97) * u.day
    highest = (
        SkyCoord(10.0 * u.deg, -80.0 * u.deg)
        .transform_to(AltAz(obstime=times, location=NORTH_LOCATION))
        .alt.deg.max()
    )
    assert highest < 0

    # when
    result = check_schedulable({"north": NORTH}, obs, 0, NOW)

    # then
    assert not result.schedulable
    assert result.reason is not None
    assert "never rises above" in result.reason


def test_window_shorter_than_the_block_is_rejected() -> None:
    obs = make_observations(
        [10.0], [0.0], remaining_s=7200, window_start=NOW, window_end=NOW + 3600
    )

    result = check_schedulable({"pachon": SITE}, obs, 0, NOW)

    assert not result.schedulable
    assert result.reason is not None
    assert "shorter than the block" in result.reason


def test_window_in_daylight_only_is_rejected_for_darkness() -> None:
    # given a two-hour window around local noon at Pachon (16:45 UTC), target overhead then
    noon = Time("2026-03-28T16:45:00", scale="utc").unix
    ra, dec = radec_at(80, 0, noon)
    obs = make_observations(
        [ra], [dec], remaining_s=1800, window_start=noon - 3600, window_end=noon + 3600
    )
    sun = get_body("sun", Time(noon, format="unix"), location=LOCATION).transform_to(frame(noon))
    assert sun.alt.deg > 40

    # when
    result = check_schedulable({"pachon": SITE}, obs, 0, noon - 7200)

    # then
    assert not result.schedulable
    assert result.per_site["pachon"] == "never satisfied: darkness"


def test_schedulable_observation_reports_its_first_start() -> None:
    # given a target that astropy puts at 70 deg tonight at Pachon
    ra, dec = radec_at(70, 150)
    obs = make_observations([ra], [dec], remaining_s=1800)

    # when
    result = check_schedulable(
        {"north": NORTH, "pachon": SITE}, obs, 0, NIGHT_START, max_span_s=86400.0
    )

    # then
    assert result.schedulable
    assert result.first_start is not None
    assert result.first_start[0] == "pachon"
    assert NIGHT_START <= result.first_start[1] <= NOW
    assert result.per_site["pachon"] == ""


def test_block_longer_than_the_daily_arc_is_rejected() -> None:
    # given a 14-hour block for dec +20 at latitude +30 (limit 30 deg); astropy: the target
    # spends under 9 hours a day above 30 deg
    site = Site(lat_deg=30.0, lon_deg=0.0)
    location = EarthLocation.from_geodetic(0.0 * u.deg, 30.0 * u.deg, 0.0 * u.m)
    times = Time(NOW, format="unix") + np.arange(0, 1440) * u.min
    altitude = (
        SkyCoord(100.0 * u.deg, 20.0 * u.deg)
        .transform_to(AltAz(obstime=times, location=location))
        .alt.deg
    )
    assert np.sum(altitude >= 30.0) / 60.0 < 9.0
    obs = make_observations([100.0], [20.0], remaining_s=14 * 3600.0, min_altitude_deg=30.0)

    # when
    result = check_schedulable({"site": site}, obs, 0, NOW)

    # then
    assert not result.schedulable
    assert "for at most 8.8" in result.per_site["site"]
