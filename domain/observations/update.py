"""Changing a draft observation: the same rules and field paths as creating one."""

from __future__ import annotations

from dataclasses import dataclass

from beanie import UpdateResponse

from domain.access.permissions import ProjectPermission
from domain.accounts.user import User, utcnow
from domain.audit import record_audit, snapshot
from domain.errors import Conflict
from domain.events import DomainEvent, EventBus
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import (
    Observation,
)
from domain.observations.request import ObservationPlan
from domain.observations.service import checked_plan, observation_for, user_actor
from domain.observations.states import ObservationState
from domain.projects.access import project_for


@dataclass(kw_only=True)
class ObservationChange(ObservationPlan):
    """A draft's new plan (its project stays)."""

    id: str


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
    observatories, targets = await checked_plan(actor, observation.organization_id, change, now)
    before = snapshot(observation)
    fields: dict[str, object] = {  # encoded by Beanie
        "name": change.name.strip(),
        "type": change.type,
        "priority": change.priority,
        "targets": targets,
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
        actor,
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
