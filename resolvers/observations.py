"""Thin resolvers for observations: auth check -> domain call -> type."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Sequence
from functools import partial

import strawberry
from beanie import PydanticObjectId
from graphql import GraphQLError

from domain.errors import DomainError, NotFound
from domain.events import DomainEvent
from domain.observations import query, service
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import Observation as ObservationDocument
from domain.observations.states import ObservationState
from schema.connection import MAX_PAGE, Connection, Edge, PageInfo
from schema.context import Info
from schema.eligible_observatories import load_eligible
from schema.errors import error_result
from schema.global_ids import global_id, public_actor
from schema.observations import (
    CancelObservationInput,
    CreateObservationInput,
    Observation,
    ObservationEvent,
    ObservationFilter,
    ObservationIdInput,
    ObservationOrder,
    ObservationPayload,
)
from schema.selection import selects


async def create_observation(info: Info, input: CreateObservationInput) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        created = await service.create_observation(
            actor, input.to_request(), info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(created)


async def submit_observation(info: Info, input: ObservationIdInput) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        changed = await service.submit_observation(
            actor, str(input.id), info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(changed)


async def cancel_observation(info: Info, input: CancelObservationInput) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        changed = await service.cancel_observation(
            actor, str(input.id), input.reason, info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(changed)


async def resubmit_observation(info: Info, input: ObservationIdInput) -> ObservationPayload:
    actor = await info.context.require_actor()
    try:
        created = await service.resubmit_observation(
            actor, str(input.id), info.context.services.events
        )
    except DomainError as error:
        return error_result(error)
    return Observation.from_document(created)


async def observation(info: Info, id: strawberry.ID) -> Observation | None:
    viewer = await info.context.require_actor()
    try:
        return Observation.from_document(await service.observation_for(viewer, str(id)))
    except NotFound:
        return None


async def observations(
    info: Info,
    first: int = 20,
    after: str | None = None,
    filter: ObservationFilter | None = None,
    order_by: ObservationOrder | None = None,
) -> Connection[Observation]:
    """Newest first unless `orderBy` says otherwise; `first` is at most 100."""
    if not 0 <= first <= MAX_PAGE:
        raise _bad_input(f"first must be from 0 to {MAX_PAGE}")
    viewer = await info.context.require_actor()
    where = service.ObservationFilter(
        states=frozenset(filter.states) if filter and filter.states else None,
        project_id=str(filter.project_id) if filter and filter.project_id else None,
        target_name=filter.target_name if filter else None,
        priority_at_least=filter.priority_at_least if filter else None,
    )
    order = order_by.to_order() if order_by else query.NEWEST_FIRST
    matching = service.observation_query(await service.visible_project_ids(viewer), where)
    try:
        page = await query.read_page(matching, order, first=first, after=after)
    except query.InvalidCursor as error:
        raise _bad_input(str(error)) from None
    await _load_references(info, page.observations)
    edges = [
        Edge(node=Observation.from_document(o), cursor_from=partial(query.encode_cursor, o, order))
        for o in page.observations
    ]

    async def count_all() -> int:
        return await query.count(matching)

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor_from=edges[-1].cursor_from if edges else None,
        ),
        count_all=count_all,
    )


async def _load_references(info: Info, page: Sequence[ObservationDocument]) -> None:
    """Load the page's projects and observatories, one batch per kind, when the query asks for
    them: every row then answers them at once instead of awaiting (see `schema.loaded`)."""
    loads: list[Awaitable[object]] = []
    if selects(info, "edges", "node", "project"):
        loads.append(info.context.loaders.project_by_id.load_many([o.project_id for o in page]))
    if selects(info, "edges", "node", "eligibleObservatories"):
        loads.append(load_eligible(info, [i for o in page for i in o.eligible_observatory_ids]))
    await asyncio.gather(*loads)


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_INPUT"})


async def observation_events(
    info: Info, project_id: strawberry.ID | None = None
) -> AsyncGenerator[ObservationEvent]:
    """State changes of observations the subscriber may see (checked per project, cached)."""
    viewer = await info.context.require_actor()
    allowed: dict[str, bool] = {}

    async def may_see(project: str) -> bool:
        if project not in allowed:
            visible = await service.visible_project_ids(viewer)
            allowed[project] = visible is None or PydanticObjectId(project) in visible
        return allowed[project]

    def wanted(event: DomainEvent) -> bool:
        return event.kind == "state_changed" and (
            project_id is None or event.payload.get("project_id") == str(project_id)
        )

    async for event in info.context.services.events.subscribe({OBSERVATION_TOPIC}, wanted):
        payload = event.payload
        if not await may_see(str(payload["project_id"])):
            continue
        previous = payload.get("previous_state")
        yield ObservationEvent(
            observation_id=global_id("Observation", payload["observation_id"]),
            project_id=global_id("Project", payload["project_id"]),
            state=ObservationState(payload["state"]),
            previous_state=ObservationState(previous) if previous else None,
            actor=public_actor(str(payload["actor"])),
            reason=str(payload["reason"]),
            occurred_at=event.occurred_at,
        )
