"""`resubmitObservation` copies a finished observation as a new pending one, held to today's
rules: its windows must still lie ahead and its observatories must still be yours to use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import MongoClient

from tests.api.gaps_world import SET_PROJECT_MEMBER, GapsWorld, make_world
from tests.conftest import TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.ids import database_id

CREATE = """mutation ($project: ID!, $observatory: ID!, $start: DateTime!, $end: DateTime!) {
  createObservation(input: {projectId: $project, name: "Orion", priority: 7,
    eligibleObservatoryIds: [$observatory],
    constraints: {windows: [{start: $start, end: $end}]},
    targets: [{name: "M42", exposures: [{filter: "Ha", exposureS: 300, count: 12}]}]}) {
    __typename ... on Observation { id } ... on ValidationError { fields { path message } }
  }
}"""
CANCEL = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id, reason: "mount repair"}) { __typename }
}"""
RESUBMIT = """mutation ($id: ID!) {
  resubmitObservation(input: {id: $id}) {
    __typename
    ... on Observation {
      id name state priority resubmittedFromId
      targets { name exposures { filter exposureS count accepted } }
      history { fromState toState reason }
    }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
  }
}"""
STATE = """query ($id: ID!) { observation(id: $id) { state } }"""


def _observations(engine: Engine) -> list[dict[str, Any]]:
    with MongoClient[dict[str, Any]](engine.url) as client:
        return list(client[TEST_DATABASE]["observations"].find({}, sort=[("_id", 1)]))


async def _cancelled(world: GapsWorld) -> str:
    now = datetime.now(UTC)
    created = await world.call(
        "owner", CREATE, project=world.project, observatory=world.observatory,
        start=now.isoformat(), end=(now + timedelta(days=60)).isoformat(),
    )  # fmt: skip
    answer = created["data"]["createObservation"]
    assert answer["__typename"] == "Observation", answer
    await world.call("owner", CANCEL, id=answer["id"])
    return str(answer["id"])


async def test_a_cancelled_observation_comes_back_as_a_new_pending_one(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    source = await _cancelled(world)

    # when
    body = await world.call("owner", RESUBMIT, id=source)

    # then: a new observation with the same plan and no progress; the old one stays cancelled
    copy = body["data"]["resubmitObservation"]
    assert copy.pop("id") != source
    assert copy == {
        "__typename": "Observation", "name": "Orion", "state": "PENDING", "priority": 7,
        "resubmittedFromId": source,
        "targets": [{"name": "M42", "exposures": [
            {"filter": "Ha", "exposureS": 300.0, "count": 12, "accepted": 0}]}],
        "history": [{"fromState": None, "toState": "PENDING", "reason": "resubmitted"}],
    }  # fmt: skip
    assert (await world.call("owner", STATE, id=source))["data"]["observation"] == {
        "state": "CANCELLED"
    }


async def test_windows_that_have_passed_are_refused_and_nothing_is_copied(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: the observation's only window has ended since it was cancelled
    world = await make_world(api_server)
    source = await _cancelled(world)
    past = datetime.now(UTC) - timedelta(days=1)
    with MongoClient[dict[str, Any]](mongo_engine.url) as client:
        client[TEST_DATABASE]["observations"].update_one(
            {"_id": ObjectId(database_id(source))},
            {"$set": {"constraints.windows": [
                {"start": past - timedelta(days=30), "end": past}]}},
        )  # fmt: skip
    before = _observations(mongo_engine)

    # when
    body = await world.call("owner", RESUBMIT, id=source)

    # then
    assert body["data"]["resubmitObservation"] == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["constraints", "windows", "0", "end"],
             "message": "the window is wholly in the past"},
        ],
    }  # fmt: skip
    assert _observations(mongo_engine) == before


async def test_someone_who_may_not_observe_there_cannot_resubmit_it(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: the viewer may use the project but is not in the observatory's organization
    world = await make_world(api_server)
    source = await _cancelled(world)
    await world.call(
        "owner", SET_PROJECT_MEMBER, project=world.project, user=world.user_ids["viewer"],
        permissions=["VIEW", "USE"],
    )  # fmt: skip
    before = _observations(mongo_engine)

    # when
    body = await world.call("viewer", RESUBMIT, id=source)

    # then
    assert body["data"]["resubmitObservation"] == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["eligibleObservatoryIds", "0"], "message": "you may not observe with north-1"}
        ],
    }
    assert _observations(mongo_engine) == before


async def test_an_observation_still_in_progress_cannot_be_resubmitted(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: a pending observation
    world = await make_world(api_server)
    now = datetime.now(UTC)
    created = await world.call(
        "owner", CREATE, project=world.project, observatory=world.observatory,
        start=now.isoformat(), end=(now + timedelta(days=60)).isoformat(),
    )  # fmt: skip
    pending = created["data"]["createObservation"]["id"]
    before = _observations(mongo_engine)

    # when
    body = await world.call("owner", RESUBMIT, id=pending)

    # then
    assert body["data"]["resubmitObservation"] == {
        "__typename": "Conflict",
        "message": "only finished observations can be resubmitted",
    }
    assert _observations(mongo_engine) == before
