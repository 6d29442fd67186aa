"""The audit trail: every mutation of every entity, with who, when, before and after."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from beanie import Document, Indexed
from pydantic import Field

from domain.accounts.user import User, utcnow


class AuditEntry(Document):
    at: datetime = Field(default_factory=utcnow)
    actor: str  # "user:<id>", "observatory:<id>", "system" or "system:<what>"
    api_key_id: str | None = None  # the API key the user acted through, if any
    organization_id: str | None = None  # the entity's organization, kept for deleted entities
    entity: str
    entity_id: Annotated[str, Indexed()]
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    class Settings:
        name = "audit_trail"


class UsageEvent(Document):
    """Counted facts for the usage reports (who submitted what, where, when).

    `amount` is 1 for one occurrence; a fact taken back (a frame's acceptance withdrawn) is
    the same kind with `amount` -1 and negative sizes, so sums over a kind are net.
    """

    at: datetime = Field(default_factory=utcnow)
    kind: str
    organization_id: str
    project_id: str | None = None
    user_id: str | None = None
    observation_id: str | None = None
    observatory_id: str | None = None
    amount: float = 1.0
    size_bytes: int | None = None  # frames: the uploaded file
    exposure_seconds: float | None = None  # frames: the shutter-open time

    class Settings:
        name = "usage_events"
        indexes = ("organization_id", "kind")


def snapshot(document: Document, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The document as JSON values, without `exclude` (secrets and hashes never go in)."""
    dumped: dict[str, Any] = document.model_dump(mode="json", exclude={"revision_id", *exclude})
    return dumped


def actor_of(user: User) -> str:
    """How the audit trail and histories name a person: `user:<id>`."""
    return f"user:{user.id}"


async def record_audit(
    actor: str | User,
    entity: str,
    entity_id: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organization_id: str | None = None,
    api_key_id: str | None = None,
) -> None:
    """Append an entry; a `User` acting through an API key also names the key."""
    if isinstance(actor, User):
        scope = actor.key_scope
        if api_key_id is None and scope is not None and scope.key_id is not None:
            api_key_id = str(scope.key_id)
        actor = actor_of(actor)
    await AuditEntry(
        actor=actor,
        api_key_id=api_key_id,
        organization_id=organization_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
    ).insert()
