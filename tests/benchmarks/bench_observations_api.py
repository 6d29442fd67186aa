"""The observation API on the embedded engines: list latency, round trips and create rate.

Run: .venv/bin/python tests/benchmarks/bench_observations_api.py
Targets (issue 3): `observations(first: 100)` with nested project and observatory fields over
10,000 observations p50 < 50 ms; database round trips per request must not grow with the page
size; `createObservation` mutations per second on this machine.

Two phases over the same engines (mongoeco's MongoDB wire server and Valkey, each in its own
process, as `serve` runs them):
1. round trips: the API runs in this process so that pymongo's command monitor can count the
   commands each request sends;
2. latency and create rate: the API runs as its own `science-scheduler api` process, as it is
   deployed, and this process is only the client (so its own work is not timed as the API's).
The ratio printed is p50 / target: below 1.0 meets it.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
import uvicorn
from pymongo import monitoring

from domain.observations.observation import ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory
from science_scheduler.app import create_app
from science_scheduler.settings import load_settings
from tests.engines import free_port, running_cli, running_mongo, running_valkey, wait_for_http
from tests.ids import database_id

OBSERVATIONS = 10_000
SAMPLES = 60
TARGET_P50_MS = 50.0
ADMIN = ("bench@example.org", "benchmark password")


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


LIST = """query ($first: Int!) {
  observations(first: $first) {
    edges { node { id name state priority targets { name raDeg decDeg }
      project { code name } eligibleObservatories { edges { node { code name } } } } }
  }
}"""


async def _graphql(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: object
) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    return body


async def _setup(client: httpx.AsyncClient) -> tuple[str, str, str]:
    token = await _login(client)
    org = await _graphql(
        client,
        'mutation{createOrganization(input:{name:"Bench",shortName:"bench"})'
        "{... on Organization{id}}}",
        token,
    )
    org_id = org["data"]["createOrganization"]["id"]  # type: ignore[index]
    project = await _graphql(
        client,
        'mutation($o:ID!){createProject(input:{organizationId:$o,name:"Bench",'
        'code:"BENCH"}){... on Project{id}}}',
        token,
        o=org_id,
    )
    observatory = await _graphql(
        client,
        'mutation($o:ID!){registerObservatory(input:{organizationId:$o,name:"B",'
        'code:"bench-1",location:{latitudeDeg:52,longitudeDeg:5},equipment:{filters:["L"]}})'
        "{... on RegisterObservatorySuccess{observatory{id}}}}",
        token,
        o=org_id,
    )
    return (
        token,
        str(project["data"]["createProject"]["id"]),  # type: ignore[index]
        str(observatory["data"]["registerObservatory"]["observatory"]["id"]),  # type: ignore[index]
    )


async def _seed(project_id: str, observatory_id: str) -> None:
    from beanie import PydanticObjectId

    project = PydanticObjectId(database_id(project_id))
    observatory = await Observatory.get(PydanticObjectId(database_id(observatory_id)))
    assert observatory is not None
    batch = [
        Observation(
            organization_id=observatory.organization_id,
            project_id=project,
            created_by=observatory.created_by,
            name=f"seeded {n}",
            priority=1 + n % 10,
            targets=[
                Target(
                    name=f"T{n}",
                    ra_deg=(n * 0.036) % 360,
                    dec_deg=(n % 150) - 60,
                    exposures=[ExposureSet(filter="L", exposure_s=60, count=10)],
                )
            ],
            eligible_observatory_ids=[observatory.id] if observatory.id else [],
            state=ObservationState.PENDING,
        )
        for n in range(OBSERVATIONS)
    ]
    for start in range(0, OBSERVATIONS, 1000):
        await Observation.insert_many(batch[start : start + 1000])


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


PAGES = ((10, False), (100, False), (100, True))


def _page_query(counted: bool) -> str:
    return LIST.replace("edges", "totalCount edges", 1) if counted else LIST


def _label(first: int, counted: bool) -> str:
    return f"{first}{' +totalCount' if counted else ''}"


async def _login(client: httpx.AsyncClient) -> str:
    login = await _graphql(
        client,
        "mutation($e:String!,$p:String!){login(input:{email:$e,password:$p})"
        "{... on LoginSuccess{accessToken}}}",
        e=ADMIN[0],
        p=ADMIN[1],
    )
    return str(login["data"]["login"]["accessToken"])  # type: ignore[index]


async def count_round_trips(
    mongo_url: str, redis_url: str, data_dir: Path
) -> tuple[str, str, dict[str, float]]:
    """Set up and seed through an in-process API, then count each page's database commands."""
    counter = CommandCounter()
    monitoring.register(counter)
    port = free_port()
    settings = load_settings(
        mongodb_url=mongo_url,
        redis_url=redis_url,
        data_dir=data_dir,
        port=port,
        admin_email=ADMIN[0],
        admin_password=ADMIN[1],
        log_level="WARNING",
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_config=None, log_level="warning"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    trips: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        token, project_id, observatory_id = await _setup(client)
        await _seed(project_id, observatory_id)
        for first, counted in PAGES:
            counts = []
            for _ in range(5):
                before = counter.count
                await _graphql(client, _page_query(counted), token, first=first)
                counts.append(counter.count - before)
            trips[_label(first, counted)] = statistics.median(counts)
    server.should_exit = True
    await serving
    return project_id, observatory_id, trips


async def measure_latency(
    base_url: str, project_id: str, observatory_id: str, trips: dict[str, float]
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        token = await _login(client)
        print(f"observations(first: N) over {OBSERVATIONS} observations, {SAMPLES} requests each")
        print(f"{'page':>16} {'p50 ms':>8} {'p99 ms':>8} {'p50/target':>11} {'db round trips':>15}")
        for first, counted in PAGES:
            query = _page_query(counted)
            for _ in range(5):  # warm: parse and validation caches, connection pools
                await _graphql(client, query, token, first=first)
            latencies = []
            for _ in range(SAMPLES):
                started = time.perf_counter()
                await _graphql(client, query, token, first=first)
                latencies.append((time.perf_counter() - started) * 1000)
            label = _label(first, counted)
            p50 = statistics.median(latencies)
            print(
                f"{label:>16} {p50:8.1f} {_percentile(latencies, 0.99):8.1f} "
                f"{p50 / TARGET_P50_MS:11.2f} {trips[label]:15.0f}"
            )
        print(
            f"target: p50 < {TARGET_P50_MS:.0f} ms at first: 100; round trips equal for both sizes"
        )

        create = (
            'mutation($p:ID!,$o:ID!){createObservation(input:{projectId:$p,name:"rate",'
            'eligibleObservatoryIds:[$o],targets:[{name:"Vega",ra:"279.23",dec:"38.78",'
            'exposures:[{filter:"L",exposureS:30,count:5}]}]}){__typename}}'
        )
        for concurrency in (1, 8):
            total = 200
            started = time.perf_counter()
            semaphore = asyncio.Semaphore(concurrency)

            async def one(semaphore: asyncio.Semaphore = semaphore) -> None:
                async with semaphore:
                    body = await _graphql(client, create, token, p=project_id, o=observatory_id)
                    created = body["data"]["createObservation"]  # type: ignore[index]
                    assert created["__typename"] == "Observation", created

            await asyncio.gather(*(one() for _ in range(total)))
            rate = total / (time.perf_counter() - started)
            print(f"createObservation: {rate:6.1f} per second ({concurrency} concurrent clients)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with running_mongo(root / "mongo") as mongo, running_valkey(root / "valkey") as valkey:
            project_id, observatory_id, trips = asyncio.run(
                count_round_trips(mongo.url, valkey.url, root / "data")
            )
            port = free_port()
            env = {
                "MONGODB_URL": mongo.url,
                "REDIS_URL": valkey.url,
                "SCHEDULER_DATA_DIR": str(root / "data"),
                "SCHEDULER_LOG_LEVEL": "WARNING",
            }
            with running_cli(["api", "--port", str(port)], env, root / "api.log"):
                wait_for_http(f"http://127.0.0.1:{port}/healthz")
                asyncio.run(
                    measure_latency(f"http://127.0.0.1:{port}", project_id, observatory_id, trips)
                )


if __name__ == "__main__":
    main()
