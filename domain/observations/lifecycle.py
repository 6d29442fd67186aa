"""The one function through which an observation changes state."""

from __future__ import annotations

from beanie import PydanticObjectId
from pymongo import ReturnDocument

from domain.accounts.user import User, utcnow
from domain.audit import actor_of, record_audit
from domain.errors import Conflict, NotFound
from domain.events import DomainEvent, EventBus
from domain.observations.observation import HistoryEntry, Observation
from domain.observations.states import ObservationState, is_allowed
from domain.observations.usage import record_lifecycle_usage

OBSERVATION_TOPIC = "observation"


class InvalidTransition(Conflict):
    """The transition table does not allow this change from the current state."""


async def _apply_if_still(
    observation_id: PydanticObjectId,
    source: ObservationState,
    entry: HistoryEntry,
    fields: dict[str, object],
) -> Observation | None:
    """Set `fields` and append `entry` only if the state is still `source`, in one write.

    The condition lives in an update pipeline on a filter by `_id` alone: the embedded engine
    answers an `_id` filter from its primary key but scans the collection for `_id` + `state`
    (measured: 3 ms versus 190 ms at 10,000 observations). Literals are wrapped so that no
    value is read as a field path.
    """
    still = {"$eq": ["$state", source.value]}
    changes: dict[str, object] = {
        name: {"$cond": [still, {"$literal": value}, f"${name}"]} for name, value in fields.items()
    }
    changes["history"] = {
        "$cond": [
            still,
            {"$concatArrays": ["$history", [{"$literal": entry.model_dump(mode="python")}]]},
            "$history",
        ]
    }
    raw = await Observation.get_pymongo_collection().find_one_and_update(
        {"_id": observation_id}, [{"$set": changes}], return_document=ReturnDocument.AFTER
    )
    if raw is None or not raw.get("history") or raw["history"][-1].get("id") != entry.id:
        return None
    validated: Observation = Observation.model_validate(raw)
    return validated


async def change_state(
    observation_id: PydanticObjectId,
    to_state: ObservationState,
    *,
    actor: str | User,
    reason: str,
    bus: EventBus,
    extra: dict[str, object] | None = None,
) -> Observation:
    """Move an observation to `to_state`, or raise without changing anything.

    The update is conditional on the state read, so two concurrent changes cannot both apply;
    it appends an immutable history entry, writes the audit trail and the usage event (see
    `domain.observations.usage`) and publishes `observation.state_changed` with the new and
    previous states. `actor` is a person (`User`) or a name such as `observatory:<id>`.
    """
    actor_name = actor if isinstance(actor, str) else actor_of(actor)
    current = await Observation.get(observation_id)
    if current is None:
        raise NotFound("observation", str(observation_id))
    source = current.state
    if not is_allowed(source, to_state):
        raise InvalidTransition(f"an observation cannot go from {source} to {to_state}")
    now = utcnow()
    entry = HistoryEntry(
        at=now, actor=actor_name, from_state=source, to_state=to_state, reason=reason
    )
    updated = await _apply_if_still(
        observation_id, source, entry, {"state": to_state.value, "updated_at": now, **(extra or {})}
    )
    if updated is None:
        raise Conflict("the observation changed at the same moment; read it again and retry")
    await record_audit(
        actor,
        "observation",
        str(observation_id),
        f"state:{to_state.value}",
        before={"state": source.value},
        after={"state": to_state.value},
        organization_id=str(updated.organization_id),
    )
    await record_lifecycle_usage(updated, source, to_state)
    await bus.publish(
        DomainEvent(
            topic=OBSERVATION_TOPIC,
            kind="state_changed",
            payload={
                "observation_id": str(observation_id),
                "project_id": str(updated.project_id),
                "state": to_state.value,
                "previous_state": source.value,
                "actor": actor_name,
                "reason": reason,
            },
            organization_id=str(updated.organization_id),
        )
    )
    return updated
