"""Creating and reading organizations."""

from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError

from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, FieldProblem, ValidationFailed
from domain.events import DomainEvent, EventBus
from domain.organizations.organization import Organization, OrganizationMember, OrganizationType

ORGANIZATION_TOPIC = "organization"
_SHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


def _validate(name: str, short_name: str) -> list[FieldProblem]:
    problems = []
    if not 1 <= len(name.strip()) <= 200:
        problems.append(FieldProblem(("name",), "must be 1 to 200 characters"))
    if not _SHORT_NAME.match(short_name):
        problems.append(
            FieldProblem(
                ("shortName",),
                "must be 3 to 40 lowercase letters, digits or hyphens, "
                "starting and ending with a letter or digit",
            )
        )
    return problems


async def create_organization(
    actor: User,
    bus: EventBus,
    *,
    name: str,
    short_name: str,
    type: OrganizationType = OrganizationType.OTHER,
    description: str = "",
) -> Organization:
    """Create an organization owned by `actor`; audited; publish `organization.created`."""
    problems = _validate(name, short_name)
    if problems:
        raise ValidationFailed(problems)
    assert actor.id is not None
    organization = Organization(
        name=name.strip(),
        short_name=short_name,
        type=type,
        description=description,
        members=[OrganizationMember(user_id=actor.id, is_owner=True, added_by=actor.id)],
    )
    try:
        await organization.insert()
    except DuplicateKeyError:
        raise Conflict(f"an organization with short name {short_name!r} exists") from None
    await record_audit(
        actor,
        "organization",
        str(organization.id),
        "create",
        after=snapshot(organization),
        organization_id=str(organization.id),
    )
    await bus.publish(
        DomainEvent(
            topic=ORGANIZATION_TOPIC,
            kind="created",
            payload={"organization_id": str(organization.id), "by": str(actor.id)},
            organization_id=str(organization.id),
        )
    )
    return organization


async def organizations_of(user: User) -> list[Organization]:
    if user.key_scope is not None:
        scoped = await Organization.get(user.key_scope.organization_id)
        return [scoped] if scoped is not None else []
    if user.is_site_admin:
        return await Organization.find_all().sort("name").to_list()
    return await Organization.find({"members.user_id": user.id}).sort("name").to_list()
