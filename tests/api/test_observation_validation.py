"""Every rule of an observation request is reported with the path of the field that broke it,
and a refused request writes nothing (docs/graphql.md, "Creating an observation")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import MongoClient

from tests.api.gaps_world import GapsWorld, make_world
from tests.conftest import TEST_DATABASE, ApiServer
from tests.engines import Engine

CREATE = """mutation ($input: CreateObservationInput!) {
  createObservation(input: $input) {
    __typename
    ... on Observation { id }
    ... on ValidationError { fields { path message } }
  }
}"""


def _stored(engine: Engine) -> list[dict[str, Any]]:
    with MongoClient[dict[str, Any]](engine.url) as client:
        return list(client[TEST_DATABASE]["observations"].find({}))


def _request(world: GapsWorld, **changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "projectId": world.project,
        "name": "Orion",
        "eligibleObservatoryIds": [world.observatory],
        "targets": [
            {"name": "M42", "ra": "83.82", "dec": "-5.39",
             "exposures": [{"filter": "L", "exposureS": 60, "count": 5}]},
        ],
    }  # fmt: skip
    request.update(changes)
    return request


async def _refused(world: GapsWorld, engine: Engine, **changes: Any) -> list[dict[str, Any]]:
    body = await world.call("owner", CREATE, input=_request(world, **changes))
    answer = body["data"]["createObservation"]
    assert answer["__typename"] == "ValidationError", answer
    assert _stored(engine) == []  # then: nothing was written
    return list(answer["fields"])


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_coordinates_and_exposure_plans_outside_their_ranges(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: the observatory has the filters L and Ha and bins 1 only
    world = await make_world(api_server)
    targets = [
        {"name": "somewhere", "ra": "360", "dec": "-90.5",
         "exposures": [{"filter": "OIII", "exposureS": 0, "count": 0, "binning": 5}]},
        {"name": "elsewhere", "ra": "10", "dec": "20",
         "exposures": [{"filter": "Ha", "exposureS": 86401, "count": 10001, "binning": 2}]},
        {"name": "no plan", "ra": "10", "dec": "20", "exposures": []},
    ]  # fmt: skip

    # when
    fields = await _refused(world, mongo_engine, targets=targets)

    # then
    assert fields == [
        {"path": ["targets", "0", "ra"], "message":
         "'360' is out of range: right ascension must be at least 0 and less than 360° (24h)"},
        {"path": ["targets", "0", "dec"],
         "message": "'-90.5' is out of range: declination must be between -90° and +90°"},
        {"path": ["targets", "0", "exposures", "0", "count"], "message": "must be from 1 to 10000"},
        {"path": ["targets", "0", "exposures", "0", "exposureS"],
         "message": "must be more than 0 and at most 86400 seconds"},
        {"path": ["targets", "0", "exposures", "0", "binning"], "message": "must be from 1 to 4"},
        {"path": ["targets", "0", "exposures", "0", "filter"],
         "message": "filter 'OIII' is not on observatory north-1"},
        {"path": ["targets", "1", "exposures", "0", "count"], "message": "must be from 1 to 10000"},
        {"path": ["targets", "1", "exposures", "0", "exposureS"],
         "message": "must be more than 0 and at most 86400 seconds"},
        {"path": ["targets", "1", "exposures", "0", "binning"],
         "message": "binning 2 is not offered by north-1"},
        {"path": ["targets", "2", "exposures"], "message": "needs at least one exposure set"},
    ]  # fmt: skip


async def test_constraints_outside_their_ranges_and_windows_that_cannot_be_used(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given
    world = await make_world(api_server)
    now = datetime.now(UTC)
    constraints = {
        "minAltitudeDeg": 91, "maxAirmass": 0.9, "moonSeparationDeg": 181,
        "moonSeparationWidthDays": 0, "maxMoonIllumination": 1.5,
        "windows": [
            {"start": _iso(now + timedelta(days=2)), "end": _iso(now + timedelta(days=1))},
            {"start": _iso(now - timedelta(days=3)), "end": _iso(now - timedelta(days=2))},
        ],
    }  # fmt: skip

    # when
    fields = await _refused(world, mongo_engine, constraints=constraints)

    # then
    assert fields == [
        {"path": ["constraints", "minAltitudeDeg"], "message": "must be from 0 to 90 degrees"},
        {"path": ["constraints", "maxAirmass"], "message": "must be from 1 to 40"},
        {"path": ["constraints", "moonSeparationDeg"], "message": "must be from 0 to 180 degrees"},
        {"path": ["constraints", "moonSeparationWidthDays"],
         "message": "must be more than 0 and at most 30"},
        {"path": ["constraints", "maxMoonIllumination"], "message": "must be from 0 to 1"},
        {"path": ["constraints", "windows", "0", "end"], "message": "must be after the start"},
        {"path": ["constraints", "windows", "1", "end"],
         "message": "the window is wholly in the past"},
    ]  # fmt: skip


async def test_thresholds_notes_and_a_fixed_time_in_the_past(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given
    world = await make_world(api_server)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    thresholds = {"maxFwhmArcsec": 0, "minStars": -1, "maxEccentricity": 1.5, "minSnr": -2}

    # when
    fields = await _refused(
        world, mongo_engine, name=" ", priority=0, type="FIXED_TIME",
        typeSettings={"fixedStart": _iso(yesterday)}, thresholds=thresholds, notes="n" * 10_001,
    )  # fmt: skip

    # then
    assert fields == [
        {"path": ["name"], "message": "must be 1 to 200 characters"},
        {"path": ["priority"], "message": "must be from 1 (lowest) to 10 (highest)"},
        {"path": ["notes"], "message": "must be at most 10000 characters"},
        {"path": ["typeSettings", "fixedStart"], "message": "the fixed time is in the past"},
        {"path": ["thresholds", "maxFwhmArcsec"], "message": "must be more than 0"},
        {"path": ["thresholds", "minStars"], "message": "must not be negative"},
        {"path": ["thresholds", "maxEccentricity"], "message": "must be from 0 to 1"},
        {"path": ["thresholds", "minSnr"], "message": "must not be negative"},
    ]  # fmt: skip


async def test_the_documented_defaults_are_what_an_observation_gets(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    body = await world.call("owner", CREATE, input=_request(world, notes="first light"))
    observation = body["data"]["createObservation"]["id"]

    # when
    shown = await world.call(
        "owner",
        """query ($id: ID!) { observation(id: $id) {
          priority type notes
          constraints { minAltitudeDeg maxAirmass moonSeparationDeg moonSeparationWidthDays
                        maxMoonIllumination darkness windows { start end } }
          thresholds { maxFwhmArcsec minStars maxEccentricity minSnr } } }""",
        id=observation,
    )

    # then: as docs/graphql.md states them
    assert shown["data"]["observation"] == {
        "priority": 5, "type": "FLEXIBLE", "notes": "first light",
        "constraints": {"minAltitudeDeg": 30.0, "maxAirmass": 2.0, "moonSeparationDeg": 60.0,
                        "moonSeparationWidthDays": 7.0, "maxMoonIllumination": 1.0,
                        "darkness": "NAUTICAL", "windows": []},
        "thresholds": {"maxFwhmArcsec": None, "minStars": None, "maxEccentricity": None,
                       "minSnr": None},
    }  # fmt: skip
