"""Usage events for the reports: an observation's submission and final state, and each frame
that counts towards its observation, with its size and exposure time."""

from __future__ import annotations

from typing import Any

from domain.audit import UsageEvent
from domain.frames.counting import settle_count
from domain.frames.frame import ExposureSetRef, Frame, StoredMetadata
from science_scheduler.services import Services
from tests.api.gaps_world import make_world as make_api_world
from tests.conftest import ApiServer
from tests.dispatch.world import add_observation
from tests.dispatch.world import make_world as make_database_world
from tests.ids import database_id

CREATE_DRAFT = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Orion", submit: false,
    targets: [{name: "M42", ra: "83.82", dec: "-5.39",
               exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename ... on Observation { id }
  }
}"""
SUBMIT = """mutation ($id: ID!) {
  submitObservation(input: {id: $id}) { __typename ... on Observation { state } }
}"""
CANCEL = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id, reason: "clouds all week"}) {
    __typename ... on Observation { state }
  }
}"""


def _facts(events: list[UsageEvent]) -> list[dict[str, Any]]:
    return [event.model_dump(exclude={"id", "revision_id", "at"}) for event in events]


async def test_a_submitted_then_cancelled_observation_records_its_usage(
    api_server: ApiServer, services: Services
) -> None:
    # given
    world = await make_api_world(api_server)
    created = await world.call("owner", CREATE_DRAFT, project=world.project)
    observation = created["data"]["createObservation"]["id"]

    # when
    submitted = await world.call("owner", SUBMIT, id=observation)
    cancelled = await world.call("owner", CANCEL, id=observation)

    # then
    assert submitted["data"]["submitObservation"] == {
        "__typename": "Observation",
        "state": "PENDING",
    }
    assert cancelled["data"]["cancelObservation"] == {
        "__typename": "Observation",
        "state": "CANCELLED",
    }
    observation_id = database_id(observation)
    events = (
        await UsageEvent.find(UsageEvent.observation_id == observation_id)
        .sort("+at", "+_id")
        .to_list()
    )
    common = {
        "organization_id": database_id(world.organization),
        "project_id": database_id(world.project),
        "user_id": database_id(world.user_ids["owner"]),
        "observation_id": observation_id,
        "observatory_id": None,
        "amount": 1.0,
        "size_bytes": None,
        "exposure_seconds": None,
    }
    assert _facts(events) == [
        {"kind": "observation_created", **common},
        {"kind": "observation_submitted", **common},
        {"kind": "observation_cancelled", **common},
    ]


async def test_an_accepted_frame_counts_its_size_and_exposure_once_until_withdrawn(
    services: Services,
) -> None:
    # given: a frame of an observation's 295-s L exposure set
    world = await make_database_world()
    (observatory,) = world.observatories
    observation = await add_observation(world, 83.82, -5.39)
    frame = Frame(
        organization_id=observation.organization_id,
        project_id=observation.project_id,
        observation_id=observation.id,
        observatory_id=observatory.id,
        uploaded_by=f"observatory:{observatory.id}",
        original_sha256="0" * 64,
        size_bytes=2_000_160,
        raw_key="raw/frame.fits.fz",
        metadata=StoredMetadata(width=1000, height=1000, bitpix=16, exposure_s=295.0),
    )
    await frame.insert()
    exposure_set = ExposureSetRef(target_index=0, exposure_index=0)

    # when: it is accepted, graded accepted again, then rejected by hand
    await settle_count(frame, None, exposure_set)
    await settle_count(frame, exposure_set, exposure_set)
    await settle_count(frame, exposure_set, None)

    # then
    events = (
        await UsageEvent.find(UsageEvent.kind == "frame_accepted").sort("+at", "+_id").to_list()
    )
    common = {
        "kind": "frame_accepted",
        "organization_id": str(world.organization.id),
        "project_id": str(world.project.id),
        "user_id": None,
        "observation_id": str(observation.id),
        "observatory_id": str(observatory.id),
    }
    assert _facts(events) == [
        {**common, "amount": 1.0, "size_bytes": 2_000_160, "exposure_seconds": 295.0},
        {**common, "amount": -1.0, "size_bytes": -2_000_160, "exposure_seconds": -295.0},
    ]
