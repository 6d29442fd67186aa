"""Events about the server itself (processes starting, engines coming back)."""

from __future__ import annotations

from domain.events import DomainEvent, EventBus

SYSTEM_TOPIC = "system"


async def announce_system_event(bus: EventBus, kind: str, message: str) -> DomainEvent:
    event = DomainEvent(topic=SYSTEM_TOPIC, kind=kind, payload={"message": message})
    await bus.publish(event)
    return event
