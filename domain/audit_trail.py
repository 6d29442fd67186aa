"""Reading an entity's audit trail, and who may.

Site administrators (signed in as themselves) read every entity's trail. An entity of an
organization (the organization itself, its projects, observatories, reservations,
observations, frames, templates, library targets, API keys and the registrations decided in
it) is read by the organization's owner and by its members holding MANAGE_MEMBERS (an API key
needs `manage_members` too). A person reads their own account's trail (`user`: creation,
sign-ins, password changes) when signed in as themselves. Nobody else reads anything.

An entity that no longer exists (a deleted library target) belongs to the organization its
entries name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId, SortDirection

from domain.accounts.api_keys import ApiKey
from domain.accounts.user import User
from domain.audit import AuditEntry
from domain.errors import Forbidden, NotFound
from domain.frames.frame import Frame
from domain.observations.observation import Observation
from domain.observatories.observatory import Observatory
from domain.observatories.registration import ObservatoryRegistration
from domain.observatories.reservation import Reservation
from domain.organizations.access import organization_for
from domain.organizations.organization import OrganizationPermission
from domain.projects.project import Project
from domain.targets.library import LibraryTarget
from domain.templates.template import ObservationTemplate

_OWNED: dict[str, type[Document]] = {
    "project": Project,
    "observatory": Observatory,
    "observation": Observation,
    "frame": Frame,
    "observation_template": ObservationTemplate,
    "library_target": LibraryTarget,
    "api_key": ApiKey,
    "observatory_registration": ObservatoryRegistration,
}
"""Entities that name their organization in `organization_id`."""


async def _organization_field(model: type[Document], raw_id: PydanticObjectId) -> str | None:
    found = await model.get_pymongo_collection().find_one({"_id": raw_id}, {"organization_id": 1})
    value = found.get("organization_id") if found is not None else None
    return None if value is None else str(value)


async def _live_organization(entity: str, entity_id: str) -> str | None:
    if not PydanticObjectId.is_valid(entity_id):
        return None
    raw_id = PydanticObjectId(entity_id)
    if entity == "organization":
        return entity_id
    if entity == "reservation":
        found = await Reservation.get_pymongo_collection().find_one(
            {"_id": raw_id}, {"observatory_id": 1}
        )
        return (
            None
            if found is None
            else await _organization_field(Observatory, found["observatory_id"])
        )
    model = _OWNED.get(entity)
    return None if model is None else await _organization_field(model, raw_id)


async def organization_of(entity: str, entity_id: str) -> str | None:
    """The id of the organization the entity belongs to, or None (users, pending requests)."""
    live = await _live_organization(entity, entity_id)
    if live is not None:
        return live
    named = (
        await AuditEntry.find(
            {"entity": entity, "entity_id": entity_id, "organization_id": {"$ne": None}}
        )
        .sort("-at")
        .first_or_none()
    )
    return named.organization_id if named is not None else None


async def audit_trail_query(user: User, entity: str, entity_id: str) -> dict[str, Any] | None:
    """The filter of the entity's entries if `user` may read them, else None."""
    query: dict[str, Any] = {"entity": entity, "entity_id": entity_id}
    as_themselves = user.key_scope is None
    if user.is_site_admin and as_themselves:
        return query
    if entity == "user":
        return query if as_themselves and str(user.id) == entity_id else None
    organization_id = await organization_of(entity, entity_id)
    if organization_id is None:
        return None
    try:
        await organization_for(user, organization_id, OrganizationPermission.MANAGE_MEMBERS)
    except (NotFound, Forbidden):
        return None
    return query


async def audit_entries(
    query: dict[str, Any], older_than: tuple[datetime, PydanticObjectId] | None, limit: int
) -> list[AuditEntry]:
    """Up to `limit` entries matching `query`, newest first (by time, then id), those placed
    after `older_than` (the time and id of the last entry seen)."""
    page = dict(query)
    if older_than is not None:
        at, entry_id = older_than
        page["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": entry_id}}]
    newest = SortDirection.DESCENDING
    found = AuditEntry.find(page).sort([("at", newest), ("_id", newest)]).limit(limit)
    return await found.to_list()


async def count_audit_entries(query: dict[str, Any]) -> int:
    return await AuditEntry.find(query).count()
