"""Changing a draft observation: the same rules and field paths as creating one."""

from __future__ import annotations

from dataclasses import dataclass, field

from beanie import UpdateResponse

from domain.access.permissions import ProjectPermission
from domain.accounts.user import User, utcnow
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, ValidationFailed
from domain.events import DomainEvent, EventBus
from domain.observations import validation
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import (
    AcceptanceThresholds,
    Constraints,
    Observation,
    ObservationType,
    TypeSettings,
)
from domain.observations.request import TargetRequest
from domain.observations.service import (
    _eligible_observatories,
    _resolve_targets,
    observation_for,
    user_actor,
)
from domain.observations.states import ObservationState
from domain.projects.access import project_for


@dataclass
class ObservationChange:
    """Everything a draft holds that a person may change (its project stays)."""

    id: str
    name: str
    targets: list[TargetRequest]
    type: ObservationType = ObservationType.FLEXIBLE
    priority: int = 5
    constraints: Constraints = field(default_factory=Constraints)
    thresholds: AcceptanceThresholds = field(default_factory=AcceptanceThresholds)
    type_settings: TypeSettings = field(default_factory=TypeSettings)
    eligible_observatory_ids: list[str] = field(default_factory=list)
    notes: str = ""


async def update_observation(actor: User, change: ObservationChange, bus: EventBus) -> Observation:
    """Replace a draft's plan; Conflict once it was submitted; nothing is stored on error.

    Needs USE on the project for one's own draft and EDIT for anyone else's.
    """
    observation = await observation_for(actor, change.id)
    needed = ProjectPermission.USE if observation.created_by == actor.id else ProjectPermission.EDIT
    await project_for(actor, str(observation.project_id), needed)
    if observation.state is not ObservationState.DRAFT:
        raise Conflict(f"only drafts can be edited; this observation is {observation.state.value}")
    now = utcnow()
    observatories, problems = await _eligible_observatories(actor, change.eligible_observatory_ids)
    targets, target_problems = await _resolve_targets(observation.organization_id, change.targets)
    problems += target_problems
    problems += validation.check_name_and_priority(change.name, change.priority)
    problems += validation.check_targets(len(change.targets), targets, observatories)
    problems += validation.check_constraints(change.constraints, now)
    problems += validation.check_type_settings(change.type, change.type_settings, now)
    problems += validation.check_thresholds(change.thresholds)
    if problems:
        raise ValidationFailed(problems)
    before = snapshot(observation)
    fields: dict[str, object] = {  # encoded by Beanie
        "name": change.name.strip(),
        "type": change.type,
        "priority": change.priority,
        "targets": [target for _, target in targets],
        "constraints": change.constraints,
        "thresholds": change.thresholds,
        "type_settings": change.type_settings,
        "eligible_observatory_ids": [o.id for o in observatories if o.id is not None],
        "notes": change.notes,
        "updated_at": now,
    }
    updated = await Observation.find_one(
        {"_id": observation.id, "state": ObservationState.DRAFT.value}
    ).update({"$set": fields}, response_type=UpdateResponse.NEW_DOCUMENT)
    if not isinstance(updated, Observation):
        raise Conflict("the observation was submitted at the same moment; it is no longer a draft")
    await record_audit(
        user_actor(actor),
        "observation",
        str(observation.id),
        "update",
        before=before,
        after=snapshot(updated),
    )
    await bus.publish(
        DomainEvent(
            topic=OBSERVATION_TOPIC,
            kind="updated",
            payload={
                "observation_id": str(observation.id),
                "project_id": str(observation.project_id),
                "actor": user_actor(actor),
            },
            organization_id=str(observation.organization_id),
        )
    )
    return updated
