"""Dispatch decisions: priority, tie-breaks, windows, horizon, moon, reservations, weather,
preemption. Targets are placed on the sky by astropy, and expectations come from astropy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from astroplan import moon_illumination
from astropy.time import Time

from domain.scheduling.dispatch import (
    Continue,
    DispatchConfig,
    Run,
    Wait,
    WaitReason,
    next_work,
)
from domain.scheduling.ephemeris import Ephemeris, compute_ephemeris
from domain.scheduling.horizon import HorizonMask
from domain.scheduling.models import (
    ObservatoryState,
    Reservation,
    RunningWork,
    make_observations,
)
from domain.scheduling.scoring import ScoreWeights
from tests.scheduling.sky import (
    DAYTIME,
    NIGHT_END,
    NIGHT_START,
    NOW,
    SITE,
    altaz_of,
    crossing_time,
    moon_radec,
    offset,
    radec_at,
)

IDLE = ObservatoryState()


@pytest.fixture(scope="module")
def eph() -> Ephemeris:
    return compute_ephemeris(SITE, NIGHT_START, NIGHT_END)


def radecs(*points: tuple[float, float]) -> tuple[list[float], list[float]]:
    pairs = [radec_at(alt, az) for alt, az in points]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def test_highest_priority_runs_first(eph: Ephemeris) -> None:
    # given two well-placed targets, priorities 5 and 8
    ra, dec = radecs((60, 120), (60, 200))
    obs = make_observations(ra, dec, priority=[5, 8], remaining_s=1800)

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1
    assert decision.observation_id == "1"
    assert decision.start == NOW
    assert decision.until == NOW + 1800


def test_equal_priority_prefers_the_target_that_sets_first(eph: Ephemeris) -> None:
    # given two targets at 40 deg, one in the east (rising) and one in the west (setting)
    ra, dec = radecs((40, 90), (40, 270))
    obs = make_observations(ra, dec, remaining_s=1200, min_altitude_deg=30)
    east_later, _ = altaz_of(ra[0], dec[0], NOW + 3600)
    west_later, _ = altaz_of(ra[1], dec[1], NOW + 3600)
    assert west_later < east_later  # astropy: the western one is setting

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1
    assert decision.score["setting"] > 0


def test_equal_priority_and_score_run_the_oldest(eph: Ephemeris) -> None:
    # given the same target submitted three times
    ra, dec = radecs((70, 150))
    obs = make_observations(ra * 3, dec * 3, created_at=[300.0, 100.0, 200.0])

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_window_not_open_yet_waits_for_it(eph: Ephemeris) -> None:
    # given a high target whose window opens in 1000 s
    ra, dec = radecs((70, 150))
    obs = make_observations(ra, dec, window_start=NOW + 1000.0, remaining_s=600)

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then: wait until the first 5-minute step inside the window
    assert decision == Wait(WaitReason.NOTHING_ELIGIBLE_NOW, NOW + 1200.0, 0)


def test_window_closing_before_the_block_ends_cuts_the_run(eph: Ephemeris) -> None:
    # given a target whose window ends in 20 minutes, 10-minute blocks acceptable
    ra, dec = radecs((70, 150))
    obs = make_observations(ra, dec, window_end=NOW + 1200.0, remaining_s=3600, min_block_s=600)

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.until == NOW + 1200.0
    assert decision.time_critical


def test_horizon_mask_hides_a_target_behind_it(eph: Ephemeris) -> None:
    # given a mask rising to 50 deg between azimuth 60 and 120 and a priority-9 target at
    # altitude 40 in the east, plus a priority-3 target in the west
    site = replace(
        SITE,
        horizon=HorizonMask.from_points([0, 59, 60, 120, 121], [0, 0, 50, 50, 0]),
    )
    masked = compute_ephemeris(site, NIGHT_START, NIGHT_END)
    ra, dec = radecs((40, 90), (40, 270))
    obs = make_observations(ra, dec, priority=[9, 3], remaining_s=600, min_altitude_deg=20)
    alt, az = altaz_of(ra[0], dec[0], NOW)
    assert 60 < az < 120
    assert alt < 50

    # when
    decision = next_work(masked, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_moon_avoidance_rejects_a_target_next_to_the_moon(eph: Ephemeris) -> None:
    # given the same target 5 deg from the Moon, once with the default avoidance (60 deg at
    # full moon, width 7 days) at priority 9 and once without avoidance at priority 2
    ra, dec = offset(*moon_radec(), 5.0)
    obs = make_observations(
        [ra, ra], [dec, dec], priority=[9, 2], moon_distance_deg=[60, 0], remaining_s=600
    )

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_moon_illumination_limit_applies_while_the_moon_is_up(eph: Ephemeris) -> None:
    # given a bright Moon (astroplan) above the horizon and a dark-time-only observation
    illumination = float(moon_illumination(Time(NOW, format="unix")))
    assert illumination > 0.5
    ra, dec = radecs((60, 180))
    obs = make_observations(
        ra * 2, dec * 2, priority=[9, 2], max_moon_illumination=[0.3, 1.0], remaining_s=600
    )

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_reservation_lets_only_its_projects_run(eph: Ephemeris) -> None:
    # given a reservation for project 1 covering now
    ra, dec = radecs((60, 120), (60, 200))
    obs = make_observations(ra, dec, priority=[9, 3], project=[0, 1], remaining_s=600)
    state = ObservatoryState(reservations=(Reservation(NOW - 60, NOW + 7200, frozenset({1})),))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_maintenance_reservation_blocks_everyone_until_it_ends(eph: Ephemeris) -> None:
    # given a reservation for nobody over the next hour
    ra, dec = radecs((80, 160))
    obs = make_observations(ra, dec, remaining_s=600)
    state = ObservatoryState(reservations=(Reservation(NOW - 60, NOW + 3600, frozenset()),))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    assert decision == Wait(WaitReason.NOTHING_ELIGIBLE_NOW, NOW + 3600, 0)


def test_unsafe_observatory_gets_nothing(eph: Ephemeris) -> None:
    # given perfect work but unsafe weather
    ra, dec = radecs((80, 160))
    obs = make_observations(ra, dec, priority=10)

    # when
    decision = next_work(eph, obs, ObservatoryState(safe=False), NOW)

    # then
    assert decision == Wait(WaitReason.UNSAFE)


def test_dispatch_disabled_gets_nothing(eph: Ephemeris) -> None:
    ra, dec = radecs((80, 160))
    obs = make_observations(ra, dec)

    decision = next_work(eph, obs, ObservatoryState(dispatch_enabled=False), NOW)

    assert decision == Wait(WaitReason.DISPATCH_DISABLED)


def test_daylight_blocks_unless_darkness_is_bypassed(eph: Ephemeris) -> None:
    # given the Sun above the horizon (astropy: +8.9 deg) and a target high up
    ra, dec = radec_at(70, 150, DAYTIME)
    obs = make_observations([ra, ra], [dec, dec], priority=[9, 2], bypass_darkness=[False, True])

    # when
    decision = next_work(eph, obs, IDLE, DAYTIME)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_block_must_fit_before_the_target_sets_below_its_limit(eph: Ephemeris) -> None:
    # given a western target at 33 deg (limit 30): an hour-long block cannot fit,
    # a 5-minute minimum block can, and it runs until astropy says it crosses 30 deg
    ra, dec = radec_at(33, 260)
    setting = crossing_time(ra, dec, 30.0, NOW, NOW + 7200)
    whole = make_observations([ra], [dec], remaining_s=3600, min_altitude_deg=30)
    pieces = make_observations([ra], [dec], remaining_s=3600, min_block_s=300, min_altitude_deg=30)

    # when
    all_or_nothing = next_work(eph, whole, IDLE, NOW)
    partial = next_work(eph, pieces, IDLE, NOW)

    # then
    assert isinstance(all_or_nothing, Wait)
    assert isinstance(partial, Run)
    assert setting - 12.0 <= partial.until < setting


def running(priority: int, fixed: bool, minutes_ago: float, index: int = 0) -> RunningWork:
    ra, dec = radec_at(60, 180)
    return RunningWork(
        index=index,
        started_at=NOW - minutes_ago * 60,
        until=NOW + 3600,
        priority=priority,
        fixed_time=fixed,
        ra_deg=ra,
        dec_deg=dec,
    )


def test_fixed_time_work_is_never_preempted(eph: Ephemeris) -> None:
    # given fixed-time work running and a priority-10 candidate
    ra, dec = radecs((60, 180), (70, 150))
    obs = make_observations(ra, dec, priority=[3, 10], fixed_time=[True, False])
    state = ObservatoryState(running=running(3, fixed=True, minutes_ago=30))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    assert decision == Continue(0, NOW + 3600)


def test_fixed_time_work_preempts_flexible_work_at_its_start(eph: Ephemeris) -> None:
    # given flexible work running and a fixed-time observation whose window just opened
    ra, dec = radecs((60, 180), (70, 150))
    obs = make_observations(
        ra,
        dec,
        priority=[7, 4],
        fixed_time=[False, True],
        window_start=[-np.inf, NOW],
        window_end=[np.inf, NOW + 1800],
    )
    state = ObservatoryState(running=running(7, fixed=False, minutes_ago=2))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    assert isinstance(decision, Run)
    assert (decision.index, decision.preempts, decision.until) == (1, 0, NOW + 1800)


def test_flexible_work_fills_the_gap_before_a_fixed_time_start(eph: Ephemeris) -> None:
    # given a fixed-time observation starting in 40 minutes and flexible work of 2 hours
    ra, dec = radecs((60, 180), (70, 150))
    obs = make_observations(
        ra,
        dec,
        priority=[9, 4],
        fixed_time=[False, True],
        remaining_s=[7200, 1800],
        min_block_s=[600, 1800],
        window_start=[-np.inf, NOW + 2400],
        window_end=[np.inf, NOW + 4200],
    )

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then: the flexible run stops when the fixed window opens
    assert isinstance(decision, Run)
    assert (decision.index, decision.until) == (0, NOW + 2400)


@pytest.mark.parametrize(
    ("candidate_priority", "minutes_ago", "preempted"),
    [(6, 30, False), (8, 30, True), (8, 5, False)],
)
def test_priority_preemption_needs_a_margin_and_a_minimum_run(
    eph: Ephemeris, candidate_priority: int, minutes_ago: float, preempted: bool
) -> None:
    # given flexible priority-5 work running and a flexible candidate
    ra, dec = radecs((60, 180), (70, 150))
    obs = make_observations(ra, dec, priority=[5, candidate_priority], remaining_s=3600)
    state = ObservatoryState(running=running(5, fixed=False, minutes_ago=minutes_ago))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    if preempted:
        assert isinstance(decision, Run)
        assert (decision.index, decision.preempts) == (1, 0)
    else:
        assert decision == Continue(0, NOW + 3600)


def test_nothing_up_tonight_says_so(eph: Ephemeris) -> None:
    # given a target that never rises at latitude -30 (dec +75)
    obs = make_observations([10.0], [75.0], min_altitude_deg=10)

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert decision == Wait(WaitReason.NOTHING_IN_LOOKAHEAD)


def test_equal_priority_prefers_the_project_with_less_recent_time(eph: Ephemeris) -> None:
    # given the same target for two projects, project 0 having had 9 of the last 10 hours
    ra, dec = radecs((70, 150))
    obs = make_observations(ra * 2, dec * 2, project=[0, 1], created_at=[1.0, 2.0])
    state = ObservatoryState(project_usage_s=np.array([9 * 3600.0, 3600.0]))

    # when
    decision = next_work(eph, obs, state, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1
    assert decision.score["fairness"] == pytest.approx(0.9)


def test_equal_priority_prefers_finishing_started_work(eph: Ephemeris) -> None:
    # given the same target twice, the younger one 80% complete
    ra, dec = radecs((70, 150))
    obs = make_observations(ra * 2, dec * 2, fraction_complete=[0.0, 0.8], created_at=[1.0, 2.0])

    # when
    decision = next_work(eph, obs, IDLE, NOW)

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1


def test_configured_switch_weight_prefers_a_short_slew(eph: Ephemeris) -> None:
    # given the telescope pointing at the younger of two targets, and a score weighting only
    # the target-switch cost
    ra, dec = radecs((70, 150), (70, 210))
    obs = make_observations(ra, dec, created_at=[1.0, 2.0])
    state = ObservatoryState(pointing_ra_deg=ra[1], pointing_dec_deg=dec[1])
    weights = ScoreWeights(
        setting=0.0, window=0.0, completion=0.0, airmass=0.0, switch=1.0, fairness=0.0
    )

    # when
    decision = next_work(eph, obs, state, NOW, DispatchConfig(weights=weights))

    # then
    assert isinstance(decision, Run)
    assert decision.index == 1
    assert decision.score["switch"] == pytest.approx(1.0)


def test_unsafe_weather_stops_even_fixed_time_work(eph: Ephemeris) -> None:
    ra, dec = radecs((60, 180))
    obs = make_observations(ra, dec, fixed_time=True, window_start=NOW - 600, window_end=NOW + 600)
    state = ObservatoryState(safe=False, running=running(5, fixed=True, minutes_ago=10))

    decision = next_work(eph, obs, state, NOW)

    assert decision == Wait(WaitReason.UNSAFE)
