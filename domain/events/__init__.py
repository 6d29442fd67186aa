"""Domain events and the bus that carries them between processes."""

from domain.events.bus import EventBus, SubscriberTooSlow
from domain.events.event import DomainEvent

__all__ = ["DomainEvent", "EventBus", "SubscriberTooSlow"]
