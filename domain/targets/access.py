"""The target library behind organization permissions, and name lookup for clients."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import PydanticObjectId

from domain.access.key_scope import organization_allows
from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import FieldProblem, Forbidden, ValidationFailed
from domain.organizations.access import organization_for
from domain.organizations.organization import OrganizationPermission
from domain.projects.access import object_id
from domain.targets.catalogue import ResolvedTarget
from domain.targets.coordinates import CoordinateParseError, parse_dec, parse_ra
from domain.targets.library import (
    LibraryTarget,
    delete_library_target,
    resolve_target_name,
    save_library_target,
    search_library,
)


async def save_target(
    actor: User,
    organization_id: str,
    *,
    name: str,
    ra: str,
    dec: str,
    notes: str = "",
    tags: Sequence[str] = (),
    priority: int | None = None,
) -> LibraryTarget:
    """Save a target to the organization's library (any member may, an API key with WRITE);
    audited."""
    organization = await organization_for(actor, organization_id)
    assert organization.id is not None
    if not organization_allows(actor.key_scope, organization.id, "write"):
        raise Forbidden(f"this API key lacks write in {organization.short_name}")
    problems: list[FieldProblem] = []
    ra_deg = dec_deg = 0.0
    try:
        ra_deg = parse_ra(ra)
    except CoordinateParseError as error:
        problems.append(error.problem)
    try:
        dec_deg = parse_dec(dec)
    except CoordinateParseError as error:
        problems.append(error.problem)
    if problems:
        raise ValidationFailed(problems)
    assert organization.id is not None
    assert actor.id is not None
    saved = await save_library_target(
        organization.id, actor.id, name, ra_deg, dec_deg, notes, list(tags), priority
    )
    await record_audit(
        actor,
        "library_target",
        str(saved.id),
        "create",
        after=snapshot(saved),
        organization_id=str(organization.id),
    )
    return saved


async def search_targets(
    actor: User, organization_id: str, text: str, limit: int = 20
) -> list[LibraryTarget]:
    organization = await organization_for(actor, organization_id)
    assert organization.id is not None
    return await search_library(organization.id, text, limit)


async def readable_library(actor: User, organization_id: str) -> PydanticObjectId:
    """The id of the organization whose library `actor` may search (NotFound if invisible)."""
    organization = await organization_for(actor, organization_id)
    assert organization.id is not None
    return organization.id


async def delete_target(actor: User, organization_id: str, target_id: str) -> None:
    """Remove a target (MANAGE_PROJECTS in the organization); audited with what it held."""
    organization = await organization_for(
        actor, organization_id, OrganizationPermission.MANAGE_PROJECTS
    )
    assert organization.id is not None
    removed = await delete_library_target(organization.id, object_id(target_id, "library target"))
    await record_audit(
        actor,
        "library_target",
        str(removed.id),
        "delete",
        before=snapshot(removed),
        organization_id=str(organization.id),
    )


async def look_up_target(actor: User, organization_id: str, name: str) -> ResolvedTarget:
    """Resolve a name as observation creation would: the library first, then the catalogue."""
    organization = await organization_for(actor, organization_id)
    assert organization.id is not None
    return await resolve_target_name(organization.id, name)
