"""An uploaded frame goes through ingest, quality, solve, preview and grade."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import numpy as np
from astropy.io import fits
from PIL import Image

from domain.frames.frame import Frame, FrameState, StepStatus
from domain.frames.frame import Step as DomainStep
from domain.observations.observation import Observation
from science_scheduler.services import Services
from tests.graphql_client import graphql_http, subscription
from tests.ids import database_id, global_id
from tests.pipeline.conftest import Api, processed, stored_keys, upload
from tests.pipeline.world import World, fits_file, orion_frame, sha256

FRAME = """query ($id: ID!) {
  frame(id: $id) {
    id state compression sizeBytes originalSha256 uploadedBy
    steps { step status error tries }
    metadata { width height filterName exposureS }
    metrics { starsDetected fwhmPx fwhmArcsec pixelScaleArcsec }
    solution { raDeg decDeg pixelScaleArcsec rotationDeg parity }
    grade { accepted reasons { code } overriddenBy overrideReason }
    downloadUrl previewUrl thumbnailUrl
  }
}"""
FRAMES = """query ($observation: ID!) {
  frames(observationId: $observation, first: 10) { totalCount edges { node { id state } } }
}"""
EVENTS = """subscription ($observation: ID!) {
  frameEvents(observationId: $observation) { frameId kind step status state }
}"""
OVERRIDE = """mutation ($id: ID!) {
  overrideFrameGrade(input: {id: $id, accepted: false, reason: "satellite across M42"}) {
    __typename ... on Frame { grade { accepted overriddenBy overrideReason } }
  }
}"""
REPROCESS = """mutation ($id: ID!) {
  reprocessFrame(input: {id: $id}) { __typename ... on Frame { state } }
}"""

STEPS = ["INGEST", "QUALITY", "SOLVE", "PREVIEW", "GRADE"]


def _expected_events(frame_id: str) -> list[dict[str, Any]]:
    events = [
        {
            "frameId": frame_id,
            "kind": "uploaded",
            "step": None,
            "status": None,
            "state": "PROCESSING",
        }
    ]
    for step in STEPS:
        for status in ("RUNNING", "DONE"):
            events.append(
                {
                    "frameId": frame_id,
                    "kind": "step_changed",
                    "step": step,
                    "status": status,
                    "state": "PROCESSING",
                }
            )
    events.append(
        {
            "frameId": frame_id,
            "kind": "state_changed",
            "step": None,
            "status": None,
            "state": "DONE",
        }
    )
    return events


async def _accepted(observation: Observation) -> tuple[list[int], int]:
    stored = await Observation.get(observation.id)
    assert stored is not None
    return [e.accepted for e in stored.targets[0].exposures], len(stored.accepted_frame_ids)


async def test_an_observatory_upload_is_stored_solved_previewed_and_graded(
    api: Api, worker: None, world: World, services: Services
) -> None:
    # given: a rendered Orion frame with known WCS, and a live subscription to frame events
    rendered = orion_frame()
    body = fits_file(rendered)
    truth_ra, truth_dec = rendered.wcs.all_pix2world([[499.5, 349.5]], 0)[0]
    token = world.token(world.user)
    observation_id = global_id("Observation", str(world.observation.id))
    events: list[dict[str, Any]] = []
    async with subscription(api.ws_url, EVENTS, token=token, observation=observation_id) as live:
        await asyncio.sleep(0.5)

        # when: the observatory uploads it for its assigned observation
        answer = await upload(
            api,
            body,
            credential=world.observatory_key,
            digest=sha256(body),
            observation=observation_id,
            sequence="1",
        )
        frame_id = answer.json()["id"]
        while not events or events[-1]["kind"] != "state_changed":
            message = await asyncio.wait_for(live.next_message(), timeout=180)
            events.append(message["payload"]["data"]["frameEvents"])
    stored = await processed(database_id(frame_id))
    shown = (await graphql_http(api.base_url, FRAME, token=token, id=frame_id))["data"]["frame"]
    listed = await graphql_http(api.base_url, FRAMES, token=token, observation=observation_id)
    async with httpx.AsyncClient(timeout=30) as client:
        download = (await client.get(shown["downloadUrl"])).content
        preview = (await client.get(shown["previewUrl"])).content
        thumbnail = (await client.get(shown["thumbnailUrl"])).content

    # then: answered 201, every step done in order, events in the same order
    assert answer.status_code == 201
    assert answer.json() == {
        "id": frame_id, "frameId": database_id(frame_id), "state": "processing",
    }  # fmt: skip
    assert events == _expected_events(frame_id)
    assert stored.state is FrameState.DONE
    assert [(s["step"], s["status"], s["error"], s["tries"]) for s in shown["steps"]] == [
        (step, "DONE", None, 1) for step in STEPS
    ]
    assert shown["uploadedBy"] == "observatory:" + global_id(
        "Observatory", str(world.observatory.id)
    )
    assert shown["sizeBytes"] == len(body)
    assert shown["originalSha256"] == sha256(body)
    assert listed["data"]["frames"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": frame_id, "state": "DONE"}}],
    }
    # stored Rice-compressed, pixels bit-exact (read back with astropy, not with our code)
    assert shown["compression"] == "RICE_1"
    with fits.open(io.BytesIO(download), disable_image_compression=True) as hdul:
        assert hdul[1].header["ZCMPTYPE"] == "RICE_1"
    with fits.open(io.BytesIO(download), do_not_scale_image_data=True) as hdul:
        restored = np.asarray(hdul[1].data)
    with fits.open(io.BytesIO(body), do_not_scale_image_data=True) as hdul:
        original = np.asarray(hdul[0].data)
    assert original.dtype == np.dtype(">i2")  # BITPIX 16 with BZERO 32768, as cameras write
    assert restored.astype(">i2").tobytes() == original.tobytes()
    keys = await stored_keys(services)
    folder = (
        f"{world.organization.id}/{stored.created_at:%Y-%m-%d}/{world.observation.id}/{stored.id}"
    )
    assert keys == [f"preview/{folder}.jpg", f"raw/{folder}.fits.fz", f"thumbnail/{folder}.jpg"]
    # solved: centre within 2" of the rendered WCS, scale 3"/px
    solution = shown["solution"]
    offset = (
        np.hypot(
            (solution["raDeg"] - truth_ra) * np.cos(np.radians(truth_dec)),
            solution["decDeg"] - truth_dec,
        )
        * 3600
    )
    assert offset < 2.0
    assert abs(solution["pixelScaleArcsec"] - 3.0) < 0.003
    assert solution["parity"] == "normal"
    # metrics: FWHM of the rendered 3 px Gaussian, converted with the solved scale
    metrics = shown["metrics"]
    assert abs(metrics["fwhmPx"] - 3.0) < 0.15
    assert metrics["pixelScaleArcsec"] == solution["pixelScaleArcsec"]
    assert abs(metrics["fwhmArcsec"] - metrics["fwhmPx"] * solution["pixelScaleArcsec"]) < 1e-9
    assert metrics["starsDetected"] >= 10
    assert shown["metadata"] == {"width": 1000, "height": 700, "filterName": "L", "exposureS": 60.0}
    # previews decode: 1000x700 is below 1600 so not enlarged; thumbnail 256 px long side
    assert Image.open(io.BytesIO(preview)).size == (1000, 700)
    assert Image.open(io.BytesIO(thumbnail)).size == (256, 179)
    # graded against the thresholds and counted once in the L 60 s set
    assert shown["grade"] == {
        "accepted": True,
        "reasons": [],
        "overriddenBy": None,
        "overrideReason": None,
    }
    assert await _accepted(world.observation) == ([0, 1], 1)


async def test_override_and_reprocess_keep_the_count_exact(
    api: Api, worker: None, world: World, services: Services
) -> None:
    # given: a processed, accepted frame
    body = fits_file(orion_frame(seed=6))
    token = world.token(world.user)
    answer = await upload(
        api, body, credential=token, digest=sha256(body), observation=str(world.observation.id)
    )
    frame_id = answer.json()["id"]
    await processed(database_id(frame_id))
    assert await _accepted(world.observation) == ([0, 1], 1)

    # when: a person rejects it by hand, twice, and a stranger tries to reprocess it
    overridden = await graphql_http(api.base_url, OVERRIDE, token=token, id=frame_id)
    again = await graphql_http(api.base_url, OVERRIDE, token=token, id=frame_id)
    after_override = await _accepted(world.observation)
    refused = await graphql_http(
        api.base_url, REPROCESS, token=world.token(world.stranger), id=frame_id
    )
    after_refusal = await Frame.get(database_id(frame_id))
    # and then the owner reprocesses it: the pipeline grades it again
    reprocessed = await graphql_http(api.base_url, REPROCESS, token=token, id=frame_id)
    regraded = await processed(database_id(frame_id))

    # then
    rejected = {
        "accepted": False,
        "overriddenBy": "user:" + global_id("User", str(world.user.id)),
        "overrideReason": "satellite across M42",
    }
    assert overridden["data"]["overrideFrameGrade"] == {"__typename": "Frame", "grade": rejected}
    assert again["data"]["overrideFrameGrade"] == {"__typename": "Frame", "grade": rejected}
    assert after_override == ([0, 0], 0)
    assert refused["data"]["reprocessFrame"]["__typename"] == "NotFound"
    assert after_refusal is not None
    assert after_refusal.generation == 0
    assert reprocessed["data"]["reprocessFrame"] == {"__typename": "Frame", "state": "PROCESSING"}
    assert regraded.state is FrameState.DONE
    assert regraded.generation == 1
    assert [regraded.steps.of(s).status for s in DomainStep] == [StepStatus.DONE] * 5
    assert regraded.grade is not None
    assert regraded.grade.accepted is True
    assert regraded.grade.overridden_by is None
    assert await _accepted(world.observation) == ([0, 1], 1)


async def test_a_stranger_sees_no_frame(api: Api, world: World, services: Services) -> None:
    # given: a frame of the world's observation (no worker: it stays queued)
    body = fits_file(orion_frame(seed=7, width=300, height=200))
    answer = await upload(
        api,
        body,
        credential=world.token(world.user),
        digest=sha256(body),
        observation=str(world.observation.id),
    )
    frame_id = answer.json()["id"]

    # when: someone outside the organization asks for it and its observation's frames
    stranger = world.token(world.stranger)
    shown = await graphql_http(api.base_url, FRAME, token=stranger, id=frame_id)
    listed = await graphql_http(
        api.base_url, FRAMES, token=stranger,
        observation=global_id("Observation", str(world.observation.id)),
    )  # fmt: skip

    # then
    assert answer.status_code == 201
    assert shown["data"] == {"frame": None}
    assert listed["data"] is None
    assert listed["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


async def test_an_observatory_frame_without_observation_is_kept_unassigned(
    api: Api, worker: None, world: World, services: Services
) -> None:
    # given: a calibration-like frame the observatory uploads for no observation
    body = fits_file(orion_frame(seed=12))

    # when
    answer = await upload(api, body, credential=world.observatory_key, digest=sha256(body))
    frame = await processed(answer.json()["frameId"])
    shown = await graphql_http(
        api.base_url, FRAME, token=world.token(world.user), id=global_id("Frame", str(frame.id))
    )

    # then: processed under `unassigned`, not graded, visible to the organization's members
    assert answer.status_code == 201
    assert frame.state is FrameState.DONE
    assert frame.observation_id is None
    assert frame.steps.grade.status is StepStatus.SKIPPED
    assert frame.steps.grade.error == "no observation to grade the frame against"
    assert frame.raw_key == (
        f"raw/{world.organization.id}/{frame.created_at:%Y-%m-%d}/unassigned/{frame.id}.fits.fz"
    )
    assert shown["data"]["frame"]["grade"] is None
    assert [s["status"] for s in shown["data"]["frame"]["steps"]] == [
        "DONE",
        "DONE",
        "DONE",
        "DONE",
        "SKIPPED",
    ]
    assert await _accepted(world.observation) == ([0, 0], 0)
