"""Dispatch decision with 10,000 pending observations eligible at one observatory.

Run: .venv/bin/python tests/benchmarks/bench_dispatch.py

Ours: ``next_work`` (constraints now and over the look-ahead, block fit, scoring, ranking,
refined run-until) with the night's ephemeris already computed (it is computed once per
observatory and night; its cost is printed separately). Reference: astroplan's
``is_observable`` for the same targets and the same constraints (altitude, airmass, darkness,
moon separation, moon illumination) at the single time ``now``; each repetition uses a new
``now`` so astroplan's caches do not carry over. Targets (issue 4): p50 < 50 ms, ratio >= 20.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import astropy.units as u
import numpy as np
from astroplan import (
    AirmassConstraint,
    AltitudeConstraint,
    AtNightConstraint,
    FixedTarget,
    MoonIlluminationConstraint,
    MoonSeparationConstraint,
    Observer,
    is_observable,
)
from astropy.coordinates import ICRS, AltAz, EarthLocation, SkyCoord
from astropy.coordinates.errors import NonRotationTransformationWarning
from astropy.time import Time

from domain.scheduling.dispatch import Run, next_work
from domain.scheduling.ephemeris import compute_ephemeris, configure_offline_iers
from domain.scheduling.models import ObservatoryState, Site, make_observations
from domain.scheduling.moon import required_moon_separation_deg

COUNT = 10_000
OURS_REPEATS = 41
ASTROPLAN_REPEATS = 5
SITE = Site(lat_deg=-30.24, lon_deg=-70.74, elevation_m=2700.0)
NIGHT_START = Time("2026-03-27T22:00:00", scale="utc").unix
NIGHT_END = Time("2026-03-28T10:30:00", scale="utc").unix
NOW = Time("2026-03-28T07:00:00", scale="utc").unix  # Sun -48.6 deg, Moon set (-8.8 deg)


def main() -> None:
    configure_offline_iers()
    location = EarthLocation.from_geodetic(
        SITE.lon_deg * u.deg, SITE.lat_deg * u.deg, SITE.elevation_m * u.m
    )
    rng = np.random.default_rng(4)
    # 10,000 targets between 45 and 88 degrees of altitude now (placed by astropy)
    alt = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(45)), np.sin(np.radians(88)), COUNT)))
    az = rng.uniform(0, 360, COUNT)
    frame = AltAz(obstime=Time(NOW, format="unix"), location=location)
    icrs = SkyCoord(alt=alt * u.deg, az=az * u.deg, frame=frame).transform_to(ICRS())
    obs = make_observations(
        icrs.ra.deg,
        icrs.dec.deg,
        priority=rng.integers(1, 11, COUNT),
        created_at=rng.uniform(0, 1e6, COUNT),
        remaining_s=rng.choice([600.0, 1200.0, 1800.0, 3600.0], COUNT),
        min_block_s=600.0,
    )

    started = time.perf_counter()
    eph = compute_ephemeris(SITE, NIGHT_START, NIGHT_END)
    ephemeris_s = time.perf_counter() - started

    state = ObservatoryState()
    next_work(eph, obs, state, NOW)  # warm-up
    ours = []
    decision = None
    for i in range(OURS_REPEATS):
        started = time.perf_counter()
        decision = next_work(eph, obs, state, NOW + 7.0 * i)
        ours.append(time.perf_counter() - started)
    assert isinstance(decision, Run)

    observer = Observer(location=location)
    targets = [FixedTarget(c) for c in icrs[:COUNT]]
    age = float(eph.moon_age_days_at(np.array([NOW]))[0])
    required = float(required_moon_separation_deg(np.array(age), np.array(60.0), np.array(7.0)))
    constraints = [
        AltitudeConstraint(min=30 * u.deg),
        AirmassConstraint(max=2.0),
        AtNightConstraint(max_solar_altitude=-12 * u.deg),
        MoonSeparationConstraint(min=required * u.deg),
        MoonIlluminationConstraint(max=1.0),
    ]
    theirs = []
    for i in range(ASTROPLAN_REPEATS):
        times = Time([NOW + 11.0 * i], format="unix")
        started = time.perf_counter()
        with warnings.catch_warnings():
            # astroplan's moon separation transforms ICRS targets into the Moon's GCRS frame
            # and astropy warns that this is not a pure rotation; the values are still right.
            warnings.simplefilter("ignore", NonRotationTransformationWarning)
            observable = is_observable(constraints, observer, targets, times=times)
        theirs.append(time.perf_counter() - started)
    eligible_astroplan = int(np.sum(observable))

    p50_ours = statistics.median(ours) * 1000
    p50_theirs = statistics.median(theirs) * 1000
    print(f"dispatch decision, {COUNT} pending observations eligible at one observatory")
    print(f"(astroplan found {eligible_astroplan} observable; ours chose #{decision.index})")
    print(f"{'metric':<34}{'ours':>12}{'astroplan':>14}{'ratio':>10}")
    ratio = p50_theirs / p50_ours
    print(f"{'p50 latency (ms)':<34}{p50_ours:>12.1f}{p50_theirs:>14.1f}{ratio:>9.1f}x")
    p90_ours = float(np.percentile(ours, 90) * 1000)
    print(f"{'p90 latency (ms)':<34}{p90_ours:>12.1f}{'':>14}{'':>10}")
    print(f"{'ephemeris, once per night (ms)':<34}{ephemeris_s * 1000:>12.1f}{'':>14}{'':>10}")
    print("ours: constraints now + look-ahead, block fit, score, rank; astroplan: now only")


if __name__ == "__main__":
    main()
