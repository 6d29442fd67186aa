"""Dispatch through the database: the gates, the core's ordering and the atomic claim.

Targets are placed on the sky of the test site by astropy (tests/scheduling/sky.py); every
decision is made by domain.dispatch.next_work against the real MongoDB-wire server.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from beanie import PydanticObjectId

from domain.dispatch.dispatcher import (
    Assignment,
    KeepRunning,
    WaitDecision,
    WaitReason,
    next_work,
)
from domain.dispatch.record import DispatchRecord
from domain.events import DomainEvent
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import Constraints, ExposureSet, Observation, TimeWindow
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory, Safety
from domain.observatories.reservation import Reservation
from domain.projects.project import ProjectStatus
from science_scheduler.services import Services
from tests.dispatch.world import (
    NOW_UTC,
    World,
    add_observation,
    add_observatory,
    horizon,
    make_world,
)
from tests.scheduling.sky import NOW, altaz_of, moon_radec, offset, radec_at


async def _states(*observations: Observation) -> list[ObservationState]:
    found = [await Observation.get(o.id) for o in observations if o.id is not None]
    return [o.state for o in found if o is not None]


async def _decide(services: Services, observatory: Observatory) -> object:
    assert observatory.id is not None
    return await next_work(observatory.id, NOW_UTC, bus=services.events)


async def test_the_highest_priority_is_claimed_for_the_observatory(services: Services) -> None:
    # given two well-placed targets, priorities 5 and 8
    world = await make_world()
    (observatory,) = world.observatories
    low = await add_observation(world, *radec_at(60, 120), name="low", priority=5)
    high = await add_observation(world, *radec_at(60, 200), name="high", priority=8)

    # when
    decision = await _decide(services, observatory)

    # then: the priority-8 one is assigned to it for its 30 minutes, atomically recorded
    assert isinstance(decision, Assignment)
    assert decision.observation.id == high.id
    assert decision.start == NOW_UTC
    assert decision.until == NOW_UTC + timedelta(seconds=1800)
    assert decision.lost_claims == 0
    stored = await Observation.get(high.id)
    assert stored is not None
    assert stored.state is ObservationState.ASSIGNED
    assert stored.assigned_observatory_id == observatory.id
    assert (stored.history[-1].actor, stored.history[-1].from_state) == (
        f"observatory:{observatory.id}",
        ObservationState.PENDING,
    )
    assert await _states(low) == [ObservationState.PENDING]
    (record,) = await DispatchRecord.find_all().to_list()
    assert (record.observation_id, record.until, record.priority) == (
        high.id,
        NOW_UTC + timedelta(seconds=1800),
        8,
    )


async def test_equal_priority_and_score_go_to_the_oldest(services: Services) -> None:
    # given the same target twice, one submitted two hours ago and one an hour ago
    world = await make_world()
    ra, dec = radec_at(60, 200)
    newer = await add_observation(world, ra, dec, name="newer", age=timedelta(hours=1))
    older = await add_observation(world, ra, dec, name="older", age=timedelta(hours=2))

    # when
    decision = await _decide(services, world.observatories[0])

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.id == older.id
    assert await _states(newer, older) == [ObservationState.PENDING, ObservationState.ASSIGNED]


async def test_a_window_that_opens_later_makes_the_observatory_wait_until_then(
    services: Services,
) -> None:
    # given only a priority-10 observation whose window opens in an hour
    world = await make_world()
    window = TimeWindow(start=NOW_UTC + timedelta(hours=1), end=NOW_UTC + timedelta(hours=3))
    later = await add_observation(
        world, *radec_at(70, 180), priority=10, constraints=Constraints(windows=[window])
    )

    # when
    decision = await _decide(services, world.observatories[0])

    # then
    assert decision == WaitDecision(
        WaitReason.NOTHING_ELIGIBLE_NOW,
        "no pending work meets its constraints now; some will at `until`",
        NOW_UTC + timedelta(hours=1),
        str(later.id),
    )
    assert await _states(later) == [ObservationState.PENDING]


async def test_lower_priority_work_runs_while_a_window_is_closed(services: Services) -> None:
    # given a priority-10 observation whose window opens in an hour and a priority-3 one
    world = await make_world()
    window = TimeWindow(start=NOW_UTC + timedelta(hours=1), end=NOW_UTC + timedelta(hours=3))
    await add_observation(
        world, *radec_at(70, 180), priority=10, constraints=Constraints(windows=[window])
    )
    filler = await add_observation(world, *radec_at(60, 120), priority=3)

    # when
    decision = await _decide(services, world.observatories[0])

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.id == filler.id


@pytest.mark.parametrize(("wall_deg", "chosen"), [(70.0, "open sky"), (0.0, "behind the wall")])
async def test_the_horizon_mask_hides_a_target_behind_it(
    services: Services, wall_deg: float, chosen: str
) -> None:
    # given a wall in the east (70 degrees, or none) and a priority-9 target at 60 degrees there
    mask = horizon((0, 0), (60, wall_deg), (120, wall_deg), (180, 0))
    world = await make_world(horizon=mask)
    await add_observation(world, *radec_at(60, 90), name="behind the wall", priority=9)
    await add_observation(world, *radec_at(60, 240), name="open sky", priority=4)

    # when
    decision = await _decide(services, world.observatories[0])

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.name == chosen


@pytest.mark.parametrize(("moon_distance_deg", "chosen"), [(60.0, "far"), (0.0, "near")])
async def test_the_moon_rule_keeps_a_target_near_the_moon_waiting(
    services: Services, moon_distance_deg: float, chosen: str
) -> None:
    # given a priority-9 target 15 degrees from the (73 % lit, waxing) Moon, with the
    # Lorentzian rule at 60 degrees (or switched off), and a priority-4 target far from it
    world = await make_world()
    near_ra, near_dec = offset(*moon_radec(), 15.0)
    altitude, _ = altaz_of(near_ra, near_dec, NOW)
    assert altitude > 20.0  # astropy: above the limits below
    limits = Constraints(min_altitude_deg=15, max_airmass=10, moon_separation_deg=moon_distance_deg)
    await add_observation(world, near_ra, near_dec, name="near", priority=9, constraints=limits)
    await add_observation(world, *radec_at(60, 240), name="far", priority=4)

    # when
    decision = await _decide(services, world.observatories[0])

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.name == chosen


async def test_an_active_reservation_blocks_all_dispatch(services: Services) -> None:
    # given a reservation covering now
    world = await make_world()
    (observatory,) = world.observatories
    assert observatory.id is not None
    waiting = await add_observation(world, *radec_at(60, 200), priority=10)
    await Reservation(
        observatory_id=observatory.id,
        title="Public night",
        purpose="outreach",
        contact="Ana",
        start=NOW_UTC - timedelta(hours=1),
        end=NOW_UTC + timedelta(hours=2),
        created_by=world.user.id or PydanticObjectId(),
    ).insert()

    # when
    decision = await _decide(services, observatory)

    # then
    assert decision == WaitDecision(
        WaitReason.RESERVED, "south-0 is reserved: Public night", NOW_UTC + timedelta(hours=2)
    )
    assert await _states(waiting) == [ObservationState.PENDING]


async def test_a_reservation_cancelled_before_now_no_longer_blocks(services: Services) -> None:
    # given a reservation cancelled (ended early) ten minutes ago
    world = await make_world()
    (observatory,) = world.observatories
    assert observatory.id is not None
    pending = await add_observation(world, *radec_at(60, 200))
    await Reservation(
        observatory_id=observatory.id,
        title="Public night",
        purpose="outreach",
        contact="Ana",
        start=NOW_UTC - timedelta(hours=1),
        end=NOW_UTC + timedelta(hours=2),
        cancelled_at=NOW_UTC - timedelta(minutes=10),
        cancel_reason="clouds",
        created_by=world.user.id or PydanticObjectId(),
    ).insert()

    # when
    decision = await _decide(services, observatory)

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.id == pending.id


async def test_unsafe_or_unreported_weather_gets_nothing(services: Services) -> None:
    # given two observatories, one reporting unsafe and one that has not reported yet
    world = await make_world()
    pending = await add_observation(world, *radec_at(60, 200), priority=10)
    unsafe = await add_observatory(world, "unsafe-1", safety=Safety.UNSAFE)
    unknown = await add_observatory(world, "unknown-1", safety=Safety.UNKNOWN)

    # when
    decisions = [await _decide(services, unsafe), await _decide(services, unknown)]

    # then
    assert decisions == [
        WaitDecision(WaitReason.UNSAFE, "the safety device of unsafe-1 reports unsafe"),
        WaitDecision(
            WaitReason.SAFETY_UNKNOWN, "the safety device of unknown-1 has not reported yet"
        ),
    ]
    assert await _states(pending) == [ObservationState.PENDING]
    assert await DispatchRecord.count() == 0


async def test_dispatch_switched_off_or_maintenance_gets_nothing(services: Services) -> None:
    # given
    world = await make_world()
    pending = await add_observation(world, *radec_at(60, 200), priority=10)
    off = await add_observatory(world, "off-1", dispatch_enabled=False)
    maintenance = await add_observatory(world, "maint-1", maintenance=True)

    # when
    decisions = [await _decide(services, off), await _decide(services, maintenance)]

    # then
    assert decisions == [
        WaitDecision(WaitReason.DISPATCH_DISABLED, "dispatch is switched off for off-1"),
        WaitDecision(WaitReason.MAINTENANCE, "maint-1 is in maintenance"),
    ]
    assert await _states(pending) == [ObservationState.PENDING]


async def test_ineligible_work_is_not_offered(services: Services) -> None:
    # given work for another observatory, work needing a filter this one lacks, and work of
    # a paused project
    world = await make_world(observatories=2)
    here, elsewhere = world.observatories
    assert elsewhere.id is not None
    await add_observation(world, *radec_at(60, 200), eligible=[elsewhere.id])
    await add_observation(
        world, *radec_at(60, 200), exposures=[ExposureSet(filter="Ha", exposure_s=60, count=5)]
    )
    paused = world.project.model_copy(update={"status": ProjectStatus.PAUSED})
    await paused.save()

    # when
    decision = await _decide(services, here)

    # then
    assert decision == WaitDecision(WaitReason.NOTHING_PENDING, "no pending work may run here")


async def test_much_higher_priority_preempts_running_flexible_work(services: Services) -> None:
    # given priority-5 work assigned 20 minutes ago until 40 minutes from now, and a new
    # priority-9 observation (margin 3 and 15 minutes run: the preemption policy allows it)
    world = await make_world()
    (observatory,) = world.observatories
    assert observatory.id is not None
    running = await _running(world, observatory, priority=5)
    urgent = await add_observation(world, *radec_at(60, 120), name="urgent", priority=9)

    # when
    decision = await _decide(services, observatory)

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.id == urgent.id
    assert decision.preempted_observation_id == running.id
    assert await _states(running, urgent) == [
        ObservationState.PENDING,
        ObservationState.ASSIGNED,
    ]
    released = await Observation.get(running.id)
    assert released is not None
    assert released.assigned_observatory_id is None
    assert released.history[-1].reason == f"preempted by {urgent.id}"


async def test_a_small_priority_lead_lets_running_work_continue(services: Services) -> None:
    # given priority-5 work running until 40 minutes from now and a new priority-7 one
    world = await make_world()
    (observatory,) = world.observatories
    running = await _running(world, observatory, priority=5)
    newcomer = await add_observation(world, *radec_at(60, 120), priority=7)

    # when
    decision = await _decide(services, observatory)

    # then
    assert running.id is not None
    assert decision == KeepRunning(running.id, NOW_UTC + timedelta(minutes=40))
    assert await _states(running, newcomer) == [
        ObservationState.ASSIGNED,
        ObservationState.PENDING,
    ]


async def _running(world: World, observatory: Observatory, priority: int) -> Observation:
    assert observatory.id is not None
    ra, dec = radec_at(60, 200)
    observation = await add_observation(
        world, ra, dec, name="running", priority=priority, state=ObservationState.ASSIGNED
    )
    observation.assigned_observatory_id = observatory.id
    await observation.save()
    assert observation.id is not None
    await DispatchRecord(
        observatory_id=observatory.id,
        observation_id=observation.id,
        project_id=observation.project_id,
        start=NOW_UTC - timedelta(minutes=20),
        until=NOW_UTC + timedelta(minutes=40),
        priority=priority,
        fixed_time=False,
        time_critical=False,
        ra_deg=ra,
        dec_deg=dec,
    ).insert()
    return observation


async def test_work_created_after_a_decision_is_seen_through_its_event(
    services: Services,
) -> None:
    # given an observatory just told that nothing is pending (its workload is now cached)
    world = await make_world()
    (observatory,) = world.observatories
    assert await _decide(services, observatory) == WaitDecision(
        WaitReason.NOTHING_PENDING, "no pending work may run here"
    )

    # when an observation is created and its creation event published (as the service does)
    created = await add_observation(world, *radec_at(60, 200))
    await services.events.publish(
        DomainEvent(
            topic=OBSERVATION_TOPIC,
            kind="state_changed",
            payload={"observation_id": str(created.id), "state": "pending"},
            organization_id=str(world.organization.id),
        )
    )
    decision = await _decide(services, observatory)
    for _ in range(50):  # the event travels through Redis
        if isinstance(decision, Assignment):
            break
        await asyncio.sleep(0.1)
        decision = await _decide(services, observatory)

    # then
    assert isinstance(decision, Assignment)
    assert decision.observation.id == created.id
