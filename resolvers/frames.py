"""Thin resolvers for frames: auth check -> domain call -> type."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from domain.access.permissions import ProjectPermission
from domain.errors import DomainError, NotFound
from domain.events import DomainEvent
from domain.frames import service
from domain.frames.frame import FRAME_TOPIC, FrameState, Step, StepStatus
from domain.frames.frame import Frame as FrameDocument
from resolvers.pagination import paginate
from schema.connection import (
    Connection,
)
from schema.context import Info
from schema.errors import error_result, query_error
from schema.frames import Frame, FrameEvent, FrameIdInput, FramePayload, OverrideFrameGradeInput
from schema.global_ids import global_id, optional_global_id
from workers.queue import ArqStepQueue


async def frame(info: Info, id: strawberry.ID) -> Frame | None:
    viewer = await info.context.require_actor()
    try:
        found = await service.frame_for(viewer, str(id), ProjectPermission.VIEW)
    except NotFound:
        return None
    return Frame.from_document(found)


async def frames(
    info: Info, observation_id: strawberry.ID, first: int = 20, after: str | None = None
) -> Connection[Frame]:
    """An observation's frames, oldest first; `first` is at most 100."""
    viewer = await info.context.require_actor()
    try:
        query = await service.observation_frames_query(viewer, str(observation_id))
    except DomainError as error:
        raise query_error(error) from None
    return await paginate(
        FrameDocument,
        query,
        first=first,
        after=after,
        newest_first=False,
        to_node=Frame.from_document,
    )


async def reprocess_frame(info: Info, input: FrameIdInput) -> FramePayload:
    actor = await info.context.require_actor()
    services = info.context.services
    try:
        restarted = await service.reprocess_frame(
            actor, str(input.id), ArqStepQueue(services.redis), services.events
        )
    except DomainError as error:
        return error_result(error)
    return Frame.from_document(restarted)


async def override_frame_grade(info: Info, input: OverrideFrameGradeInput) -> FramePayload:
    actor = await info.context.require_actor()
    try:
        changed = await service.override_grade(
            actor, str(input.id), input.accepted, input.reason, info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Frame.from_document(changed)


async def frame_events(
    info: Info, observation_id: strawberry.ID | None = None
) -> AsyncGenerator[FrameEvent]:
    """Pipeline progress of frames the subscriber may see (checked per frame, cached)."""
    viewer = await info.context.require_actor()
    allowed: dict[str, bool] = {}

    async def may_see(event: DomainEvent) -> bool:
        frame_id = str(event.payload["frame_id"])
        if frame_id not in allowed:
            found = await FrameDocument.get(service.frame_id_of(frame_id))
            allowed[frame_id] = found is not None and await service.may_see(viewer, found)
        return allowed[frame_id]

    def wanted(event: DomainEvent) -> bool:
        return observation_id is None or event.payload.get("observation_id") == str(observation_id)

    async for event in info.context.services.events.subscribe({FRAME_TOPIC}, wanted):
        if not await may_see(event):
            continue
        payload = event.payload
        yield FrameEvent(
            frame_id=global_id("Frame", payload["frame_id"]),
            observation_id=optional_global_id("Observation", payload.get("observation_id") or None),
            kind=event.kind,
            step=Step(payload["step"]) if payload.get("step") else None,
            status=StepStatus(payload["status"]) if payload.get("status") else None,
            error=payload.get("error"),
            state=FrameState(payload["state"]),
            occurred_at=event.occurred_at,
        )
