"""Registration requests from new observatories, approved or rejected by an organization admin.

A plugin without a key sends its details; the request waits (`pending`) until an admin of
an organization approves it into that organization, which registers the observatory with the
same service as the `registerObservatory` mutation and enrolls the requesting machine's
fingerprint. The new key is kept on the request only until the plugin acknowledges it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from domain import sealing
from domain.access.key_scope import organization_allows
from domain.access.resolve import organization_grants
from domain.accounts.user import User, utcnow
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, NotFound
from domain.events import DomainEvent, EventBus
from domain.observatories.live_status import OBSERVATORY_TOPIC, update_live_status
from domain.observatories.observatory import Equipment, Location
from domain.observatories.service import Registered, register_observatory
from domain.organizations.access import organization_for
from domain.organizations.organization import Organization, OrganizationPermission


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ObservatoryRegistration(Document):
    code: Annotated[str, Indexed()]
    name: str
    contact_email: str
    contact_name: str | None = None
    description: str = ""
    location: Location
    fingerprint: Annotated[str, Indexed()]
    organization_hint: str | None = None
    status: RegistrationStatus = RegistrationStatus.PENDING
    observatory_id: PydanticObjectId | None = None
    organization_id: PydanticObjectId | None = None
    issued_key: str | None = None  # sealed (domain.sealing), until the plugin acknowledges it
    decided_by: PydanticObjectId | None = None
    decided_at: datetime | None = None
    reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "observatory_registrations"


async def request_registration(
    *,
    code: str,
    name: str,
    contact_email: str,
    location: Location,
    fingerprint: str,
    contact_name: str | None = None,
    description: str = "",
    organization_hint: str | None = None,
) -> ObservatoryRegistration:
    """Record a request (or return this machine's earlier one for the same code)."""
    existing = await ObservatoryRegistration.find_one(
        ObservatoryRegistration.code == code, ObservatoryRegistration.fingerprint == fingerprint
    )
    if existing is not None:
        return existing
    registration = ObservatoryRegistration(
        code=code,
        name=name,
        contact_email=contact_email,
        contact_name=contact_name,
        description=description,
        location=location,
        fingerprint=fingerprint,
        organization_hint=organization_hint,
    )
    await registration.insert()
    return registration


PENDING_QUERY: dict[str, Any] = {"status": RegistrationStatus.PENDING.value}
"""Registrations awaiting an admin."""


async def pending_registrations() -> list[ObservatoryRegistration]:
    return await ObservatoryRegistration.find(PENDING_QUERY).sort("created_at").to_list()


async def _pending(registration_id: str) -> ObservatoryRegistration:
    found = (
        await ObservatoryRegistration.get(PydanticObjectId(registration_id))
        if PydanticObjectId.is_valid(registration_id)
        else None
    )
    if found is None:
        raise NotFound("observatory registration", registration_id)
    if found.status is not RegistrationStatus.PENDING:
        raise Conflict(f"the registration is already {found.status.value}")
    return found


async def approve_registration(
    actor: User, registration_id: str, organization_id: str, bus: EventBus
) -> Registered:
    """Register the observatory in `organization_id` (needs MANAGE_OBSERVATORIES there).

    The decision is audited on the registration; the new observatory has its own entry.
    """
    registration = await _pending(registration_id)
    await organization_for(actor, organization_id, OrganizationPermission.MANAGE_OBSERVATORIES)
    registered = await register_observatory(
        actor,
        organization_id=organization_id,
        name=registration.name,
        code=registration.code,
        location=registration.location,
        horizon=[],
        equipment=Equipment(),
        description=registration.description,
    )
    observatory = registered.observatory
    await update_live_status(observatory, {"fingerprint": registration.fingerprint})
    before = audited(registration)
    registration.status = RegistrationStatus.APPROVED
    registration.observatory_id = observatory.id
    registration.organization_id = observatory.organization_id
    registration.issued_key = sealing.seal(registered.api_key)
    registration.decided_by = actor.id
    registration.decided_at = utcnow()
    await registration.save()
    await _audit(actor, registration, "approve", before, organization_id)
    await _publish(bus, registration, "registration_approved")
    return registered


async def reject_registration(
    actor: User, registration_id: str, organization_id: str, reason: str, bus: EventBus
) -> ObservatoryRegistration:
    """Refuse the request (needs MANAGE_OBSERVATORIES in `organization_id`); audited."""
    registration = await _pending(registration_id)
    await organization_for(actor, organization_id, OrganizationPermission.MANAGE_OBSERVATORIES)
    before = audited(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.reason = reason
    registration.decided_by = actor.id
    registration.decided_at = utcnow()
    await registration.save()
    await _audit(actor, registration, "reject", before, organization_id)
    await _publish(bus, registration, "registration_rejected")
    return registration


def audited(registration: ObservatoryRegistration) -> dict[str, Any]:
    """The request as the audit trail keeps it: never the key issued to the plugin."""
    return snapshot(registration, exclude={"issued_key"})


async def _audit(
    actor: User,
    registration: ObservatoryRegistration,
    action: str,
    before: dict[str, Any],
    organization_id: str,
) -> None:
    await record_audit(
        actor,
        "observatory_registration",
        str(registration.id),
        action,
        before=before,
        after=audited(registration),
        organization_id=organization_id,
    )


async def key_delivered(registration_id: PydanticObjectId) -> None:
    """The plugin stored its key: forget the secret."""
    await ObservatoryRegistration.get_pymongo_collection().update_one(
        {"_id": registration_id}, {"$set": {"issued_key": None}}
    )


async def _publish(bus: EventBus, registration: ObservatoryRegistration, kind: str) -> None:
    await bus.publish(
        DomainEvent(
            topic=OBSERVATORY_TOPIC,
            kind=kind,
            payload={
                "registration_id": str(registration.id),
                "observatory_id": _text(registration.observatory_id),
            },
            organization_id=_text(registration.organization_id),
        )
    )


def _text(value: PydanticObjectId | None) -> str | None:
    return None if value is None else str(value)


async def may_review(user: User) -> bool:
    """Site admins, and members who may manage some organization's observatories; through an
    API key, only with its manage_observatories right (registrations carry contact e-mails)."""
    scope = user.key_scope
    if scope is not None and not organization_allows(
        scope, scope.organization_id, "manage_observatories"
    ):
        return False
    if user.is_site_admin:
        return True
    assert user.id is not None
    organizations = await Organization.find({"members.user_id": user.id}).to_list()
    if scope is not None:
        organizations = [o for o in organizations if o.id == scope.organization_id]
    manage = OrganizationPermission.MANAGE_OBSERVATORIES
    return any(organization_grants(o, user.id, manage)[1] for o in organizations)
