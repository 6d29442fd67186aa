"""The new lists read their references in batches: as many database reads for many parents as
for one (counted with pymongo's command monitoring on the real engine)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import monitoring
from starlette.requests import Request

from schema.context import GraphQLContext
from schema.root import build_schema
from science_scheduler.services import Services
from tests.api.gaps_world import CREATE_PROJECT, SET_PROJECT_MEMBER, GapsWorld, make_world
from tests.api.test_reading_lists import CREATE_OBSERVATION, upload
from tests.conftest import ApiServer
from tests.graphql_client import as_lists

RECENT_FRAMES = """{
  recentFrames(first: 50) {
    edges { node { sequence observation { name project { code } } } }
  }
}"""
ORGANIZATIONS = """{
  organizations { edges { node {
    members { edges { node { user { email } } } }
    projects { edges { node { code members { edges { node { user { email } } } } } } }
  } } }
}"""


class _Finds(monitoring.CommandListener):
    """Counts read commands per collection while `counting` is on."""

    def __init__(self) -> None:
        self.counting = False
        self.reads: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.counting and event.command_name in ("find", "aggregate"):
            self.reads[str(event.command[event.command_name])] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_LISTENER = _Finds()


@pytest.fixture
def finds() -> Iterator[_Finds]:
    """Registered before the services open their client (listeners are taken at creation)."""
    if _LISTENER not in monitoring._LISTENERS.command_listeners:
        monitoring.register(_LISTENER)
    _LISTENER.reads.clear()
    yield _LISTENER
    _LISTENER.counting = False


async def _reads(
    services: Services, finds: _Finds, token: str, query: str
) -> tuple[dict[str, Any], Counter[str]]:
    request = Request({"type": "http", "headers": [(b"authorization", f"Bearer {token}".encode())]})
    context = GraphQLContext(request=request, services=services)
    finds.reads.clear()
    finds.counting = True
    result = await build_schema(production=False).execute(query, context_value=context)
    finds.counting = False
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data, Counter(finds.reads)


async def _observation_with_frame(world: GapsWorld, sequence: int) -> None:
    created = await world.call("owner", CREATE_OBSERVATION, project=world.project)
    await upload(world, created["data"]["createObservation"]["id"], sequence)


async def test_recent_frames_read_their_observations_in_one_query(
    finds: _Finds, api_server: ApiServer, services: Services
) -> None:
    # given: one frame of one observation, then frames of four observations
    world = await make_world(api_server)
    await _observation_with_frame(world, 1)
    one, reads_for_one = await _reads(services, finds, world.tokens["member"], RECENT_FRAMES)
    for sequence in (2, 3, 4):
        await _observation_with_frame(world, sequence)

    # when
    four, reads_for_four = await _reads(services, finds, world.tokens["member"], RECENT_FRAMES)

    # then
    assert len(one["recentFrames"]["edges"]) == 1
    assert [e["node"]["sequence"] for e in four["recentFrames"]["edges"]] == [4, 3, 2, 1]
    assert {e["node"]["observation"]["project"]["code"] for e in four["recentFrames"]["edges"]} == {
        "NEB"
    }
    assert reads_for_four == reads_for_one
    assert reads_for_four["observations"] == 1


async def test_member_and_project_lists_read_as_often_for_three_projects_as_for_one(
    finds: _Finds, api_server: ApiServer, services: Services
) -> None:
    # given: one project, then three, each with a direct member
    world = await make_world(api_server)
    _, reads_for_one = await _reads(services, finds, world.tokens["owner"], ORGANIZATIONS)
    for code in ("AST", "VAR"):
        created = await world.call(
            "owner", CREATE_PROJECT, org=world.organization, name=f"Project {code}", code=code
        )
        await world.call(
            "owner", SET_PROJECT_MEMBER, project=created["data"]["createProject"]["id"],
            user=world.user_ids["outsider"], permissions=["USE"],
        )  # fmt: skip

    # when
    data, reads_for_three = await _reads(services, finds, world.tokens["owner"], ORGANIZATIONS)

    # then
    projects = as_lists(data["organizations"])[0]["projects"]
    assert [p["code"] for p in projects] == ["NEB", "AST", "VAR"]  # by name
    assert [m["user"]["email"] for m in projects[1]["members"]] == [
        "owner@example.org",
        "outsider@example.org",
    ]
    assert reads_for_three == reads_for_one
    assert reads_for_three["projects"] == 1
