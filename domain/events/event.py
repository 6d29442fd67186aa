"""A domain event: something that happened, told to whoever listens."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """An immutable fact. `topic` routes it; `organization_id` scopes who may see it."""

    topic: str
    kind: str
    payload: dict[str, Any]
    organization_id: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: datetime = field(default_factory=_now)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "topic": self.topic,
                "kind": self.kind,
                "organization_id": self.organization_id,
                "occurred_at": self.occurred_at.isoformat(),
                "payload": self.payload,
            },
            separators=(",", ":"),
            default=str,
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> DomainEvent:
        data = json.loads(raw)
        return cls(
            topic=data["topic"],
            kind=data["kind"],
            payload=data["payload"],
            organization_id=data["organization_id"],
            id=data["id"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
        )
