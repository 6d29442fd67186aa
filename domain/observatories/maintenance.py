"""Maintenance mode: an observatory taken out of service on purpose, with the reason.

While in maintenance the dispatcher gives it nothing (its first gate, see
domain/dispatch/observatory_state.py) whatever its dispatch switch, safety or reservations say.
Operators of the observatory (its OPERATE permission) switch it on and off; switching it on needs
a reason, which everyone who can see the observatory reads. Each change is an audit entry and an
`observatory` event of kind `maintenance`.
"""

from __future__ import annotations

from beanie import UpdateResponse

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User, utcnow
from domain.audit import record_audit
from domain.errors import FieldProblem, NotFound, ValidationFailed
from domain.events import DomainEvent, EventBus
from domain.observatories.access import observatory_for
from domain.observatories.live_status import OBSERVATORY_TOPIC
from domain.observatories.observatory import Observatory

MAX_REASON_LENGTH = 500
MAINTENANCE_EVENT = "maintenance"


def _reason_problems(enabled: bool, reason: str) -> list[FieldProblem]:
    if enabled and not reason:
        return [FieldProblem(("reason",), "say why the observatory goes into maintenance")]
    if len(reason) > MAX_REASON_LENGTH:
        return [FieldProblem(("reason",), f"at most {MAX_REASON_LENGTH} characters")]
    return []


async def set_maintenance(
    actor: User, observatory_id: str, *, enabled: bool, reason: str, events: EventBus
) -> Observatory:
    """Put the observatory into maintenance (`enabled`) or back into service.

    Raises NotFound when the actor cannot see it, Forbidden without OPERATE, ValidationFailed
    when the reason is missing (switching on) or too long. Switching on again while in
    maintenance replaces the reason and keeps the time it started.
    """
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.OPERATE)
    reason = reason.strip()
    if problems := _reason_problems(enabled, reason):
        raise ValidationFailed(problems)
    since = (observatory.maintenance_since or utcnow()) if enabled else None
    change = {
        "maintenance": enabled,
        "maintenance_reason": reason if enabled else "",
        "maintenance_since": since,
    }
    updated = await Observatory.find_one(Observatory.id == observatory.id).update(
        {"$set": change}, response_type=UpdateResponse.NEW_DOCUMENT
    )
    if not isinstance(updated, Observatory):
        raise NotFound("observatory", observatory_id)
    await record_audit(
        actor,
        "observatory",
        str(observatory.id),
        MAINTENANCE_EVENT,
        before={
            "maintenance": observatory.maintenance,
            "maintenance_reason": observatory.maintenance_reason,
        },
        after={
            "maintenance": enabled,
            "maintenance_reason": change["maintenance_reason"],
            "reason": reason,  # also kept when switching off
        },
    )
    await events.publish(
        DomainEvent(
            topic=OBSERVATORY_TOPIC,
            kind=MAINTENANCE_EVENT,
            payload={
                "observatory_id": str(observatory.id),
                "maintenance": enabled,
                "reason": reason,
                "actor": f"user:{actor.id}",
            },
            organization_id=str(observatory.organization_id),
        )
    )
    return updated
