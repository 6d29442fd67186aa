"""Global ids: every id names its type, `node(id:)` fetches it with the same visibility as its
own query, and ids the API never issued are refused before anything changes."""

from __future__ import annotations

from typing import Any

import httpx
from bson import ObjectId
from pymongo import MongoClient

from tests.api.gaps_world import GapsWorld, make_world
from tests.conftest import TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.ids import database_id, global_id, type_of
from tests.pipeline.world import fits_file, orion_frame, sha256

CREATE_OBSERVATION = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Orion", submit: false,
    targets: [{name: "M42", ra: "83.82", dec: "-5.39",
               exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename ... on Observation { id }
  }
}"""
ME = "{ me { id email } }"
NODE = """query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Organization { shortName }
    ... on Project { code }
    ... on Observatory { code }
    ... on Observation { name state }
    ... on Frame { sequence observation { id } }
    ... on User { email }
  }
}"""
OBSERVATION = """query ($id: ID!) { observation(id: $id) { id name } }"""
CANCEL = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id, reason: "clouds"}) { __typename }
}"""


async def _upload(world: GapsWorld, observation: str) -> dict[str, Any]:
    body = fits_file(orion_frame(seed=7, width=64, height=48))
    async with httpx.AsyncClient(base_url=world.server.base_url, timeout=60) as client:
        answer = await client.post(
            "/uploads/frames",
            content=body,
            params={"observation": observation, "sequence": "1"},
            headers={
                "Authorization": f"Bearer {world.tokens['owner']}",
                "Content-Type": "application/fits",
                "X-Content-SHA256": sha256(body),
            },
        )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _stored(engine: Engine, observation: str) -> dict[str, Any] | None:
    with MongoClient[dict[str, Any]](engine.url, tz_aware=True) as client:
        return client[TEST_DATABASE]["observations"].find_one({"_id": ObjectId(observation)})


async def _observation(world: GapsWorld) -> str:
    created = await world.call("owner", CREATE_OBSERVATION, project=world.project)
    return str(created["data"]["createObservation"]["id"])


async def test_every_id_names_its_type_and_node_fetches_it_back(api_server: ApiServer) -> None:
    # given: one object of each Node type, made through the API
    world = await make_world(api_server)
    observation = await _observation(world)
    uploaded = await _upload(world, observation)
    me = (await world.call("owner", ME))["data"]["me"]
    ids = {
        "Organization": world.organization,
        "Project": world.project,
        "Observatory": world.observatory,
        "Observation": observation,
        "Frame": uploaded["id"],
        "User": me["id"],
    }

    # when
    fetched = {kind: await world.call("owner", NODE, id=value) for kind, value in ids.items()}

    # then: each id decodes to its type and its database id, and node() returns that object
    assert {kind: type_of(value) for kind, value in ids.items()} == {k: k for k in ids}
    assert database_id(uploaded["id"]) == uploaded["frameId"]
    nodes = {kind: body["data"]["node"] for kind, body in fetched.items()}
    assert nodes == {
        "Organization": {
            "__typename": "Organization", "id": ids["Organization"], "shortName": "vega",
        },
        "Project": {"__typename": "Project", "id": ids["Project"], "code": "NEB"},
        "Observatory": {"__typename": "Observatory", "id": ids["Observatory"], "code": "north-1"},
        "Observation": {
            "__typename": "Observation", "id": observation, "name": "Orion", "state": "DRAFT",
        },
        "Frame": {
            "__typename": "Frame", "id": ids["Frame"], "sequence": 1,
            "observation": {"id": observation},
        },
        "User": {"__typename": "User", "id": me["id"], "email": "owner@example.org"},
    }  # fmt: skip


async def test_node_shows_nothing_the_person_may_not_see(api_server: ApiServer) -> None:
    # given: an outsider (in no organization); org members and project viewers may see
    # observations (docs/permissions.md)
    world = await make_world(api_server)
    observation = await _observation(world)
    owner = (await world.call("owner", ME))["data"]["me"]["id"]
    hidden = [world.organization, world.project, world.observatory, observation, owner]

    # when
    outsider = [(await world.call("outsider", NODE, id=i))["data"]["node"] for i in hidden]
    member = (await world.call("member", NODE, id=observation))["data"]["node"]
    viewer = (await world.call("viewer", NODE, id=observation))["data"]["node"]

    # then
    assert outsider == [None] * len(hidden)
    seen = {"__typename": "Observation", "id": observation, "name": "Orion", "state": "DRAFT"}
    assert member == seen
    assert viewer == seen


async def test_an_id_of_another_type_finds_nothing(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    await _observation(world)

    # when: the project's id where an observation's is expected
    body = await world.call("owner", OBSERVATION, id=world.project)

    # then
    assert body == {"data": {"observation": None}}


async def test_ids_the_api_never_issued_are_refused_and_change_nothing(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: a draft observation, and what a careless script might send instead of its id
    world = await make_world(api_server)
    observation = await _observation(world)
    database_form = database_id(observation)
    before = _stored(mongo_engine, database_form)

    # when
    wrongs = (database_form, "not an id", "T2JzZXJ2YXRpb24", "")
    answers = [await world.call("owner", CANCEL, id=wrong) for wrong in wrongs]
    literal = await world.call("owner", '{ node(id: "garbage") { id } }')

    # then: a clear error naming the bad value, and the observation untouched
    for answer, wrong in zip(answers, wrongs, strict=True):
        assert answer.get("data") is None, answer
        [error] = answer["errors"]
        assert f"{wrong!r} is not an ID issued by this API" in error["message"]
        assert "Traceback" not in error["message"]
    [error] = literal["errors"]
    assert error["message"] == "'garbage' is not an ID issued by this API"
    assert _stored(mongo_engine, database_form) == before


async def test_uploads_take_either_form_of_an_observation_id(api_server: ApiServer) -> None:
    # given: a person holds the GraphQL id; a plugin holds the database id
    world = await make_world(api_server)
    observation = await _observation(world)

    # when
    uploaded = await _upload(world, database_id(observation))
    fetched = await world.call("owner", NODE, id=uploaded["id"])

    # then
    assert fetched["data"]["node"]["observation"] == {"id": observation}
    assert uploaded["id"] == global_id("Frame", uploaded["frameId"])
