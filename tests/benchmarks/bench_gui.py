"""The web client in headless chromium: bundle size, dashboard load, live update latency.

Run: .venv/bin/python tests/benchmarks/bench_gui.py   (builds client/dist when it is missing)

- Initial bundle: the gzip size of everything index.html loads (target < 500 KB).
- Dashboard interactive with 1,000 observations: navigation start until the dashboard shows
  its queue counts, cold (new browser context, empty cache) and warm (target < 2 s).
- Subscription event → DOM update: an observation is cancelled from inside the page; the
  time from the `observationEvents` message reaching the client to the dashboard's count
  changing in the DOM (target < 200 ms), and from sending the mutation to the DOM change.

The API runs in this process (uvicorn on loopback) on the embedded engines; Debian's chromium
is driven by Playwright (never a downloaded browser).
"""

from __future__ import annotations

import asyncio
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
import uvicorn
from playwright.async_api import Page, async_playwright

from domain.observations.observation import ExposureSet, Observation, Target
from domain.observations.states import ObservationState
from domain.observatories.observatory import Observatory
from science_scheduler.app import create_app
from science_scheduler.settings import load_settings
from tests.engines import free_port, running_mongo, running_valkey
from tests.gui.browser import CHROMIUM, CHROMIUM_ARGS, ensure_client_built
from tests.ids import database_id, global_id

OBSERVATIONS = 1_000
LOADS = 5
EVENTS = 20
ADMIN = ("bench@example.org", "benchmark password")
STATES = [
    ObservationState.PENDING,
    ObservationState.COMPLETED,
    ObservationState.DRAFT,
    ObservationState.FAILED,
    ObservationState.IN_PROGRESS,
]


def bundle_gzip_bytes(dist: Path) -> tuple[int, int]:
    """(raw, gzip) bytes of index.html and every script and stylesheet it loads."""
    index = (dist / "index.html").read_text()
    files = [dist / "index.html"] + [
        dist / ref.lstrip("/") for ref in re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)
    ]
    raw = sum(f.stat().st_size for f in files)
    packed = sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)
    return raw, packed


async def _graphql(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: object
) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    data = body["data"]
    assert isinstance(data, dict)
    return data


async def _setup(client: httpx.AsyncClient) -> tuple[str, str, str]:
    login = await _graphql(
        client,
        "mutation($e:String!,$p:String!){login(input:{email:$e,password:$p})"
        "{... on LoginSuccess{accessToken}}}",
        e=ADMIN[0],
        p=ADMIN[1],
    )
    token = str(login["login"]["accessToken"])  # type: ignore[index]
    org = await _graphql(
        client,
        'mutation{createOrganization(input:{name:"Bench",shortName:"bench"})'
        "{... on Organization{id}}}",
        token,
    )
    org_id = org["createOrganization"]["id"]  # type: ignore[index]
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
        database_id(str(project["createProject"]["id"])),  # type: ignore[index]
        database_id(str(observatory["registerObservatory"]["observatory"]["id"])),  # type: ignore[index]
    )


async def _seed(project_id: str, observatory_id: str) -> list[str]:
    """1,000 observations in mixed states; the (global) ids of the pending ones."""
    from beanie import PydanticObjectId

    observatory = await Observatory.get(PydanticObjectId(observatory_id))
    assert observatory is not None
    batch = [
        Observation(
            organization_id=observatory.organization_id,
            project_id=PydanticObjectId(project_id),
            created_by=observatory.created_by,
            name=f"seeded {n}",
            priority=1 + n % 10,
            targets=[
                Target(
                    name=f"T{n}",
                    ra_deg=(n * 0.36) % 360,
                    dec_deg=(n % 150) - 60,
                    exposures=[ExposureSet(filter="L", exposure_s=60, count=10)],
                )
            ],
            state=STATES[n % len(STATES)],
        )
        for n in range(OBSERVATIONS)
    ]
    await Observation.insert_many(batch)
    pending = await Observation.find(Observation.state == ObservationState.PENDING).to_list()
    return [global_id("Observation", str(o.id)) for o in pending]


SIGN_IN = """async ([email, password]) => {
  const query = `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p})
    {... on LoginSuccess{accessToken expiresIn refreshToken
                         user{id email fullName isSiteAdmin}}}}`;
  const r = await fetch('/graphql', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({query, variables: {e: email, p: password}})});
  const l = (await r.json()).data.login;
  localStorage.setItem('ss.session', JSON.stringify({accessToken: l.accessToken,
    refreshToken: l.refreshToken, expiresAt: Date.now() + l.expiresIn * 1000, user: l.user}));
}"""

WATCH_AND_CANCEL = """async ([id, token]) => {
  const target = document.querySelector('[data-testid="count-CANCELLED"]');
  const before = target.textContent;
  const eventsBefore = (window.__ssEventTimes || []).length;
  const changed = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (target.textContent !== before) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(target, {subtree: true, childList: true, characterData: true});
  });
  const sent = performance.now();
  const answer = await (await fetch('/graphql', {method: 'POST', headers: {
    'Content-Type': 'application/json', Authorization: 'Bearer ' + token},
    body: JSON.stringify({variables: {id},
      query: 'mutation($id:ID!){cancelObservation(input:{id:$id}){__typename}}'})})).json();
  const timeout = new Promise((_, reject) => setTimeout(
    () => reject(new Error('no DOM update in 10 s; mutation answered ' + JSON.stringify(answer))),
    10000));
  const dom = await Promise.race([changed, timeout]);
  const received = window.__ssEventTimes[eventsBefore];
  return {eventToDom: dom - received, mutationToDom: dom - sent};
}"""


async def _dashboard_load_ms(page: Page, base_url: str) -> float:
    started = time.perf_counter()
    await page.goto(f"{base_url}/")
    await page.wait_for_selector('[data-testid="count-PENDING"]')
    return (time.perf_counter() - started) * 1000


async def main_async(mongo_url: str, redis_url: str, data_dir: Path) -> None:
    dist = ensure_client_built()
    raw, packed = bundle_gzip_bytes(dist)
    print(f"initial bundle: {raw / 1024:.0f} KB raw, {packed / 1024:.0f} KB gzip (target < 500 KB)")

    port = free_port()
    settings = load_settings(
        mongodb_url=mongo_url,
        redis_url=redis_url,
        data_dir=data_dir,
        port=port,
        admin_email=ADMIN[0],
        admin_password=ADMIN[1],
        log_level="WARNING",
        client_dir=dist,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_config=None, log_level="warning"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        token, project_id, observatory_id = await _setup(client)
        pending = await _seed(project_id, observatory_id)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        cold: list[float] = []
        for _ in range(LOADS):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{base_url}/signin")
            await page.evaluate(SIGN_IN, list(ADMIN))
            cold.append(await _dashboard_load_ms(page, base_url))
            await context.close()
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{base_url}/signin")
        await page.evaluate(SIGN_IN, list(ADMIN))
        warm = [await _dashboard_load_ms(page, base_url) for _ in range(LOADS + 1)][1:]
        print(
            f"dashboard interactive with {OBSERVATIONS} observations: "
            f"cold median {statistics.median(cold):.0f} ms (max {max(cold):.0f}), "
            f"warm median {statistics.median(warm):.0f} ms (target < 2000 ms)"
        )

        await page.wait_for_timeout(1000)  # the subscription socket is open and acknowledged
        event_to_dom: list[float] = []
        mutation_to_dom: list[float] = []
        for observation_id in pending[:EVENTS]:
            timing = await page.evaluate(WATCH_AND_CANCEL, [observation_id, token])
            event_to_dom.append(timing["eventToDom"])
            mutation_to_dom.append(timing["mutationToDom"])
        print(
            f"subscription event -> DOM update over {EVENTS} events: "
            f"median {statistics.median(event_to_dom):.1f} ms, max {max(event_to_dom):.1f} ms "
            f"(target < 200 ms); mutation sent -> DOM median "
            f"{statistics.median(mutation_to_dom):.1f} ms, max {max(mutation_to_dom):.1f} ms"
        )
        await browser.close()

    server.should_exit = True
    await serving


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with running_mongo(root / "mongo") as mongo, running_valkey(root / "valkey") as valkey:
            asyncio.run(main_async(mongo.url, valkey.url, root / "data"))


if __name__ == "__main__":
    main()
