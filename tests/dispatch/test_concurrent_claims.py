"""Many observatories asking at the same instant never get the same observation."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from domain.dispatch.dispatcher import Assignment, WaitDecision, next_work
from domain.dispatch.record import DispatchRecord
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from science_scheduler.services import Services
from science_scheduler.settings import Settings
from tests.dispatch.world import NOW_UTC, World, add_observation, make_world
from tests.scheduling.sky import radec_at


async def _pending_work(world: World, count: int) -> list[Observation]:
    ra, dec = radec_at(60, 200)
    return [await add_observation(world, ra, dec, name=f"obs-{i}") for i in range(count)]


async def _assert_exactly_once(assigned: dict[str, str]) -> None:
    """Each claimed observation is assigned, to the observatory that got it, exactly once."""
    stored = await Observation.find_all().to_list()
    by_state = Counter(o.state for o in stored)
    assert by_state[ObservationState.ASSIGNED] == len(assigned)
    for observation in stored:
        claims = [h for h in observation.history if h.to_state is ObservationState.ASSIGNED]
        if observation.state is ObservationState.ASSIGNED:
            assert str(observation.assigned_observatory_id) == assigned[str(observation.id)]
            assert [h.actor for h in claims] == [f"observatory:{assigned[str(observation.id)]}"]
        else:
            assert claims == []
    assert await DispatchRecord.count() == len(assigned)


async def test_eight_observatories_asking_at_once_share_five_observations(
    services: Services,
) -> None:
    # given eight observatories at one site and five identical pending observations
    world = await make_world(observatories=8)
    await _pending_work(world, 5)

    # when all eight ask at the same moment
    decisions = await asyncio.gather(
        *(next_work(o.id, NOW_UTC, bus=services.events) for o in world.observatories if o.id)
    )

    # then five get distinct observations, three wait, nothing is assigned twice
    assignments = [d for d in decisions if isinstance(d, Assignment)]
    assert len(assignments) == 5
    assert sum(isinstance(d, WaitDecision) for d in decisions) == 3
    assert sum(a.lost_claims for a in assignments) > 0  # they really raced
    assigned = {
        str(d.observation.id): str(o.id)
        for o, d in zip(world.observatories, decisions, strict=True)
        if isinstance(d, Assignment)
    }
    assert len(assigned) == 5
    await _assert_exactly_once(assigned)


async def test_four_processes_on_their_own_clients_never_claim_the_same_observation(
    services: Services, settings: Settings
) -> None:
    # given twelve observatories and eight pending observations
    world = await make_world(observatories=12)
    await _pending_work(world, 8)
    ids = [str(o.id) for o in world.observatories]
    raw = json.dumps(
        {
            "mongodb_url": settings.mongodb_url,
            "mongodb_database": settings.mongodb_database,
            "redis_url": settings.redis_url,
            "data_dir": str(settings.data_dir),
        }
    )

    # when four processes (three observatories each) connect, then ask at the same instant
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.dispatch.claimer",
            raw,
            *ids[i::4],
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parents[2],
        )
        for i in range(4)
    ]
    for process in processes:
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 120) == b"ready\n"
    outputs = await asyncio.gather(
        *(asyncio.wait_for(p.communicate(b"go\n"), 120) for p in processes)
    )

    # then exactly eight observatories got distinct observations; the database agrees
    assert [p.returncode for p in processes] == [0, 0, 0, 0]
    lines = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
    assert sorted(line["observatory"] for line in lines) == sorted(ids)
    assigned = {line["observation"]: line["observatory"] for line in lines if line["observation"]}
    assert sum(1 for line in lines if line["observation"]) == 8
    assert len(assigned) == 8
    await _assert_exactly_once(assigned)
