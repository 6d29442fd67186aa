"""The User document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field, PrivateAttr


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class KeyScope:
    """An API key acting for its creator: only in one organization, only with these rights.

    `permissions` holds ApiKeyPermission values ("read", "write", "manage_projects", ...);
    `key_id` names the key, for the audit trail.
    """

    organization_id: PydanticObjectId
    permissions: frozenset[str]
    key_id: PydanticObjectId | None = None


class User(Document):
    email: Annotated[str, Indexed(unique=True)]
    password_hash: str
    full_name: str = ""
    is_site_admin: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    _key_scope: KeyScope | None = PrivateAttr(default=None)

    class Settings:
        name = "users"

    @property
    def key_scope(self) -> KeyScope | None:
        """Set when this user acts through an API key; never stored."""
        return self._key_scope

    def acting_through(self, scope: KeyScope) -> User:
        """A copy of this user whose every permission is capped by an API key's scope."""
        copy: User = self.model_copy()
        copy._key_scope = scope
        return copy


def normalise_email(email: str) -> str:
    return email.strip().lower()
