"""Loading an organization for someone who needs a given organization permission."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.key_scope import organization_allows
from domain.accounts.user import User
from domain.errors import Forbidden, NotFound
from domain.organizations.organization import Organization, OrganizationPermission


async def organization_for(
    user: User, organization_id: str, needed: OrganizationPermission | None = None
) -> Organization:
    """The organization if `user` belongs to it (and holds `needed`); NotFound if invisible."""
    organization = (
        await Organization.get(PydanticObjectId(organization_id))
        if PydanticObjectId.is_valid(organization_id)
        else None
    )
    if organization is None:
        raise NotFound("organization", organization_id)
    assert organization.id is not None
    if not organization_allows(user.key_scope, organization.id, None):
        raise NotFound("organization", organization_id)
    if needed is not None and not organization_allows(
        user.key_scope, organization.id, needed.value
    ):
        raise Forbidden(f"this API key lacks {needed.value} in {organization.short_name}")
    if user.is_site_admin:
        return organization
    assert user.id is not None
    member = organization.member(user.id)
    if member is None:
        raise NotFound("organization", organization_id)
    if needed is not None and not (member.is_owner or needed in member.permissions):
        raise Forbidden(f"you need the {needed.value} permission in {organization.short_name}")
    return organization
