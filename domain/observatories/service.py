"""Registering observatories and changing their controls."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from domain import secrets
from domain.access.permissions import ObservatoryPermission
from domain.access.resolve import observatory_permissions
from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, FieldProblem, ValidationFailed
from domain.observatories.access import may_view
from domain.observatories.observatory import Equipment, HorizonPoint, Location, Observatory
from domain.organizations.access import organization_for
from domain.organizations.organization import Organization, OrganizationPermission

OBSERVATORY_KEY_KIND = "sso"
_CODE = re.compile(r"^[a-zA-Z0-9_-]{3,20}$")


@dataclass(frozen=True)
class Registered:
    observatory: Observatory
    api_key: str  # shown once


def _validate(
    name: str, code: str, location: Location, horizon: list[HorizonPoint], equipment: Equipment
) -> list[FieldProblem]:
    problems = []
    if not 1 <= len(name.strip()) <= 100:
        problems.append(FieldProblem(("name",), "must be 1 to 100 characters"))
    if not _CODE.match(code):
        problems.append(FieldProblem(("code",), "must be 3 to 20 letters, digits, _ or -"))
    if not -90 <= location.latitude_deg <= 90:
        problems.append(FieldProblem(("location", "latitude_deg"), "must be from -90 to 90"))
    if not -180 <= location.longitude_deg <= 180:
        problems.append(FieldProblem(("location", "longitude_deg"), "must be from -180 to 180"))
    if not -500 <= location.elevation_m <= 9000:
        problems.append(FieldProblem(("location", "elevation_m"), "must be from -500 to 9000"))
    for index, point in enumerate(horizon):
        at = ("horizon", str(index))
        if not 0 <= point.azimuth_deg < 360:
            problems.append(FieldProblem((*at, "azimuth_deg"), "must be from 0 to less than 360"))
        if not -10 <= point.altitude_deg <= 90:
            problems.append(FieldProblem((*at, "altitude_deg"), "must be from -10 to 90"))
    for field in ("aperture_mm", "focal_length_mm", "pixel_size_um"):
        value = getattr(equipment, field)
        if value is not None and value <= 0:
            problems.append(FieldProblem(("equipment", field), "must be more than 0"))
    for field in ("sensor_width_px", "sensor_height_px"):
        value = getattr(equipment, field)
        if value is not None and not 1 <= value <= 100_000:
            problems.append(FieldProblem(("equipment", field), "must be from 1 to 100000"))
    if any(not 1 <= b <= 4 for b in equipment.binning_modes):
        problems.append(FieldProblem(("equipment", "binning_modes"), "each must be from 1 to 4"))
    return problems


async def register_observatory(
    actor: User,
    *,
    organization_id: str,
    name: str,
    code: str,
    location: Location,
    horizon: list[HorizonPoint],
    equipment: Equipment,
    description: str = "",
) -> Registered:
    """Register an observatory of an organization; its API key is returned once."""
    organization = await organization_for(
        actor, organization_id, OrganizationPermission.MANAGE_OBSERVATORIES
    )
    problems = _validate(name, code, location, horizon, equipment)
    if problems:
        raise ValidationFailed(problems)
    issued = secrets.issue_secret(OBSERVATORY_KEY_KIND)
    assert organization.id is not None
    assert actor.id is not None
    observatory = Observatory(
        organization_id=organization.id,
        name=name.strip(),
        code=code,
        description=description,
        location=location,
        horizon=sorted(horizon, key=lambda p: p.azimuth_deg),
        equipment=equipment,
        api_key_prefix=issued.prefix,
        api_key_hash=issued.sha256,
        created_by=actor.id,
    )
    try:
        await observatory.insert()
    except DuplicateKeyError:
        raise Conflict(f"an observatory with code {code!r} exists") from None
    await record_audit(
        actor,
        "observatory",
        str(observatory.id),
        "register",
        after=snapshot(observatory, exclude={"api_key_hash"}),
    )
    return Registered(observatory, issued.secret)


async def observatories_visible_to(user: User) -> list[Observatory]:
    if user.key_scope is not None:
        scope = user.key_scope
        organization = await Organization.get(scope.organization_id)
        found = await Observatory.find(
            Observatory.organization_id == scope.organization_id
        ).to_list()
        return [o for o in sorted(found, key=lambda o: o.name) if may_view(user, o, organization)]
    if user.is_site_admin:
        return await Observatory.find_all().sort("name").to_list()
    mine = await Organization.find({"members.user_id": user.id}).to_list()
    organizations = {o.id: o for o in mine}
    found = (
        await Observatory.find(
            {
                "$or": [
                    {"organization_id": {"$in": list(organizations)}},
                    {"members.user_id": user.id},
                ]
            }
        )
        .sort("name")
        .to_list()
    )
    # a direct member's grant without VIEW (OPERATE alone, say) shows nothing, as everywhere
    return [
        o
        for o in found
        if ObservatoryPermission.VIEW
        in observatory_permissions(user, o, organizations.get(o.organization_id))
    ]
