"""Server identity and operator-facing system events."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.events import DomainEvent
from schema.global_ids import global_id


@strawberry.type(description="Who answers: name, version and mode of this server.")
class ServerInfo:
    name: str
    version: str
    environment: str
    started_at: datetime


@strawberry.type(description="Something that happened to the server itself.")
class SystemEvent:
    id: strawberry.ID
    kind: str
    message: str
    occurred_at: datetime

    @classmethod
    def from_event(cls, event: DomainEvent) -> SystemEvent:
        return cls(
            id=global_id("SystemEvent", event.id),
            kind=event.kind,
            message=str(event.payload.get("message", "")),
            occurred_at=event.occurred_at,
        )
