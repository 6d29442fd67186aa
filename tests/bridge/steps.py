"""Steps several bridge tests share: taking an assignment, exposing, uploading, tokens."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
from beanie import PydanticObjectId

from domain.accounts.tokens import issue_access_token
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from tests.bridge.client import PluginClient
from tests.bridge.conftest import SECRET_KEY
from tests.bridge.world import World
from tests.pipeline.world import fits_file, orion_frame, sha256

FRAME = fits_file(orion_frame(width=200, height=150))


def token(world: World) -> str:
    return issue_access_token(str(world.user.id), SECRET_KEY.encode(), timedelta(minutes=30))


def frame_bytes(sequence: int) -> bytes:
    """A distinct FITS file per sequence (padding blocks change the digest)."""
    return FRAME + b" " * 2880 * (sequence - 1)


async def ready_status(plugin: PluginClient) -> None:
    answer = await plugin.call(
        "status", operational_state="ready", safety="safe", operations_enabled=True
    )
    assert answer["type"] == "ack", answer


async def take_assignment(plugin: PluginClient) -> dict[str, Any]:
    """request_work -> assignment (acked) -> assignment_accepted; the assignment."""
    request = await plugin.send("request_work")
    assignment = await plugin.expect("assignment", request)
    await plugin.ack(assignment)
    accepted = await plugin.call("assignment_accepted", assignment_id=assignment["assignment_id"])
    assert accepted["type"] == "ack", accepted
    return assignment


async def expose(plugin: PluginClient, assignment: dict[str, Any], sequence: int) -> dict[str, Any]:
    """exposure_started + exposure_finished; the upload ticket."""
    started = await plugin.call(
        "exposure_started",
        assignment_id=assignment["assignment_id"],
        sequence=sequence,
        target_index=0,
        exposure_index=0,
        filter="L",
        exposure_s=10.0,
    )
    assert started["type"] == "ack", started
    finished = await plugin.send(
        "exposure_finished",
        assignment_id=assignment["assignment_id"],
        sequence=sequence,
        outcome="captured",
        sha256=sha256(frame_bytes(sequence)),
    )
    return await plugin.expect("upload_ticket", finished)


async def upload(base_url: str, api_key: str, ticket: dict[str, Any]) -> str:
    """POST the frame to the ticket's URL; its frame id."""
    body = frame_bytes(ticket["sequence"])
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        answer = await http.post(
            ticket["url"],
            content=body,
            headers={
                "Authorization": f"Bearer {api_key}",
                "X-Content-SHA256": sha256(body),
                "Content-Type": "application/fits",
            },
        )
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["frameId"])


async def uploaded(
    plugin: PluginClient, base_url: str, api_key: str, ticket: dict[str, Any]
) -> dict[str, Any]:
    frame_id = await upload(base_url, api_key, ticket)
    return await plugin.call(
        "frame_uploaded",
        assignment_id=ticket["assignment_id"],
        sequence=ticket["sequence"],
        frame_id=frame_id,
        sha256=sha256(frame_bytes(ticket["sequence"])),
    )


async def observation(observation_id: str | PydanticObjectId | None) -> Observation:
    found = await Observation.get(PydanticObjectId(str(observation_id)))
    assert found is not None
    return found


async def wait_for_state(
    observation_id: str | PydanticObjectId | None, state: ObservationState, within_s: float = 15
) -> Observation:
    deadline = time.monotonic() + within_s
    while True:
        found = await observation(observation_id)
        if found.state == state:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still {found.state}, not {state}, after {within_s} s")
        await asyncio.sleep(0.1)
