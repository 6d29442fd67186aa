"""Thin resolvers for live observatory status, plugin registrations and key rotation."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from domain.errors import DomainError
from domain.events import DomainEvent
from domain.observatories import plugin_keys, registration
from domain.observatories.live_status import OBSERVATORY_TOPIC
from domain.observatories.maintenance import MAINTENANCE_EVENT
from domain.observatories.service import observatories_visible_to
from resolvers.pagination import paginate, paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.errors import error_result
from schema.global_ids import global_id, optional_global_id
from schema.observatories import Observatory
from schema.observatory_status import (
    ApproveObservatoryRegistrationInput,
    ApproveObservatoryRegistrationPayload,
    ApproveObservatoryRegistrationSuccess,
    ObservatoryEvent,
    ObservatoryRegistration,
    RejectObservatoryRegistrationInput,
    RejectObservatoryRegistrationPayload,
    RotateObservatoryKeyInput,
    RotateObservatoryKeyPayload,
    RotateObservatoryKeySuccess,
)

LIVE_KINDS = frozenset(
    {"connection", "status", "assignment", "progress", "key_rotated", MAINTENANCE_EVENT}
)


async def observatory_registrations(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[ObservatoryRegistration]:
    """Pending requests, oldest first; `first` is at most 100."""
    viewer = await info.context.require_actor()
    if not await registration.may_review(viewer):  # none for those who may not review any
        nothing: list[registration.ObservatoryRegistration] = []
        return paginate_sorted(
            nothing,
            key=lambda r: (str(r.id),),
            first=first,
            after=after,
            to_node=ObservatoryRegistration.from_document,
        )
    return await paginate(
        registration.ObservatoryRegistration,
        registration.PENDING_QUERY,
        first=first,
        after=after,
        newest_first=False,
        to_node=ObservatoryRegistration.from_document,
    )


async def approve_observatory_registration(
    info: Info, input: ApproveObservatoryRegistrationInput
) -> ApproveObservatoryRegistrationPayload:
    actor = await info.context.require_actor()
    try:
        registered = await registration.approve_registration(
            actor,
            str(input.registration_id),
            str(input.organization_id),
            info.context.services.events,
        )
    except DomainError as error:
        return error_result(error)
    return ApproveObservatoryRegistrationSuccess(
        observatory=Observatory.from_document(registered.observatory)
    )


async def reject_observatory_registration(
    info: Info, input: RejectObservatoryRegistrationInput
) -> RejectObservatoryRegistrationPayload:
    actor = await info.context.require_actor()
    try:
        rejected = await registration.reject_registration(
            actor,
            str(input.registration_id),
            str(input.organization_id),
            input.reason,
            info.context.services.events,
        )
    except DomainError as error:
        return error_result(error)
    return ObservatoryRegistration.from_document(rejected)


async def rotate_observatory_key(
    info: Info, input: RotateObservatoryKeyInput
) -> RotateObservatoryKeyPayload:
    actor = await info.context.require_actor()
    try:
        rotated = await plugin_keys.rotate_observatory_key(
            actor, str(input.observatory_id), info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return RotateObservatoryKeySuccess(
        observatory=Observatory.from_document(rotated.observatory), api_key=rotated.api_key
    )


async def observatory_events(
    info: Info, observatory_id: strawberry.ID | None = None
) -> AsyncGenerator[ObservatoryEvent]:
    """Live changes of observatories the subscriber may see (visibility checked once)."""
    viewer = await info.context.require_actor()
    visible = {str(o.id) for o in await observatories_visible_to(viewer)}

    def wanted(event: DomainEvent) -> bool:
        target = event.payload.get("observatory_id")
        return (
            event.kind in LIVE_KINDS
            and target in visible
            and (observatory_id is None or target == str(observatory_id))
        )

    async for event in info.context.services.events.subscribe({OBSERVATORY_TOPIC}, wanted):
        payload = event.payload
        maintenance = event.kind == MAINTENANCE_EVENT
        current = payload.get("current_observation_id")
        yield ObservatoryEvent(
            observatory_id=global_id("Observatory", payload["observatory_id"]),
            kind=event.kind,
            connected=None if maintenance else bool(payload.get("connected")),
            maintenance=payload.get("maintenance") if maintenance else None,
            operational_state=payload.get("operational_state"),
            safety=payload.get("safety"),
            current_observation_id=optional_global_id("Observation", current or None),
            progress_percent=payload.get("progress_percent"),
            progress_phase=payload.get("progress_phase"),
            frames_captured=payload.get("frames_captured"),
            detail=str(payload.get("reason" if maintenance else "detail", "")),
            occurred_at=event.occurred_at,
        )
