"""Observations: what to observe, how, under which constraints, and what happened to them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Protocol

import strawberry
from beanie import PydanticObjectId

from domain.observations import observation as model
from domain.observations import query
from domain.observations.request import ObservationRequest, TargetRequest
from domain.observations.states import ObservationState as DomainObservationState
from schema.connection import Connection
from schema.context import Info
from schema.conversion import mirror
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id, optional_global_id, public_actor
from schema.loaded import NOT_LOADED, Peeked, built_once, now_or_later, peek
from schema.node import Node
from schema.observatories import Observatory
from schema.projects import Project

ObservationState = strawberry.enum(DomainObservationState)
ObservationType = strawberry.enum(model.ObservationType)
Darkness = strawberry.enum(model.Darkness)


@strawberry.experimental.pydantic.type(model=model.ExposureSet, all_fields=True)
class ExposureSet:
    pass


@strawberry.experimental.pydantic.input(model=model.ExposureSet)
class ExposureSetInput:
    filter: strawberry.auto
    exposure_s: strawberry.auto
    count: strawberry.auto
    binning: strawberry.auto
    gain: strawberry.auto
    offset: strawberry.auto
    readout_mode: strawberry.auto


@strawberry.type
class Target:
    name: str
    ra_deg: float
    dec_deg: float
    rotation_deg: float | None
    resolved_by: str | None = strawberry.field(
        description="coordinates, library (the organization's target library) or OpenNGC."
    )
    exposures: list[ExposureSet]

    @classmethod
    def from_model(cls, target: model.Target) -> Target:
        return cls(
            name=target.name,
            ra_deg=target.ra_deg,
            dec_deg=target.dec_deg,
            rotation_deg=target.rotation_deg,
            resolved_by=target.resolved_by,
            exposures=[mirror(ExposureSet, e) for e in target.exposures],
        )


@strawberry.input(description="A target by name (Messier, NGC, IC, your library) or by ra/dec.")
class TargetInput:
    name: str
    ra: str | None = strawberry.field(
        default=None, description="Degrees (83.82) or hours as h:m:s (5:35:17.3, 5h35m17s)."
    )
    dec: str | None = strawberry.field(
        default=None, description="Degrees (-5.39) or d:m:s (-5:23:28, -5d23m28s)."
    )
    rotation_deg: float | None = None
    exposures: list[ExposureSetInput]


@strawberry.type
class TimeWindow:
    start: datetime
    end: datetime


@strawberry.input
class TimeWindowInput:
    start: datetime
    end: datetime


_DEFAULTS = model.Constraints()


@strawberry.type
class Constraints:
    min_altitude_deg: float
    max_airmass: float
    moon_separation_deg: float = strawberry.field(
        description="Separation required at full moon; relaxes as the moon wanes."
    )
    moon_separation_width_days: float
    max_moon_illumination: float
    darkness: Darkness  # type: ignore[valid-type]
    windows: list[TimeWindow]

    @classmethod
    def from_model(cls, constraints: model.Constraints) -> Constraints:
        return cls(
            min_altitude_deg=constraints.min_altitude_deg,
            max_airmass=constraints.max_airmass,
            moon_separation_deg=constraints.moon_separation_deg,
            moon_separation_width_days=constraints.moon_separation_width_days,
            max_moon_illumination=constraints.max_moon_illumination,
            darkness=constraints.darkness,
            windows=[TimeWindow(start=w.start, end=w.end) for w in constraints.windows],
        )


@strawberry.input(description="Every field is optional; the defaults are shown.")
class ConstraintsInput:
    min_altitude_deg: float = _DEFAULTS.min_altitude_deg
    max_airmass: float = _DEFAULTS.max_airmass
    moon_separation_deg: float = _DEFAULTS.moon_separation_deg
    moon_separation_width_days: float = _DEFAULTS.moon_separation_width_days
    max_moon_illumination: float = _DEFAULTS.max_moon_illumination
    darkness: Darkness = _DEFAULTS.darkness  # type: ignore[valid-type]
    windows: list[TimeWindowInput] = strawberry.field(default_factory=list)

    def to_model(self) -> model.Constraints:
        return model.Constraints(
            min_altitude_deg=self.min_altitude_deg,
            max_airmass=self.max_airmass,
            moon_separation_deg=self.moon_separation_deg,
            moon_separation_width_days=self.moon_separation_width_days,
            max_moon_illumination=self.max_moon_illumination,
            darkness=self.darkness,
            windows=[model.TimeWindow(start=w.start, end=w.end) for w in self.windows],
        )


@strawberry.experimental.pydantic.type(model=model.AcceptanceThresholds, all_fields=True)
class AcceptanceThresholds:
    pass


@strawberry.experimental.pydantic.input(model=model.AcceptanceThresholds, all_fields=True)
class AcceptanceThresholdsInput:
    pass


@strawberry.experimental.pydantic.type(model=model.TypeSettings, all_fields=True)
class TypeSettings:
    pass


@strawberry.experimental.pydantic.input(model=model.TypeSettings, all_fields=True)
class TypeSettingsInput:
    pass


@strawberry.type(description="One state change: who, when, from, to and why. Never edited.")
class HistoryEntry:
    at: datetime
    actor: str = strawberry.field(
        description="Who: `user:<User id>`, `observatory:<Observatory id>` or `system`."
    )
    from_state: ObservationState | None  # type: ignore[valid-type]
    to_state: ObservationState  # type: ignore[valid-type]
    reason: str


@strawberry.type(description="A request to observe one or more targets.")
class Observation(Node):
    id: strawberry.ID
    name: str
    type: ObservationType  # type: ignore[valid-type]
    priority: int
    state: ObservationState  # type: ignore[valid-type]
    targets: list[Target]
    constraints: Constraints
    thresholds: AcceptanceThresholds
    type_settings: TypeSettings
    notes: str
    resubmitted_from_id: strawberry.ID | None = strawberry.field(
        description="The finished observation this one was resubmitted from."
    )
    created_at: datetime
    updated_at: datetime
    project_id: strawberry.Private[PydanticObjectId]
    stored_history: strawberry.Private[list[model.HistoryEntry]]
    eligible_observatory_ids: strawberry.Private[list[PydanticObjectId]]

    @strawberry.field(description="Every state change, oldest first.")  # type: ignore[untyped-decorator]
    def history(self) -> list[HistoryEntry]:
        # Built when asked for: lists of observations rarely ask, and histories grow.
        return [
            HistoryEntry(
                at=h.at,
                actor=public_actor(h.actor),
                from_state=h.from_state,
                to_state=h.to_state,
                reason=h.reason,
            )
            for h in self.stored_history
        ]

    @strawberry.field
    def project(self, info: Info) -> Project | None:
        loader = info.context.loaders.project_by_id
        key = self.project_id

        def now() -> Peeked[Project | None]:
            found = peek(loader, key)
            if found is NOT_LOADED or found is None:
                return found
            return built_once(
                info.context.loaders.built, Project, key, lambda: Project.from_document(found)
            )

        return now_or_later(now, lambda: loader.load(key))

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Where it may run, in the order they were given, as far as you may see them; "
        "empty means any observatory it fits."
    )
    def eligible_observatories(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Observatory]:
        from schema.eligible_observatories import eligible_observatories

        return eligible_observatories(info, self.eligible_observatory_ids, first, after)

    @classmethod
    def from_document(cls, observation: model.Observation) -> Observation:
        return cls(
            id=global_id("Observation", observation.id),
            name=observation.name,
            type=observation.type,
            priority=observation.priority,
            state=observation.state,
            targets=[Target.from_model(t) for t in observation.targets],
            constraints=Constraints.from_model(observation.constraints),
            thresholds=mirror(AcceptanceThresholds, observation.thresholds),
            type_settings=mirror(TypeSettings, observation.type_settings),
            notes=observation.notes,
            stored_history=observation.history,
            resubmitted_from_id=optional_global_id("Observation", observation.resubmitted_from),
            created_at=observation.created_at,
            updated_at=observation.updated_at,
            project_id=observation.project_id,
            eligible_observatory_ids=list(observation.eligible_observatory_ids),
        )


@strawberry.input
class CreateObservationInput:
    project_id: strawberry.ID
    name: str
    targets: list[TargetInput]
    type: ObservationType = model.ObservationType.FLEXIBLE  # type: ignore[valid-type]
    priority: int = strawberry.field(default=5, description="1 (lowest) to 10 (highest).")
    constraints: ConstraintsInput | None = None
    thresholds: AcceptanceThresholdsInput | None = None
    type_settings: TypeSettingsInput | None = None
    eligible_observatory_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    notes: str = ""
    submit: bool = strawberry.field(
        default=True, description="False saves a draft that is never scheduled."
    )

    def to_request(self) -> ObservationRequest:
        return ObservationRequest(
            project_id=str(self.project_id), submit=self.submit, **plan_fields(self)
        )


class PlanInput(Protocol):
    """The fields that creating an observation and editing a draft share."""

    name: str
    targets: list[TargetInput]
    type: model.ObservationType
    priority: int
    constraints: ConstraintsInput | None
    thresholds: AcceptanceThresholdsInput | None
    type_settings: TypeSettingsInput | None
    eligible_observatory_ids: list[strawberry.ID]
    notes: str


def plan_fields(plan: PlanInput) -> dict[str, Any]:
    """The keyword arguments of `ObservationPlan` for `plan`, its omitted parts defaulted."""
    return {
        "name": plan.name,
        "targets": [
            TargetRequest(
                name=t.name,
                ra=t.ra,
                dec=t.dec,
                rotation_deg=t.rotation_deg,
                exposures=[e.to_pydantic() for e in t.exposures],
            )
            for t in plan.targets
        ],
        "type": plan.type,
        "priority": plan.priority,
        "constraints": plan.constraints.to_model() if plan.constraints else model.Constraints(),
        "thresholds": (
            plan.thresholds.to_pydantic() if plan.thresholds else model.AcceptanceThresholds()
        ),
        "type_settings": (
            plan.type_settings.to_pydantic() if plan.type_settings else model.TypeSettings()
        ),
        "eligible_observatory_ids": [str(i) for i in plan.eligible_observatory_ids],
        "notes": plan.notes,
    }


@strawberry.input
class ObservationIdInput:
    id: strawberry.ID


@strawberry.input
class CancelObservationInput:
    id: strawberry.ID
    reason: str = ""


ObservationOrderField = strawberry.enum(
    query.ObservationOrderField, description="What a list of observations is sorted by."
)
OrderDirection = strawberry.enum(query.OrderDirection)


@strawberry.input(description="Sort order; rows that tie on the field are ordered by id.")
class ObservationOrder:
    field: ObservationOrderField = query.ObservationOrderField.CREATED_AT  # type: ignore[valid-type]
    direction: OrderDirection = query.OrderDirection.DESC  # type: ignore[valid-type]

    def to_order(self) -> query.ObservationOrder:
        return query.ObservationOrder(field=self.field, direction=self.direction)


@strawberry.input(description="Narrow a list of observations; all fields combine with AND.")
class ObservationFilter:
    states: list[ObservationState] | None = None  # type: ignore[valid-type]
    project_id: strawberry.ID | None = None
    target_name: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of a target's name."
    )
    priority_at_least: int | None = None


@strawberry.type(description="An observation changed state.")
class ObservationEvent:
    observation_id: strawberry.ID
    project_id: strawberry.ID
    state: ObservationState  # type: ignore[valid-type]
    previous_state: ObservationState | None  # type: ignore[valid-type]
    actor: str
    reason: str
    occurred_at: datetime


ObservationPayload = Annotated[
    Observation | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("ObservationPayload"),
]
