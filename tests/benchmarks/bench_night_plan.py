"""Night plan for 500 observations on a 5-minute grid, against astroplan's PriorityScheduler.

Run: .venv/bin/python tests/benchmarks/bench_night_plan.py

Same 500 blocks for both: fixed durations (10-60 minutes, multiples of the grid), run whole
(our ``min_block_s = remaining_s``), priorities 1..10 (astroplan's priority is inverted:
``11 - ours``, lower first), the same global constraints (altitude >= 30 deg, airmass <= 2,
Sun below -12 deg), no slew time. Plan quality is the priority-weighted scheduled time
``sum(priority × hours)`` with our 1..10 priorities for both plans. Ours includes building
the night's ephemeris (median of 5 runs); astroplan runs once (its caches would make repeats
unfair to us); both after a warm-up of astropy. Targets (issue 4): < 1 s, quality >=
astroplan's.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import astropy.units as u
import numpy as np
from astroplan import (
    AirmassConstraint,
    AltitudeConstraint,
    AtNightConstraint,
    FixedTarget,
    Observer,
    ObservingBlock,
    PriorityScheduler,
    Schedule,
    Transitioner,
)
from astropy.coordinates import EarthLocation, SkyCoord
from astropy.time import Time

from domain.scheduling.dispatch import DispatchConfig
from domain.scheduling.ephemeris import compute_ephemeris, configure_offline_iers
from domain.scheduling.models import Site, make_observations
from domain.scheduling.night_plan import plan_night

COUNT = 500
REPEATS = 5
STEP_S = 300.0
SITE = Site(lat_deg=-30.24, lon_deg=-70.74, elevation_m=2700.0)
NIGHT_START = Time("2026-03-27T22:00:00", scale="utc").unix
NIGHT_END = Time("2026-03-28T10:30:00", scale="utc").unix


def main() -> None:
    configure_offline_iers()
    rng = np.random.default_rng(5)
    ra = rng.uniform(0, 360, COUNT)
    dec = np.degrees(np.arcsin(rng.uniform(-1, 0.45, COUNT)))
    priority = rng.integers(1, 11, COUNT)
    duration = rng.choice([600.0, 900.0, 1200.0, 1800.0, 2700.0, 3600.0], COUNT)
    obs = make_observations(
        ra,
        dec,
        priority=priority,
        created_at=rng.uniform(0, 1e6, COUNT),
        remaining_s=duration,
        min_altitude_deg=30.0,
        max_airmass=2.0,
        moon_distance_deg=0.0,
        max_sun_altitude_deg=-12.0,
    )

    config = DispatchConfig(step_s=STEP_S)
    # warm-up on another night: first use of astropy (shared with astroplan) and our imports
    plan_night(compute_ephemeris(SITE, 0.0, 3600.0), obs, 0.0, 3600.0, config=config)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        eph = compute_ephemeris(SITE, NIGHT_START, NIGHT_END)
        plan = plan_night(eph, obs, NIGHT_START, NIGHT_END, config=config)
        timings.append(time.perf_counter() - started)
    ours_s = statistics.median(timings)

    location = EarthLocation.from_geodetic(
        SITE.lon_deg * u.deg, SITE.lat_deg * u.deg, SITE.elevation_m * u.m
    )
    observer = Observer(location=location)
    blocks = [
        ObservingBlock(
            FixedTarget(SkyCoord(ra[i] * u.deg, dec[i] * u.deg), name=str(i)),
            duration[i] * u.s,
            int(11 - priority[i]),
        )
        for i in range(COUNT)
    ]
    constraints = [
        AltitudeConstraint(min=30 * u.deg),
        AirmassConstraint(max=2.0),
        AtNightConstraint(max_solar_altitude=-12 * u.deg),
    ]
    scheduler = PriorityScheduler(
        constraints=constraints,
        observer=observer,
        transitioner=Transitioner(),
        time_resolution=STEP_S * u.s,
    )
    schedule = Schedule(Time(NIGHT_START, format="unix"), Time(NIGHT_END, format="unix"))
    started = time.perf_counter()
    scheduler(blocks, schedule)
    theirs_s = time.perf_counter() - started
    scheduled = [b for b in schedule.scheduled_blocks if isinstance(b, ObservingBlock)]
    theirs_hours = sum(b.duration.to_value(u.h) for b in scheduled)
    theirs_quality = sum(priority[int(b.target.name)] * b.duration.to_value(u.h) for b in scheduled)

    ours_quality = plan.priority_weighted_hours()
    print(f"night plan, {COUNT} observations, {STEP_S / 60:.0f}-minute grid")
    print(f"{'metric':<36}{'ours':>10}{'astroplan':>12}{'ratio':>10}")
    print(f"{'time (s)':<36}{ours_s:>10.3f}{theirs_s:>12.3f}{theirs_s / ours_s:>9.1f}x")
    print(
        f"{'priority-weighted hours':<36}{ours_quality:>10.1f}{theirs_quality:>12.1f}"
        f"{ours_quality / theirs_quality:>9.2f}x"
    )
    print(
        f"{'scheduled hours':<36}{plan.scheduled_hours():>10.2f}{theirs_hours:>12.2f}"
        f"{plan.scheduled_hours() / theirs_hours:>9.2f}x"
    )
    print(f"{'observations scheduled':<36}{len(plan.runs):>10}{len(scheduled):>12}")
    print("time ratio: astroplan / ours; quality ratios: ours / astroplan")


if __name__ == "__main__":
    main()
