"""Who is acting: a signed-in person, or an API key acting for its creator in one organization."""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts.api_keys import ApiKey, ApiKeyPermission, held_permissions
from domain.accounts.user import User
from domain.organizations.organization import Organization


def _with_implied(permissions: set[ApiKeyPermission]) -> set[ApiKeyPermission]:
    # Every permission lets the key see what it works on.
    return permissions | {ApiKeyPermission.READ} if permissions else set()


@dataclass(frozen=True)
class Principal:
    user: User
    api_key: ApiKey | None = None

    @property
    def is_api_key(self) -> bool:
        return self.api_key is not None

    def permissions_in(self, organization: Organization) -> set[ApiKeyPermission]:
        """What this principal may do in `organization` now.

        A person holds what their membership grants; a key holds what it was given, only in
        its own organization, and never more than its creator holds at this moment.
        """
        held = held_permissions(self.user, organization)
        if self.api_key is None:
            return held
        if self.api_key.organization_id != organization.id:
            return set()
        return _with_implied(self.api_key.permissions) & held

    def may(self, organization: Organization, permission: ApiKeyPermission) -> bool:
        return permission in self.permissions_in(organization)
