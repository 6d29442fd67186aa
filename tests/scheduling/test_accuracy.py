"""Accuracy of the vectorised ephemeris and constraints against astropy and astroplan.

50 random sites (latitude -70..+70) each on a random night of 2026, 10 random targets × 10
random times per site: 5,000 (site, target, time) cases. References are computed by astropy
(AltAz transforms, get_body) and astroplan (its constraint classes), never by our code.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
import pytest
from astroplan import (
    AirmassConstraint,
    AltitudeConstraint,
    AtNightConstraint,
    FixedTarget,
    MoonIlluminationConstraint,
    Observer,
    moon_illumination,
)
from astropy.coordinates import (
    AltAz,
    EarthLocation,
    SkyCoord,
    get_body,
)
from astropy.time import Time

from domain.scheduling.constraints import Constraint, evaluate
from domain.scheduling.ephemeris import compute_ephemeris
from domain.scheduling.horizon import HorizonMask
from domain.scheduling.models import Site, make_observations
from tests.scheduling.sky import lorentzian_reference

SITES = 50
TARGETS = 10
TIMES = 10
YEAR_START = Time("2026-01-01T00:00:00", scale="utc").unix
TOLERANCE_DEG = 0.05  # booleans may differ only this close to a threshold


@dataclass(frozen=True)
class Case:
    site: Site
    ra_deg: np.ndarray
    dec_deg: np.ndarray
    times: np.ndarray
    limits: dict[str, float]


def random_cases(seed: int = 20261124) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(SITES):
        mask = HorizonMask.from_points(rng.uniform(0, 360, 6), rng.uniform(0, 35, 6))
        site = Site(
            lat_deg=float(rng.uniform(-70, 70)),
            lon_deg=float(rng.uniform(-180, 180)),
            elevation_m=float(rng.uniform(0, 3000)),
            horizon=mask,
        )
        night = YEAR_START + float(rng.uniform(0, 364)) * 86400.0
        cases.append(
            Case(
                site=site,
                ra_deg=rng.uniform(0, 360, TARGETS),
                dec_deg=np.degrees(np.arcsin(rng.uniform(-1, 1, TARGETS))),
                times=np.sort(night + rng.uniform(0, 86400.0, TIMES)),
                limits={
                    "min_altitude_deg": float(rng.uniform(5, 60)),
                    "max_airmass": float(rng.uniform(1.2, 3.0)),
                    "moon_distance_deg": float(rng.uniform(10, 120)),
                    "moon_width_days": float(rng.uniform(2, 10)),
                    "max_moon_illumination": float(rng.uniform(0, 1)),
                    "max_sun_altitude_deg": float(rng.choice([-6.0, -12.0, -18.0, -3.0])),
                },
            )
        )
    return cases


@dataclass
class Errors:
    altitude: float = 0.0
    azimuth: float = 0.0
    airmass_rel: float = 0.0
    moon_separation: float = 0.0
    moon_altitude: float = 0.0
    sun_altitude: float = 0.0
    illumination: float = 0.0
    lst_deg: float = 0.0
    cases: int = 0
    mismatches: int = 0
    compared: int = 0


@pytest.fixture(scope="module")
def errors() -> Errors:
    # given 50 random sites × 10 targets × 10 times across 2026
    found = Errors()
    for case in random_cases():
        compare_case(case, found)
    print(f"\nmax errors vs astropy/astroplan over {found.cases} cases: {found}")
    return found


def compare_case(case: Case, found: Errors) -> None:
    site = case.site
    obs = make_observations(case.ra_deg, case.dec_deg, **case.limits)
    # when our engine evaluates the grid
    eph = compute_ephemeris(site, float(case.times[0]) - 600, float(case.times[-1]) + 600)
    ours = evaluate(eph, obs, case.times)

    # then astropy, independently
    location = EarthLocation.from_geodetic(
        site.lon_deg * u.deg, site.lat_deg * u.deg, site.elevation_m * u.m
    )
    times = Time(case.times, format="unix", scale="utc")
    frame = AltAz(obstime=times[None, :], location=location)
    targets = SkyCoord(case.ra_deg[:, None] * u.deg, case.dec_deg[:, None] * u.deg)
    ref = targets.transform_to(frame)
    ref_alt = ref.alt.deg
    ref_az = ref.az.deg
    moon = get_body("moon", times, location=location).transform_to(
        AltAz(obstime=times, location=location)
    )
    sun = get_body("sun", times, location=location).transform_to(
        AltAz(obstime=times, location=location)
    )
    ref_sep = ref.separation(moon[None, :]).deg
    ref_illum = moon_illumination(times)
    ref_lst = times.sidereal_time("apparent", longitude=location.lon).deg

    found.cases += ref_alt.size
    found.altitude = max(found.altitude, float(np.abs(ours.altitude_deg - ref_alt).max()))
    daz = (ours.azimuth_deg - ref_az + 180.0) % 360.0 - 180.0
    found.azimuth = max(found.azimuth, float(np.abs(daz * np.cos(np.radians(ref_alt))).max()))
    low = ref.secz.value
    usable = (ref_alt > 0) & (low < 3.0)
    if usable.any():
        rel = np.abs(ours.airmass[usable] / low[usable] - 1.0)
        found.airmass_rel = max(found.airmass_rel, float(rel.max()))
    found.moon_separation = max(
        found.moon_separation, float(np.abs(ours.moon_separation_deg - ref_sep).max())
    )
    found.moon_altitude = max(
        found.moon_altitude, float(np.abs(ours.sky.moon_altitude_deg - moon.alt.deg).max())
    )
    found.sun_altitude = max(
        found.sun_altitude, float(np.abs(ours.sky.sun_altitude_deg - sun.alt.deg).max())
    )
    found.illumination = max(
        found.illumination, float(np.abs(ours.sky.moon_illumination - ref_illum).max())
    )
    dlst = (eph.local_sidereal_time_deg(case.times) - ref_lst + 180.0) % 360.0 - 180.0
    found.lst_deg = max(found.lst_deg, float(np.abs(dlst).max()))

    # constraint booleans: astroplan's own classes where it has them
    observer = Observer(location=location)
    fixed = [
        FixedTarget(SkyCoord(r * u.deg, d * u.deg))
        for r, d in zip(case.ra_deg, case.dec_deg, strict=True)
    ]
    lim = case.limits
    airmass_alt = np.degrees(np.arcsin(1.0 / lim["max_airmass"]))
    moon_up = moon.alt.deg >= 0
    required = lorentzian_reference(times, lim["moon_distance_deg"], lim["moon_width_days"])
    reference = {
        Constraint.ALTITUDE: (
            AltitudeConstraint(min=lim["min_altitude_deg"] * u.deg)(
                observer, fixed, times, grid_times_targets=True
            ),
            np.abs(ref_alt - lim["min_altitude_deg"]),
        ),
        Constraint.AIRMASS: (
            AirmassConstraint(max=lim["max_airmass"])(
                observer, fixed, times, grid_times_targets=True
            ),
            np.abs(ref_alt - airmass_alt),
        ),
        Constraint.DARKNESS: (
            AtNightConstraint(max_solar_altitude=lim["max_sun_altitude_deg"] * u.deg)(
                observer, fixed, times, grid_times_targets=True
            ),
            np.broadcast_to(np.abs(sun.alt.deg - lim["max_sun_altitude_deg"]), ref_alt.shape),
        ),
        Constraint.MOON_ILLUMINATION: (
            MoonIlluminationConstraint(max=lim["max_moon_illumination"])(
                observer, fixed, times, grid_times_targets=True
            ),
            np.broadcast_to(
                np.minimum(
                    np.abs(moon.alt.deg),
                    np.abs(ref_illum - lim["max_moon_illumination"]) * 1e3,
                ),
                ref_alt.shape,
            ),
        ),
        Constraint.MOON_SEPARATION: (
            (ref_sep >= required[None, :]) | ~moon_up[None, :],
            np.minimum(np.abs(ref_sep - required[None, :]), np.abs(moon.alt.deg)[None, :]),
        ),
        Constraint.HORIZON: (
            ref_alt >= site.horizon.altitude_at(ref_az),
            np.abs(ref_alt - site.horizon.altitude_at(ref_az)),
        ),
    }
    for constraint, (expected, margin) in reference.items():
        clear = margin > TOLERANCE_DEG
        found.compared += int(clear.sum())
        expected = np.broadcast_to(expected, ref_alt.shape)
        found.mismatches += int((ours.passed[constraint][clear] != expected[clear]).sum())


def test_covers_at_least_1000_cases(errors: Errors) -> None:
    assert errors.cases >= 1000


def test_altitude_within_0_02_deg(errors: Errors) -> None:
    assert errors.altitude < 0.02


def test_azimuth_within_0_02_deg_on_sky(errors: Errors) -> None:
    assert errors.azimuth < 0.02


def test_airmass_within_half_percent_below_3(errors: Errors) -> None:
    assert errors.airmass_rel < 0.005


def test_moon_separation_within_0_05_deg(errors: Errors) -> None:
    assert errors.moon_separation < 0.05


def test_sun_and_moon_altitude_within_0_02_deg(errors: Errors) -> None:
    assert errors.sun_altitude < 0.02
    assert errors.moon_altitude < 0.02


def test_moon_illumination_matches_astroplan(errors: Errors) -> None:
    assert errors.illumination < 1e-4


def test_local_sidereal_time_within_one_arcsecond(errors: Errors) -> None:
    assert errors.lst_deg < 1.0 / 3600.0


def test_constraint_booleans_identical_away_from_thresholds(errors: Errors) -> None:
    assert errors.compared > 25_000
    assert errors.mismatches == 0
