"""The simulated observatory against a real API process and a real pipeline worker.

Set-up goes through GraphQL with the demo's own code (`create_demo_data`): an observatory
where it is night now and an LRGB observation of a Messier object high in its sky. The
simulator runs as `science-scheduler simulate-observatory`, exposing 60 times faster than real
time, and renders its frames from the Tycho-2 catalogue, so the worker really solves them.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from numpy.testing import assert_allclose

from science_scheduler.demo_setup import DemoData, create_demo_data
from science_scheduler.demo_sky import VisibleTarget, night_site, visible_targets
from science_scheduler.simulator.camera import Optics
from science_scheduler.simulator.options import DEFAULT_FILTERS
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.engines import free_port, running_cli, wait_for_http
from tests.graphql_client import Subscription, graphql_http, subscription

pytestmark = pytest.mark.slow

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
OBSERVATION = """query ($id: ID!) {
  observation(id: $id) { state history { fromState toState reason } }
}"""
FRAMES = """query ($id: ID!) {
  frames(observationId: $id, first: 50) {
    totalCount
    edges { node {
      sequence state originalSha256
      metadata { filterName exposureS }
      solution { raDeg decDeg pixelScaleArcsec }
      grade { accepted reasons { code } }
    } }
  }
}"""
EVENTS = """subscription ($project: ID!) {
  observationEvents(projectId: $project) { observationId state previousState }
}"""
PLANNED_FRAMES = 6  # the demo's first plan: L x3, R, G, B
SPEEDUP = "60"


class Watcher:
    def __init__(self, server: ApiServer, token: str) -> None:
        self.server, self.token = server, token

    async def query(self, document: str, **variables: object) -> dict[str, Any]:
        body = await graphql_http(self.server.base_url, document, token=self.token, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def observation(self, observation_id: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.query(OBSERVATION, id=observation_id))["observation"]
        return found

    async def frames(self, observation_id: str) -> list[dict[str, Any]]:
        edges = (await self.query(FRAMES, id=observation_id))["frames"]["edges"]
        return [edge["node"] for edge in edges]

    async def until_done(self, observation_id: str, timeout_s: float = 240) -> dict[str, Any]:
        """The observation once it is completed and every frame left the pipeline."""
        deadline = time.monotonic() + timeout_s
        observation: dict[str, Any] = {}
        while time.monotonic() < deadline:
            observation = await self.observation(observation_id)
            if observation["state"] == "COMPLETED":
                frames = await self.frames(observation_id)
                if frames and all(frame["state"] in {"DONE", "FAILED"} for frame in frames):
                    return observation
            await asyncio.sleep(1.0)
        raise AssertionError(f"not done in {timeout_s} s: {observation}")


async def events_until(events: Subscription, state: str) -> list[dict[str, Any]]:
    """The observation events received, in order, up to the first one reaching `state`."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while not seen or seen[-1]["state"] != state:
            message = await events.next_message()
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["observationEvents"])
    return seen


async def demo_world(server: ApiServer) -> tuple[DemoData, VisibleTarget, Watcher]:
    now = datetime.now(UTC)
    site = night_site(now)
    (target,) = visible_targets(site, now, 1)
    data = await create_demo_data(
        server.base_url,
        (ADMIN_EMAIL, ADMIN_PASSWORD),
        site,
        [target],
        Optics(),
        list(DEFAULT_FILTERS),
        now,
    )
    login = await graphql_http(
        server.base_url, LOGIN, email=data.user_email, password=data.user_password
    )
    return data, target, Watcher(server, login["data"]["login"]["accessToken"])


def simulator_args(server: ApiServer, data: DemoData, state_dir: Path, *faults: str) -> list[str]:
    return [
        "simulate-observatory",
        "--server",
        server.base_url,
        "--api-key",
        data.api_key,
        "--state-dir",
        str(state_dir),
        "--speedup",
        SPEEDUP,
        "--seed",
        "7",
        *faults,
    ]


async def resumed_with_frames(watcher: Watcher, observation_id: str, count: int) -> bool:
    history = (await watcher.observation(observation_id))["history"]
    resumed = [entry["toState"] for entry in history][-2:] == ["SUSPENDED", "IN_PROGRESS"]
    return resumed and len(await watcher.frames(observation_id)) >= count


def assert_frames_solved_and_graded(frames: list[dict[str, Any]], target: VisibleTarget) -> None:
    assert len(frames) == PLANNED_FRAMES
    assert len({frame["sequence"] for frame in frames}) == PLANNED_FRAMES
    assert len({frame["originalSha256"] for frame in frames}) == PLANNED_FRAMES
    assert sorted(frame["metadata"]["filterName"] for frame in frames) == sorted(
        ["L", "L", "L", "R", "G", "B"]
    )
    for frame in frames:
        assert frame["state"] == "DONE"
        solution = frame["solution"]
        assert_allclose(
            [solution["raDeg"], solution["decDeg"]], [target.ra_deg, target.dec_deg], atol=0.02
        )
        assert_allclose(solution["pixelScaleArcsec"], Optics().pixel_scale_arcsec(), rtol=0.01)
        assert frame["grade"] == {"accepted": True, "reasons": []}


async def test_the_simulated_observatory_completes_an_observation(
    api_server: ApiServer, worker: None, tmp_path: Path
) -> None:
    # given an observatory where it is night and an LRGB observation of a target high up
    data, target, watcher = await demo_world(api_server)
    (observation_id,) = data.observations.values()

    # when the simulated observatory connects and works, while someone watches the project
    args = simulator_args(api_server, data, tmp_path / "simulator")
    async with subscription(
        api_server.ws_url, EVENTS, token=watcher.token, project=data.project_id
    ) as events:
        await asyncio.sleep(0.5)  # subscribed before anything changes
        with running_cli(args, {}, tmp_path / "simulator.log"):
            observation = await watcher.until_done(observation_id)
        seen = await events_until(events, "COMPLETED")

    # then it went through the states of a run, and every frame was stored, solved, graded
    states = ["PENDING", "ASSIGNED", "IN_PROGRESS", "ACQUISITION_COMPLETE", "COMPLETED"]
    assert [entry["toState"] for entry in observation["history"]] == states
    assert [(event["previousState"], event["state"]) for event in seen] == list(pairwise(states))
    assert_frames_solved_and_graded(await watcher.frames(observation_id), target)


async def test_faults_and_a_restart_still_give_each_frame_once(
    api_server: ApiServer, worker: None, tmp_path: Path
) -> None:
    # given a simulator that drops its connection, duplicates messages, acks late and sees
    # clouds for a while
    data, target, watcher = await demo_world(api_server)
    (observation_id,) = data.observations.values()
    state_dir = tmp_path / "simulator"
    faults = ["--drop-rate", "0.08", "--duplicate-rate", "0.3", "--ack-delay", "0.5"]
    weather = ["--weather-unsafe", "4:6"]

    # when it is killed mid-run and started again from its state directory
    with running_cli(
        simulator_args(api_server, data, state_dir, *faults, *weather),
        {},
        tmp_path / "simulator-1.log",
    ) as process:
        deadline = time.monotonic() + 120
        while not await resumed_with_frames(watcher, observation_id, 2):
            assert time.monotonic() < deadline, "no resumed run with 2 frames in 120 s"
            await asyncio.sleep(0.5)
        process.send_signal(signal.SIGKILL)
    with running_cli(
        simulator_args(api_server, data, state_dir, *faults),
        {},
        tmp_path / "simulator-2.log",
    ):
        observation = await watcher.until_done(observation_id)

    # then the clouds suspended the run, and it completed with each planned frame once
    states = [entry["toState"] for entry in observation["history"]]
    assert states[:5] == ["PENDING", "ASSIGNED", "IN_PROGRESS", "SUSPENDED", "IN_PROGRESS"]
    assert states[-2:] == ["ACQUISITION_COMPLETE", "COMPLETED"]
    assert "fault: dropping the connection" in (tmp_path / "simulator-1.log").read_text()
    assert_frames_solved_and_graded(await watcher.frames(observation_id), target)


async def test_the_simulator_resumes_after_the_api_server_restarts(
    engine_env: dict[str, str], worker: None, tmp_path: Path
) -> None:
    # given an API process, and a simulated observatory in the middle of a run
    port = free_port()
    env = {
        **engine_env,
        "SCHEDULER_ADMIN_EMAIL": ADMIN_EMAIL,
        "SCHEDULER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    base_url = f"http://127.0.0.1:{port}"
    server = ApiServer(base_url, f"ws://127.0.0.1:{port}/graphql", tmp_path / "api-1.log", 0)
    first_api = running_cli(["api", "--port", str(port)], env, tmp_path / "api-1.log")
    first_api.__enter__()
    try:
        await asyncio.to_thread(wait_for_http, f"{base_url}/healthz")
        data, target, watcher = await demo_world(server)
        (observation_id,) = data.observations.values()
        args = simulator_args(server, data, tmp_path / "simulator")
        with running_cli(args, {}, tmp_path / "simulator.log"):
            deadline = time.monotonic() + 120
            while len(await watcher.frames(observation_id)) < 2:
                assert time.monotonic() < deadline, "no frames uploaded in 120 s"
                await asyncio.sleep(0.5)

            # when the API process stops, and starts again 3 s later
            first_api.__exit__(None, None, None)
            await asyncio.sleep(3)
            with running_cli(["api", "--port", str(port)], env, tmp_path / "api-2.log"):
                await asyncio.to_thread(wait_for_http, f"{base_url}/healthz")
                observation = await watcher.until_done(observation_id)
                frames = await watcher.frames(observation_id)
    finally:
        first_api.__exit__(None, None, None)

    # then the observatory reconnected and finished the run, each frame once
    states = [entry["toState"] for entry in observation["history"]]
    assert states[:3] == ["PENDING", "ASSIGNED", "IN_PROGRESS"]
    assert states[-2:] == ["ACQUISITION_COMPLETE", "COMPLETED"]
    assert_frames_solved_and_graded(frames, target)
    assert "reconnecting in" in (tmp_path / "simulator.log").read_text()
