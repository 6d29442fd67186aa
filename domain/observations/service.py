"""Creating, submitting, cancelling, resubmitting and finding observations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId

from domain.access.permissions import ObservatoryPermission, ProjectPermission
from domain.access.resolve import observatory_permissions, project_permissions
from domain.accounts.user import User, utcnow
from domain.audit import UsageEvent, record_audit, snapshot
from domain.dispatch.schedulability import ensure_schedulable
from domain.errors import FieldProblem, NotFound, ValidationFailed
from domain.events import DomainEvent, EventBus
from domain.observations import validation
from domain.observations.lifecycle import OBSERVATION_TOPIC, InvalidTransition, change_state
from domain.observations.observation import HistoryEntry, Observation, Target
from domain.observations.request import ObservationPlan, ObservationRequest, TargetRequest
from domain.observations.states import CANCELLABLE, TERMINAL, ObservationState
from domain.observations.usage import record_lifecycle_usage
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization
from domain.projects.access import object_id, project_for
from domain.projects.project import Project
from domain.targets.resolution import resolve_target_request


def user_actor(user: User) -> str:
    return f"user:{user.id}"


async def _eligible_observatories(
    user: User, ids: Sequence[str]
) -> tuple[list[Observatory], list[FieldProblem]]:
    found: list[Observatory] = []
    problems: list[FieldProblem] = []
    for index, raw in enumerate(ids):
        path = ("eligible_observatory_ids", str(index))
        observatory = (
            await Observatory.get(PydanticObjectId(raw)) if PydanticObjectId.is_valid(raw) else None
        )
        if observatory is None:
            problems.append(FieldProblem(path, "no such observatory"))
            continue
        organization = await Organization.get(observatory.organization_id)
        if ObservatoryPermission.OBSERVE not in observatory_permissions(
            user, observatory, organization
        ):
            problems.append(FieldProblem(path, f"you may not observe with {observatory.code}"))
            continue
        found.append(observatory)
    return found, problems


async def _resolve_targets(
    organization_id: PydanticObjectId, requests: Sequence[TargetRequest]
) -> tuple[list[tuple[int, Target]], list[FieldProblem]]:
    """The resolved targets with their index in the request, and problems of the others."""
    targets: list[tuple[int, Target]] = []
    problems: list[FieldProblem] = []
    for index, request in enumerate(requests):
        resolved = await resolve_target_request(organization_id, request, ("targets", str(index)))
        if isinstance(resolved, Target):
            targets.append((index, resolved))
        else:
            problems += resolved
    return targets, problems


async def checked_plan(
    actor: User, organization_id: PydanticObjectId, plan: ObservationPlan, now: datetime
) -> tuple[list[Observatory], list[Target]]:
    """The plan's observatories and resolved targets, or ValidationFailed naming every rule it
    breaks: the same rules and field paths for a new observation and an edited draft."""
    observatories, problems = await _eligible_observatories(actor, plan.eligible_observatory_ids)
    targets, target_problems = await _resolve_targets(organization_id, plan.targets)
    problems += target_problems
    resolved = {index for index, _ in targets}
    for index, unresolved in enumerate(plan.targets):  # their plans are checked all the same
        if index not in resolved:
            at = ("targets", str(index), "exposures")
            problems += validation.check_exposures(at, unresolved.exposures, observatories)
    problems += validation.check_name_and_priority(plan.name, plan.priority)
    problems += validation.check_notes(plan.notes)
    problems += validation.check_targets(len(plan.targets), targets, observatories)
    problems += validation.check_constraints(plan.constraints, now)
    problems += validation.check_type_settings(plan.type, plan.type_settings, now)
    problems += validation.check_thresholds(plan.thresholds)
    if problems:
        raise ValidationFailed(problems)
    return observatories, [target for _, target in targets]


async def create_observation(
    actor: User, request: ObservationRequest, bus: EventBus
) -> Observation:
    """Validate and store a new observation as pending (or draft); nothing is stored on error."""
    project = await project_for(actor, request.project_id, ProjectPermission.USE)
    now = utcnow()
    observatories, targets = await checked_plan(actor, project.organization_id, request, now)
    state = ObservationState.PENDING if request.submit else ObservationState.DRAFT
    assert actor.id is not None
    assert project.id is not None
    observation = Observation(
        organization_id=project.organization_id,
        project_id=project.id,
        created_by=actor.id,
        name=request.name.strip(),
        type=request.type,
        priority=request.priority,
        targets=targets,
        constraints=request.constraints,
        thresholds=request.thresholds,
        type_settings=request.type_settings,
        eligible_observatory_ids=[o.id for o in observatories if o.id is not None],
        notes=request.notes,
        state=state,
        history=[
            HistoryEntry(
                at=now, actor=user_actor(actor), from_state=None, to_state=state, reason="created"
            )
        ],
    )
    if request.submit:
        await ensure_schedulable(observation, now)
    await observation.insert()
    await _after_create(actor, observation, bus)
    return observation


async def _after_create(actor: User, observation: Observation, bus: EventBus) -> None:
    await record_audit(
        actor,
        "observation",
        str(observation.id),
        "create",
        after=snapshot(observation),
        organization_id=str(observation.organization_id),
    )
    await UsageEvent(
        kind="observation_created",
        organization_id=str(observation.organization_id),
        project_id=str(observation.project_id),
        user_id=str(actor.id),
        observation_id=str(observation.id),
    ).insert()
    await record_lifecycle_usage(observation, None, observation.state)
    await bus.publish(
        DomainEvent(
            topic=OBSERVATION_TOPIC,
            kind="state_changed",
            payload={
                "observation_id": str(observation.id),
                "project_id": str(observation.project_id),
                "state": observation.state.value,
                "previous_state": None,
                "actor": user_actor(actor),
                "reason": "created",
            },
            organization_id=str(observation.organization_id),
        )
    )


async def observation_for(user: User, observation_id: str) -> Observation:
    """The observation if `user` may view its project; NotFound otherwise."""
    observation = await Observation.get(object_id(observation_id, "observation"))
    if observation is None:
        raise NotFound("observation", observation_id)
    await project_for(user, str(observation.project_id), ProjectPermission.VIEW)
    return observation


async def submit_observation(actor: User, observation_id: str, bus: EventBus) -> Observation:
    """Submit one's own draft (or anyone's, with edit permission on its project)."""
    observation = await observation_for(actor, observation_id)
    needed = ProjectPermission.USE if observation.created_by == actor.id else ProjectPermission.EDIT
    await project_for(actor, str(observation.project_id), needed)
    assert observation.id is not None
    if observation.state is ObservationState.DRAFT:
        await ensure_schedulable(observation, utcnow())
    return await change_state(
        observation.id,
        ObservationState.PENDING,
        actor=actor,
        reason="submitted",
        bus=bus,
    )


async def cancel_observation(
    actor: User, observation_id: str, reason: str, bus: EventBus
) -> Observation:
    """Cancel one's own observation (or any, with edit permission on its project)."""
    observation = await observation_for(actor, observation_id)
    needed = ProjectPermission.USE if observation.created_by == actor.id else ProjectPermission.EDIT
    await project_for(actor, str(observation.project_id), needed)
    if observation.state not in CANCELLABLE:
        raise InvalidTransition(f"an observation in state {observation.state} cannot be cancelled")
    assert observation.id is not None
    return await change_state(
        observation.id,
        ObservationState.CANCELLED,
        actor=actor,
        reason=reason or "cancelled by user",
        bus=bus,
    )


async def resubmit_observation(actor: User, observation_id: str, bus: EventBus) -> Observation:
    """A new pending observation copied from a finished one; its progress starts from zero."""
    source = await observation_for(actor, observation_id)
    await project_for(actor, str(source.project_id), ProjectPermission.USE)
    if source.state not in TERMINAL:
        raise InvalidTransition("only finished observations can be resubmitted")
    now = utcnow()
    assert actor.id is not None
    targets = [target.without_progress() for target in source.targets]
    # The copy is held to today's rules: the observatories it names must still be yours to
    # observe with, and its windows and fixed time must still lie ahead.
    observatories, problems = await _eligible_observatories(
        actor, [str(i) for i in source.eligible_observatory_ids]
    )
    problems += validation.check_targets(len(targets), list(enumerate(targets)), observatories)
    problems += validation.check_constraints(source.constraints, now)
    problems += validation.check_type_settings(source.type, source.type_settings, now)
    if problems:
        raise ValidationFailed(problems)
    copy = Observation(
        **source.model_dump(
            exclude={
                "id",
                "revision_id",
                "state",
                "history",
                "created_at",
                "updated_at",
                "assigned_observatory_id",
                "accepted_frame_ids",
                "resubmitted_from",
                "targets",
                "created_by",
            }
        ),
        targets=targets,
        created_by=actor.id,
        state=ObservationState.PENDING,
        resubmitted_from=source.id,
        history=[
            HistoryEntry(
                at=now,
                actor=user_actor(actor),
                from_state=None,
                to_state=ObservationState.PENDING,
                reason="resubmitted",
            )
        ],
    )
    await ensure_schedulable(copy, now)
    await copy.insert()
    await _after_create(actor, copy, bus)
    return copy


@dataclass(frozen=True)
class ObservationFilter:
    states: frozenset[ObservationState] | None = None
    project_id: str | None = None
    target_name: str | None = None
    priority_at_least: int | None = None


async def visible_project_ids(user: User) -> list[PydanticObjectId] | None:
    """Projects whose observations `user` may see; None means all (site administrators)."""
    if user.key_scope is not None:
        return await _projects_in_key_scope(user)
    if user.is_site_admin:
        return None
    organizations = await Organization.find({"members.user_id": user.id}).to_list()
    organization_ids = [o.id for o in organizations]
    projects = await Project.find(
        {
            "$or": [
                {"owner_id": user.id},
                {"members.user_id": user.id},
                {"organization_id": {"$in": organization_ids}},
            ]
        }
    ).to_list()
    return [p.id for p in projects if p.id is not None]


async def _projects_in_key_scope(user: User) -> list[PydanticObjectId]:
    assert user.key_scope is not None
    organization = await Organization.get(user.key_scope.organization_id)
    projects = await Project.find(
        Project.organization_id == user.key_scope.organization_id
    ).to_list()
    return [
        p.id
        for p in projects
        if p.id is not None and ProjectPermission.VIEW in project_permissions(user, p, organization)
    ]


def observation_query(
    project_ids: list[PydanticObjectId] | None, where: ObservationFilter
) -> dict[str, object]:
    """The MongoDB filter for the observations a user may see, narrowed by `where`."""
    query: dict[str, object] = {}
    if project_ids is not None:
        query["project_id"] = {"$in": project_ids}
    if where.project_id is not None:
        wanted = (
            PydanticObjectId(where.project_id)
            if PydanticObjectId.is_valid(where.project_id)
            else None
        )
        if project_ids is not None and wanted not in project_ids:
            query["project_id"] = {"$in": []}
        else:
            query["project_id"] = wanted
    if where.states:
        query["state"] = {"$in": sorted(s.value for s in where.states)}
    if where.target_name:
        query["targets.name"] = {"$regex": re.escape(where.target_name), "$options": "i"}
    if where.priority_at_least is not None:
        query["priority"] = {"$gte": where.priority_at_least}
    return query
