"""Operational controls that gate dispatch: the dispatch switch and the safety report."""

from __future__ import annotations

from beanie import PydanticObjectId, UpdateResponse

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User
from domain.audit import record_audit
from domain.errors import NotFound
from domain.observatories.access import observatory_for
from domain.observatories.observatory import Observatory, Safety


async def set_dispatch_enabled(actor: User, observatory_id: str, enabled: bool) -> Observatory:
    """Switch dispatch on or off (operators); off means nothing new is assigned."""
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.OPERATE)
    updated = await Observatory.find_one(Observatory.id == observatory.id).update(
        {"$set": {"dispatch_enabled": enabled}}, response_type=UpdateResponse.NEW_DOCUMENT
    )
    if not isinstance(updated, Observatory):
        raise NotFound("observatory", observatory_id)
    await record_audit(
        actor,
        "observatory",
        observatory_id,
        "dispatch_enabled",
        before={"dispatch_enabled": observatory.dispatch_enabled},
        after={"dispatch_enabled": enabled},
    )
    return updated


async def report_safety(observatory_id: PydanticObjectId, safety: Safety) -> Observatory:
    """Record what the observatory's safety device reports (the plugin's door)."""
    updated = await Observatory.find_one(Observatory.id == observatory_id).update(
        {"$set": {"safety": safety.value}}, response_type=UpdateResponse.NEW_DOCUMENT
    )
    if not isinstance(updated, Observatory):
        raise NotFound("observatory", str(observatory_id))
    return updated
