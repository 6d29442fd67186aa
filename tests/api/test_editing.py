"""Editing after creation: a draft's plan, an observatory's settings, its enrolled machine."""

from __future__ import annotations

from typing import Any

from tests.api.gaps_world import GapsWorld, make_world
from tests.bridge.client import PluginClient
from tests.conftest import ApiServer

CREATE_DRAFT = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Orion", submit: false, priority: 4,
    targets: [{name: "M42", ra: "83.82", dec: "-5.39",
               exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename ... on Observation { id }
  }
}"""
UPDATE = """mutation ($id: ID!, $name: String!, $count: Int!, $priority: Int!) {
  updateObservation(input: {id: $id, name: $name, priority: $priority,
    targets: [{name: "Trapezium", ra: "5:35:16.5", dec: "-5:23:14",
               exposures: [{filter: "Ha", exposureS: 300, count: $count}]}]}) {
    __typename
    ... on Observation { name priority state targets { name exposures { filter count } } }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
SUBMIT = """mutation ($id: ID!) { submitObservation(input: {id: $id}) { __typename } }"""
OBSERVATION = """query ($id: ID!) {
  observation(id: $id) { name priority state targets { name exposures { filter count } } }
}"""
UPDATE_OBSERVATORY = """mutation ($id: ID!, $focal: Float!) {
  updateObservatory(input: {id: $id,
    horizon: [{azimuthDeg: 180, altitudeDeg: 20}, {azimuthDeg: 0, altitudeDeg: 10}],
    equipment: {focalLengthMm: $focal, pixelSizeUm: 3.76, sensorWidthPx: 6000,
                sensorHeightPx: 4000, filters: ["L", "R", "G", "B"]}}) {
    __typename
    ... on Observatory {
      horizon { azimuthDeg altitudeDeg }
      equipment { focalLengthMm filters pixelScaleArcsec fieldOfViewArcmin }
    }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
  }
}"""
OBSERVATORY = """query ($id: ID!) {
  observatory(id: $id) {
    horizon { azimuthDeg altitudeDeg }
    equipment { focalLengthMm filters pixelScaleArcsec }
    liveStatus { fingerprintEnrolled }
  }
}"""
RESET = """mutation ($id: ID!) {
  resetObservatoryFingerprint(input: {observatoryId: $id}) {
    __typename ... on Observatory { code } ... on Forbidden { message } ... on NotFound { message }
  }
}"""
AS_CREATED = {
    "name": "Orion",
    "priority": 4,
    "state": "DRAFT",
    "targets": [{"name": "M42", "exposures": [{"filter": "L", "count": 5}]}],
}


async def _draft(world: GapsWorld) -> str:
    created = await world.call("owner", CREATE_DRAFT, project=world.project)
    return str(created["data"]["createObservation"]["id"])


async def _read(world: GapsWorld, observation: str) -> dict[str, Any]:
    body = await world.call("owner", OBSERVATION, id=observation)
    found: dict[str, Any] = body["data"]["observation"]
    return found


async def test_a_draft_is_updated_in_place(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    draft = await _draft(world)

    # when
    body = await world.call("owner", UPDATE, id=draft, name="Trapezium in Ha", count=12, priority=8)

    # then
    expected = {
        "name": "Trapezium in Ha",
        "priority": 8,
        "state": "DRAFT",
        "targets": [{"name": "Trapezium", "exposures": [{"filter": "Ha", "count": 12}]}],
    }
    assert body["data"]["updateObservation"] == {"__typename": "Observation", **expected}
    assert await _read(world, draft) == expected


async def test_an_invalid_update_names_the_fields_and_changes_nothing(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    draft = await _draft(world)

    # when
    body = await world.call("owner", UPDATE, id=draft, name="Trapezium", count=0, priority=11)

    # then
    assert body["data"]["updateObservation"] == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["priority"], "message": "must be from 1 (lowest) to 10 (highest)"},
            {
                "path": ["targets", "0", "exposures", "0", "count"],
                "message": "must be from 1 to 10000",
            },
        ],
    }
    assert await _read(world, draft) == AS_CREATED


async def test_a_submitted_observation_is_a_conflict_and_a_viewer_is_forbidden(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    draft = await _draft(world)
    other = await _draft(world)
    await world.call("owner", SUBMIT, id=other)

    # when
    by_viewer = await world.call("viewer", UPDATE, id=draft, name="Mine", count=3, priority=5)
    by_outsider = await world.call("outsider", UPDATE, id=draft, name="Mine", count=3, priority=5)
    submitted = await world.call("owner", UPDATE, id=other, name="Late", count=3, priority=5)

    # then
    assert by_viewer["data"]["updateObservation"] == {
        "__typename": "Forbidden",
        "message": "you need the edit permission on project NEB",
    }
    assert by_outsider["data"]["updateObservation"]["__typename"] == "NotFound"
    assert submitted["data"]["updateObservation"] == {
        "__typename": "Conflict",
        "message": "only drafts can be edited; this observation is pending",
    }
    assert await _read(world, draft) == AS_CREATED
    assert await _read(world, other) == AS_CREATED | {"state": "PENDING"}


async def test_an_observatory_gets_a_new_horizon_and_equipment(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)

    # when
    body = await world.call("owner", UPDATE_OBSERVATORY, id=world.observatory, focal=500.0)

    # then
    scale = 206_264.806 * 3.76e-3 / 500.0
    assert body["data"]["updateObservatory"] == {
        "__typename": "Observatory",
        "horizon": [
            {"azimuthDeg": 0.0, "altitudeDeg": 10.0},
            {"azimuthDeg": 180.0, "altitudeDeg": 20.0},
        ],
        "equipment": {
            "focalLengthMm": 500.0,
            "filters": ["L", "R", "G", "B"],
            "pixelScaleArcsec": scale,
            "fieldOfViewArcmin": [scale * 6000 / 60.0, scale * 4000 / 60.0],
        },
    }


async def test_observatory_settings_refused_change_nothing(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    before = await world.call("owner", OBSERVATORY, id=world.observatory)

    # when
    by_member = await world.call("member", UPDATE_OBSERVATORY, id=world.observatory, focal=500.0)
    invalid = await world.call("owner", UPDATE_OBSERVATORY, id=world.observatory, focal=-1.0)

    # then
    assert by_member["data"]["updateObservatory"] == {
        "__typename": "Forbidden",
        "message": "you need the admin permission on observatory north-1",
    }
    assert invalid["data"]["updateObservatory"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["equipment", "focalLengthMm"], "message": "must be more than 0"}],
    }
    after = await world.call("owner", OBSERVATORY, id=world.observatory)
    assert after == before
    assert before["data"]["observatory"]["equipment"]["focalLengthMm"] == 1000.0


async def test_resetting_the_fingerprint_lets_another_machine_use_the_key(
    api_server: ApiServer,
) -> None:
    # given: the key is enrolled on one machine, and another is refused
    world = await make_world(api_server)
    plugin_url = api_server.ws_url.replace("/graphql", "/plugin/ws")
    first = PluginClient(plugin_url, world.observatory_key, "sha256:" + "ab" * 32)
    await first.connect()
    assert (await first.hello())["type"] == "welcome"
    await first.close()
    second = PluginClient(plugin_url, world.observatory_key, "sha256:" + "cd" * 32)
    await second.connect()
    assert (await second.hello())["code"] == "fingerprint_mismatch"

    # when: a member without ADMIN tries, then the owner resets it
    denied = await world.call("member", RESET, id=world.observatory)
    still_enrolled = await world.call("owner", OBSERVATORY, id=world.observatory)
    reset = await world.call("owner", RESET, id=world.observatory)
    cleared = await world.call("owner", OBSERVATORY, id=world.observatory)

    # then
    assert denied["data"]["resetObservatoryFingerprint"] == {
        "__typename": "Forbidden",
        "message": "you need the admin permission on observatory north-1",
    }
    assert still_enrolled["data"]["observatory"]["liveStatus"] == {"fingerprintEnrolled": True}
    assert reset["data"]["resetObservatoryFingerprint"] == {
        "__typename": "Observatory",
        "code": "north-1",
    }
    assert cleared["data"]["observatory"]["liveStatus"] == {"fingerprintEnrolled": False}
    third = PluginClient(plugin_url, world.observatory_key, "sha256:" + "cd" * 32)
    await third.connect()
    assert (await third.hello())["type"] == "welcome"
    await third.close()
