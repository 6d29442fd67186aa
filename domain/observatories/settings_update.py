"""Changing an observatory's location, horizon mask or equipment after registration."""

from __future__ import annotations

from beanie import UpdateResponse

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, ValidationFailed
from domain.observatories.access import observatory_for
from domain.observatories.observatory import Equipment, HorizonPoint, Location, Observatory
from domain.observatories.service import _validate


async def update_observatory(
    actor: User,
    observatory_id: str,
    *,
    location: Location | None = None,
    horizon: list[HorizonPoint] | None = None,
    equipment: Equipment | None = None,
) -> Observatory:
    """Replace what is given (needs ADMIN); the same rules and paths as registering.

    Pixel scale and field of view follow from the new equipment; nothing is stored on error.
    """
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.ADMIN)
    new_location = location if location is not None else observatory.location
    new_horizon = horizon if horizon is not None else observatory.horizon
    new_equipment = equipment if equipment is not None else observatory.equipment
    problems = _validate(
        observatory.name, observatory.code, new_location, new_horizon, new_equipment
    )
    if problems:
        raise ValidationFailed(problems)
    changes: dict[str, object] = {}
    if location is not None:
        changes["location"] = new_location
    if horizon is not None:
        changes["horizon"] = sorted(new_horizon, key=lambda p: p.azimuth_deg)
    if equipment is not None:
        changes["equipment"] = new_equipment
    if not changes:
        return observatory
    before = snapshot(observatory, exclude={"api_key_hash"})
    updated = await Observatory.find_one({"_id": observatory.id}).update(
        {"$set": changes}, response_type=UpdateResponse.NEW_DOCUMENT
    )
    if not isinstance(updated, Observatory):
        raise Conflict("the observatory was removed at the same moment")
    await record_audit(
        actor,
        "observatory",
        str(observatory.id),
        "update",
        before=before,
        after=snapshot(updated, exclude={"api_key_hash"}),
    )
    return updated
