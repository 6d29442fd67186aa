"""A night plan never places anything where one of its constraints fails.

Every planned run is sampled each minute and checked by astroplan's own constraint classes
(altitude, airmass, darkness, moon illumination, time window) and by astropy for what
astroplan has no class for (horizon mask, Lorentzian moon separation, reservations).
"""

from __future__ import annotations

from dataclasses import replace

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
    TimeConstraint,
)
from astropy.coordinates import AltAz, SkyCoord, get_body
from astropy.time import Time

from domain.scheduling.ephemeris import compute_ephemeris
from domain.scheduling.horizon import HorizonMask
from domain.scheduling.models import (
    ObservationSet,
    ObservatoryState,
    Reservation,
    make_observations,
)
from domain.scheduling.night_plan import NightPlan, plan_night
from tests.scheduling.sky import LOCATION, NIGHT_END, NIGHT_START, SITE, lorentzian_reference

RESERVATION = Reservation(NIGHT_START + 5 * 3600, NIGHT_START + 6 * 3600, frozenset({1}))
MASK = HorizonMask.from_points([0, 80, 100, 180, 200, 270], [5, 5, 40, 10, 25, 15])


def random_observations(count: int, seed: int = 7) -> ObservationSet:
    rng = np.random.default_rng(seed)
    window_start = np.where(
        rng.random(count) < 0.2, NIGHT_START + rng.uniform(0, 10 * 3600, count), -np.inf
    )
    window_end = np.where(
        np.isfinite(window_start), window_start + rng.uniform(1800, 4 * 3600, count), np.inf
    )
    remaining = rng.choice([600.0, 1200.0, 1800.0, 3600.0, 5400.0], count)
    return make_observations(
        rng.uniform(0, 360, count),
        np.degrees(np.arcsin(rng.uniform(-1, 0.5, count))),
        priority=rng.integers(1, 11, count),
        created_at=rng.uniform(0, 1e6, count),
        remaining_s=remaining,
        min_block_s=np.where(rng.random(count) < 0.5, remaining, 600.0),
        fixed_time=np.isfinite(window_start) & (rng.random(count) < 0.3),
        window_start=window_start,
        window_end=window_end,
        min_altitude_deg=rng.uniform(15, 45, count),
        max_airmass=rng.uniform(1.5, 3.0, count),
        moon_distance_deg=rng.uniform(20, 90, count),
        moon_width_days=rng.uniform(3, 10, count),
        max_moon_illumination=rng.choice([0.3, 0.8, 1.0], count),
        max_sun_altitude_deg=rng.choice([-6.0, -12.0, -18.0], count),
        project=rng.integers(0, 3, count),
    )


@pytest.fixture(scope="module")
def planned() -> tuple[ObservationSet, NightPlan]:
    # given 200 random observations at a masked site with a reservation for project 1
    site = replace(SITE, horizon=MASK)
    eph = compute_ephemeris(site, NIGHT_START, NIGHT_END)
    obs = random_observations(200)
    state = ObservatoryState(reservations=(RESERVATION,))
    # when the night is planned
    plan = plan_night(eph, obs, NIGHT_START, NIGHT_END, state)
    return obs, plan


def test_plan_uses_the_night(planned: tuple[ObservationSet, NightPlan]) -> None:
    _, plan = planned
    assert len(plan.runs) > 10
    assert plan.scheduled_hours() > 6.0


def test_runs_do_not_overlap_and_respect_windows(
    planned: tuple[ObservationSet, NightPlan],
) -> None:
    obs, plan = planned
    for before, after in zip(plan.runs, plan.runs[1:], strict=False):
        assert before.end <= after.start
    for run in plan.runs:
        assert obs.window_start[run.index] <= run.start < run.end <= obs.window_end[run.index]
        if not obs.fixed_time[run.index]:
            assert run.end - run.start <= obs.remaining_s[run.index] + 1e-6


def test_total_time_per_observation_never_exceeds_its_remaining_time(
    planned: tuple[ObservationSet, NightPlan],
) -> None:
    obs, plan = planned
    used: dict[int, float] = {}
    for run in plan.runs:
        used[run.index] = used.get(run.index, 0.0) + run.end - run.start
    for index, seconds in used.items():
        if not obs.fixed_time[index]:
            assert seconds <= obs.remaining_s[index] + 1e-6


def test_reservation_is_respected(planned: tuple[ObservationSet, NightPlan]) -> None:
    obs, plan = planned
    for run in plan.runs:
        overlaps = run.start < RESERVATION.end and run.end > RESERVATION.start
        if overlaps:
            assert obs.project[run.index] in RESERVATION.projects


def test_every_planned_minute_passes_astroplan_and_astropy(
    planned: tuple[ObservationSet, NightPlan],
) -> None:
    obs, plan = planned
    observer = Observer(location=LOCATION)
    failures: list[str] = []
    for run in plan.runs:
        i = run.index
        # each minute of the run and its last instant
        times = Time(
            np.append(np.arange(run.start, run.end, 60.0), run.end), format="unix", scale="utc"
        )
        target = FixedTarget(
            SkyCoord(obs.targets.ra_deg[i] * u.deg, obs.targets.dec_deg[i] * u.deg)
        )
        window = TimeConstraint(
            Time(max(obs.window_start[i], NIGHT_START), format="unix"),
            Time(min(obs.window_end[i], NIGHT_END), format="unix"),
        )
        checks = {
            "altitude": AltitudeConstraint(min=obs.min_altitude_deg[i] * u.deg),
            "airmass": AirmassConstraint(max=obs.max_airmass[i]),
            "darkness": AtNightConstraint(max_solar_altitude=obs.max_sun_altitude_deg[i] * u.deg),
            "illumination": MoonIlluminationConstraint(max=obs.max_moon_illumination[i]),
            "window": window,
        }
        for name, constraint in checks.items():
            passed = constraint(observer, [target], times)
            if not np.all(passed):
                failures.append(f"{obs.ids[i]} {name} at {times[~passed.ravel()].isot}")
        # horizon mask and Lorentzian moon separation from astropy
        frame = AltAz(obstime=times, location=LOCATION)
        altaz = target.coord.transform_to(frame)
        if np.any(altaz.alt.deg < MASK.altitude_at(altaz.az.deg)):
            failures.append(f"{obs.ids[i]} horizon")
        moon = get_body("moon", times, location=LOCATION).transform_to(frame)
        separation = altaz.separation(moon).deg
        required = lorentzian_reference(times, obs.moon_distance_deg[i], obs.moon_width_days[i])
        if np.any((separation < required) & (moon.alt.deg >= 0)):
            failures.append(f"{obs.ids[i]} moon separation")

    assert failures == []


def test_altitude_curves_are_provided_for_planned_targets(
    planned: tuple[ObservationSet, NightPlan],
) -> None:
    obs, plan = planned
    run = plan.runs[0]
    curve = plan.altitude_deg[run.index]
    coord = SkyCoord(obs.targets.ra_deg[run.index] * u.deg, obs.targets.dec_deg[run.index] * u.deg)
    reference = coord.transform_to(
        AltAz(obstime=Time(plan.times, format="unix"), location=LOCATION)
    ).alt.deg
    np.testing.assert_allclose(curve, reference, atol=0.02)
