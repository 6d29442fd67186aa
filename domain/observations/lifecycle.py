"""The one function through which an observation changes state."""

from __future__ import annotations

from beanie import PydanticObjectId, UpdateResponse

from domain.accounts.user import utcnow
from domain.audit import record_audit
from domain.errors import Conflict, NotFound
from domain.events import DomainEvent, EventBus
from domain.observations.observation import HistoryEntry, Observation
from domain.observations.states import ObservationState, is_allowed

OBSERVATION_TOPIC = "observation"


class InvalidTransition(Conflict):
    """The transition table does not allow this change from the current state."""


async def change_state(
    observation_id: PydanticObjectId,
    to_state: ObservationState,
    *,
    actor: str,
    reason: str,
    bus: EventBus,
    extra: dict[str, object] | None = None,
) -> Observation:
    """Move an observation to `to_state`, or raise without changing anything.

    The update is conditional on the state read, so two concurrent changes cannot both apply;
    it appends an immutable history entry, writes the audit trail and publishes
    `observation.state_changed` with the new and previous states.
    """
    current = await Observation.get(observation_id)
    if current is None:
        raise NotFound("observation", str(observation_id))
    source = current.state
    if not is_allowed(source, to_state):
        raise InvalidTransition(f"an observation cannot go from {source} to {to_state}")
    now = utcnow()
    entry = HistoryEntry(at=now, actor=actor, from_state=source, to_state=to_state, reason=reason)
    updated = await Observation.find_one(
        Observation.id == observation_id, Observation.state == source
    ).update(
        {
            "$set": {"state": to_state.value, "updated_at": now, **(extra or {})},
            "$push": {"history": entry.model_dump(mode="python")},
        },
        response_type=UpdateResponse.NEW_DOCUMENT,
    )
    if not isinstance(updated, Observation):
        raise Conflict("the observation changed at the same moment; read it again and retry")
    await record_audit(
        actor,
        "observation",
        str(observation_id),
        f"state:{to_state.value}",
        before={"state": source.value},
        after={"state": to_state.value},
    )
    await bus.publish(
        DomainEvent(
            topic=OBSERVATION_TOPIC,
            kind="state_changed",
            payload={
                "observation_id": str(observation_id),
                "project_id": str(updated.project_id),
                "state": to_state.value,
                "previous_state": source.value,
                "actor": actor,
                "reason": reason,
            },
            organization_id=str(updated.organization_id),
        )
    )
    return updated
