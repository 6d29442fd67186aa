"""The audit trail: every mutation of every entity, with who, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from beanie import Document, Indexed
from pydantic import Field

from domain.accounts.user import utcnow


class AuditEntry(Document):
    at: datetime = Field(default_factory=utcnow)
    actor: str
    entity: str
    entity_id: Annotated[str, Indexed()]
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    class Settings:
        name = "audit_trail"


class UsageEvent(Document):
    """Counted facts for the usage reports (who submitted what, where, when)."""

    at: datetime = Field(default_factory=utcnow)
    kind: str
    organization_id: str
    project_id: str | None = None
    user_id: str | None = None
    amount: float = 1.0

    class Settings:
        name = "usage_events"
        indexes = ("organization_id", "kind")


def snapshot(document: Document) -> dict[str, Any]:
    dumped: dict[str, Any] = document.model_dump(mode="json", exclude={"revision_id"})
    return dumped


async def record_audit(
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await AuditEntry(
        actor=actor, entity=entity, entity_id=entity_id, action=action, before=before, after=after
    ).insert()
