"""Thin resolvers for scheduling: auth check -> domain call -> type."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from graphql import GraphQLError

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import utcnow
from domain.dispatch import controls, explanations, night_plans, visibility
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.observations import service as observations
from domain.observatories import reservation_service
from domain.observatories.access import observatory_for
from schema.context import Info
from schema.errors import error_result
from schema.global_ids import global_id
from schema.observatories import Observatory
from schema.scheduling import (
    CancelReservationInput,
    CreateReservationInput,
    NightPlan,
    ObservatoryExplanation,
    Reservation,
    ReservationPayload,
    SchedulingExplanation,
    SetDispatchEnabledInput,
    SetDispatchEnabledPayload,
    TargetVisibility,
)


def _bad_input(error: ValidationFailed) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": "BAD_INPUT"})


async def target_visibility(
    info: Info,
    ra: float,
    dec: float,
    observatory_id: strawberry.ID,
    start: datetime,
    end: datetime,
    step_minutes: float = 10.0,
) -> TargetVisibility | None:
    """ra/dec: ICRS degrees. Null when the observatory is missing or not visible to you."""
    viewer = await info.context.require_actor()
    try:
        observatory = await observatory_for(viewer, str(observatory_id), ObservatoryPermission.VIEW)
        series = await visibility.target_visibility(observatory, ra, dec, start, end, step_minutes)
    except NotFound:
        return None
    except ValidationFailed as error:
        raise _bad_input(error) from None
    return TargetVisibility.from_series(str(observatory_id), ra, dec, series)


async def night_plan(info: Info, observatory_id: strawberry.ID, night: date) -> NightPlan | None:
    """Null when the observatory is missing or not visible to you."""
    viewer = await info.context.require_actor()
    try:
        observatory = await observatory_for(viewer, str(observatory_id), ObservatoryPermission.VIEW)
    except NotFound:
        return None
    plan = await night_plans.night_plan(observatory, night, utcnow())
    return NightPlan.from_plan(Observatory.from_document(observatory), plan)


async def scheduling_explanation(
    info: Info, observation_id: strawberry.ID
) -> SchedulingExplanation | None:
    """Null when the observation is missing or not visible to you."""
    viewer = await info.context.require_actor()
    try:
        observation = await observations.observation_for(viewer, str(observation_id))
    except NotFound:
        return None
    now = utcnow()
    explained = await explanations.explain(viewer, observation, now)
    return SchedulingExplanation(
        observation_id=global_id("Observation", observation.id),
        state=observation.state,
        evaluated_at=now,
        observatories=[ObservatoryExplanation.from_model(e) for e in explained],
    )


async def set_dispatch_enabled(
    info: Info, input: SetDispatchEnabledInput
) -> SetDispatchEnabledPayload:
    actor = await info.context.require_actor()
    try:
        changed = await controls.set_dispatch_enabled(
            actor, str(input.observatory_id), input.enabled
        )
    except DomainError as error:
        return error_result(error)
    return Observatory.from_document(changed)


async def create_reservation(info: Info, input: CreateReservationInput) -> ReservationPayload:
    actor = await info.context.require_actor()
    try:
        created = await reservation_service.create_reservation(
            actor,
            observatory_id=str(input.observatory_id),
            title=input.title,
            purpose=input.purpose,
            contact=input.contact,
            start=input.start,
            end=input.end,
        )
    except DomainError as error:
        return error_result(error)
    return Reservation.from_document(created, utcnow())


async def cancel_reservation(info: Info, input: CancelReservationInput) -> ReservationPayload:
    actor = await info.context.require_actor()
    try:
        cancelled = await reservation_service.cancel_reservation(
            actor, str(input.id), input.reason, input.ended_at
        )
    except DomainError as error:
        return error_result(error)
    return Reservation.from_document(cancelled, utcnow())
