"""The Reservation document: time an observatory is blocked for everyone (FEATURES.md §2.4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from domain.accounts.user import utcnow


class ReservationStatus(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Reservation(Document):
    observatory_id: Annotated[PydanticObjectId, Indexed()]
    title: str
    purpose: str
    contact: str
    start: datetime
    end: datetime
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "reservations"
        indexes = ([("observatory_id", 1), ("end", 1)],)

    @property
    def effective_end(self) -> datetime:
        """When the block ends: the cancellation time when cancelled early, else ``end``."""
        if self.cancelled_at is not None and self.cancelled_at < self.end:
            return max(self.cancelled_at, self.start)
        return self.end

    def status(self, now: datetime) -> ReservationStatus:
        if self.cancelled_at is not None and self.cancelled_at <= self.start:
            return ReservationStatus.CANCELLED
        if now < self.start:
            return ReservationStatus.SCHEDULED
        if now < self.effective_end:
            return ReservationStatus.ACTIVE
        if self.cancelled_at is not None and self.cancelled_at < self.end:
            return ReservationStatus.CANCELLED
        return ReservationStatus.COMPLETED
