"""Finding an observatory on behalf of a user, checked against their permissions."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import ObservatoryPermission
from domain.access.resolve import observatory_permissions
from domain.accounts.user import User
from domain.errors import Forbidden, NotFound
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization


def may_view(user: User, observatory: Observatory, organization: Organization | None) -> bool:
    """Whether `user` may see `observatory` (VIEW by any path; `organization` is its owner)."""
    return ObservatoryPermission.VIEW in observatory_permissions(user, observatory, organization)


async def observatory_for(
    user: User, observatory_id: str, needed: ObservatoryPermission
) -> Observatory:
    """The observatory if `user` holds `needed` on it; NotFound when it is invisible to them."""
    observatory = (
        await Observatory.get(PydanticObjectId(observatory_id))
        if PydanticObjectId.is_valid(observatory_id)
        else None
    )
    if observatory is None:
        raise NotFound("observatory", observatory_id)
    organization = await Organization.get(observatory.organization_id)
    granted = observatory_permissions(user, observatory, organization)
    if ObservatoryPermission.VIEW not in granted:
        raise NotFound("observatory", observatory_id)
    if needed not in granted:
        raise Forbidden(f"you need the {needed.value} permission on observatory {observatory.code}")
    return observatory
