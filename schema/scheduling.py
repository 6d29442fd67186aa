"""Scheduling: target visibility, night plans, explanations, reservations and dispatch controls."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import strawberry

from domain.dispatch.explanations import ObservatoryExplanation as ExplanationModel
from domain.dispatch.night_plans import ObservatoryNightPlan
from domain.dispatch.observatory_state import Gate
from domain.dispatch.visibility import VisibilitySeries
from domain.observations.states import ObservationState as DomainObservationState
from domain.observatories.reservation import Reservation as ReservationDocument
from domain.observatories.reservation import ReservationStatus as DomainReservationStatus
from domain.scheduling.constraints import Constraint
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id
from schema.observations import Observation
from schema.observatories import Observatory

# Registered with strawberry in place, so the domain enums serve as the GraphQL types.
strawberry.enum(
    Gate,
    name="DispatchGate",
    description="Why an observatory gets nothing at all now (safety unknown counts as unsafe).",
)
strawberry.enum(Constraint, name="SchedulingConstraint")
strawberry.enum(DomainReservationStatus, name="ReservationStatus")


def _utc(posix: float) -> datetime:
    return datetime.fromtimestamp(posix, UTC)


@strawberry.type(description="Score components, each 0..1, and their weighted mean (total).")
class ScoreBreakdown:
    setting: float = strawberry.field(description="Urgency: constraints that close soonest.")
    window: float = strawberry.field(description="A time window closing soon.")
    completion: float = strawberry.field(description="Fraction already complete.")
    airmass: float = strawberry.field(description="Now against the best altitude still ahead.")
    switch: float = strawberry.field(description="Slew from the current pointing.")
    fairness: float = strawberry.field(description="The project's recent share of time.")
    total: float

    @classmethod
    def from_dict(cls, score: dict[str, float]) -> ScoreBreakdown:
        return cls(
            setting=score["setting"],
            window=score["window"],
            completion=score["completion"],
            airmass=score["airmass"],
            switch=score["switch"],
            fairness=score["fairness"],
            total=score["total"],
        )


@strawberry.type(
    description="A fixed ICRS direction seen from an observatory, step by step (degrees; "
    "no refraction). observable: every default constraint holds (altitude 30°, airmass 2, "
    "horizon mask, Lorentzian moon separation 60°/7 d, nautical darkness)."
)
class TargetVisibility:
    observatory_id: strawberry.ID
    ra_deg: float
    dec_deg: float
    times: list[datetime]
    altitude_deg: list[float]
    azimuth_deg: list[float]
    airmass: list[float | None] = strawberry.field(description="Null at or below the horizon.")
    moon_separation_deg: list[float]
    moon_altitude_deg: list[float]
    sun_altitude_deg: list[float]
    observable: list[bool]

    @classmethod
    def from_series(
        cls, observatory_id: str, ra_deg: float, dec_deg: float, series: VisibilitySeries
    ) -> TargetVisibility:
        return cls(
            observatory_id=global_id("Observatory", observatory_id),
            ra_deg=ra_deg,
            dec_deg=dec_deg,
            times=[_utc(t) for t in series.times],
            altitude_deg=series.altitude_deg,
            azimuth_deg=series.azimuth_deg,
            airmass=series.airmass,
            moon_separation_deg=series.moon_separation_deg,
            moon_altitude_deg=series.moon_altitude_deg,
            sun_altitude_deg=series.sun_altitude_deg,
            observable=series.observable,
        )


@strawberry.type(description="One planned run and the score that chose it.")
class PlannedRun:
    observation: Observation
    start: datetime
    end: datetime
    priority: int
    time_critical: bool
    score: ScoreBreakdown


@strawberry.type(description="Altitude (degrees) of a planned target on the plan's times.")
class AltitudeCurve:
    observation_id: strawberry.ID
    altitude_deg: list[float]


@strawberry.type(
    description="What dispatch would run over one night: the night starting at local noon of "
    "the given date in the observatory's time zone (UTC when it has none) until local noon of "
    "the next day. A forecast: assumes safe weather and dispatch on; honours reservations."
)
class NightPlan:
    observatory: Observatory
    night: date
    start: datetime
    end: datetime
    runs: list[PlannedRun]
    times: list[datetime]
    curves: list[AltitudeCurve]
    sun_altitude_deg: list[float]
    moon_altitude_deg: list[float]

    @classmethod
    def from_plan(cls, observatory: Observatory, plan: ObservatoryNightPlan) -> NightPlan:
        return cls(
            observatory=observatory,
            night=plan.night,
            start=plan.start,
            end=plan.end,
            runs=[
                PlannedRun(
                    observation=Observation.from_document(run.observation),
                    start=run.start,
                    end=run.end,
                    priority=run.priority,
                    time_critical=run.time_critical,
                    score=ScoreBreakdown.from_dict(run.score),
                )
                for run in plan.runs
            ],
            times=plan.times,
            curves=[
                AltitudeCurve(
                    observation_id=global_id("Observation", c.observation_id),
                    altitude_deg=c.altitude_deg,
                )
                for c in plan.curves
            ],
            sun_altitude_deg=plan.sun_altitude_deg,
            moon_altitude_deg=plan.moon_altitude_deg,
        )


@strawberry.type(description="One constraint now: whether it holds, the value and the limit.")
class ConstraintStatus:
    constraint: Constraint
    passed: bool
    value: float | None
    limit: float | None = strawberry.field(description="Null when it does not apply now.")
    unit: str = strawberry.field(description="deg, fraction, unix_s (time window) or empty.")


@strawberry.type(description="The observation at one observatory, now.")
class ObservatoryExplanation:
    observatory: Observatory
    gate: Gate | None = strawberry.field(
        description="Set when the observatory itself takes no work now."
    )
    constraints: list[ConstraintStatus]
    observable_now: bool
    fits_now: bool = strawberry.field(
        description="Observable now and its block fits before a constraint closes."
    )
    next_eligible_at: datetime | None = strawberry.field(
        description="The next time it could start there (5-minute grid, 16 h look-ahead)."
    )
    score: ScoreBreakdown

    @classmethod
    def from_model(cls, model: ExplanationModel) -> ObservatoryExplanation:
        explanation = model.explanation
        return cls(
            observatory=Observatory.from_document(model.observatory),
            gate=model.gate,
            constraints=[
                ConstraintStatus(
                    constraint=c.constraint,
                    passed=c.passed,
                    value=c.value,
                    limit=c.limit,
                    unit=c.unit,
                )
                for c in explanation.constraints
            ],
            observable_now=explanation.observable_now,
            fits_now=explanation.fits_now,
            next_eligible_at=model.next_eligible,
            score=ScoreBreakdown.from_dict(explanation.score),
        )


@strawberry.type(description="Why an observation runs or waits, per eligible observatory.")
class SchedulingExplanation:
    observation_id: strawberry.ID
    state: DomainObservationState
    evaluated_at: datetime
    observatories: list[ObservatoryExplanation]


@strawberry.type(description="Time an observatory is blocked: nothing new is dispatched in it.")
class Reservation:
    id: strawberry.ID
    observatory_id: strawberry.ID
    title: str
    purpose: str
    contact: str
    start: datetime
    end: datetime
    cancelled_at: datetime | None
    cancel_reason: str
    status: DomainReservationStatus
    created_at: datetime

    @classmethod
    def from_document(cls, reservation: ReservationDocument, now: datetime) -> Reservation:
        return cls(
            id=global_id("Reservation", reservation.id),
            observatory_id=global_id("Observatory", reservation.observatory_id),
            title=reservation.title,
            purpose=reservation.purpose,
            contact=reservation.contact,
            start=reservation.start,
            end=reservation.end,
            cancelled_at=reservation.cancelled_at,
            cancel_reason=reservation.cancel_reason,
            status=reservation.status(now),
            created_at=reservation.created_at,
        )


@strawberry.input
class SetDispatchEnabledInput:
    observatory_id: strawberry.ID
    enabled: bool


@strawberry.input
class CreateReservationInput:
    observatory_id: strawberry.ID
    title: str
    purpose: str
    contact: str = strawberry.field(description="Who to ask: name, e-mail or phone.")
    start: datetime = strawberry.field(description="UTC.")
    end: datetime = strawberry.field(description="UTC; after the start.")


@strawberry.input
class CancelReservationInput:
    id: strawberry.ID
    reason: str
    ended_at: datetime | None = strawberry.field(
        default=None, description="When an active reservation actually ended; default now."
    )


SetDispatchEnabledPayload = Annotated[
    Observatory | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SetDispatchEnabledPayload"),
]
ReservationPayload = Annotated[
    Reservation | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("ReservationPayload"),
]
