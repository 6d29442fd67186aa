"""The DispatchRecord document: each assignment the engine made, with its reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from domain.accounts.user import utcnow


class DispatchRecord(Document):
    """One claimed run: what, where, from when until when, and the score that chose it.

    The running observation's record gives the core its ``RunningWork`` (start, until,
    pointing); recent records give each project's observing time for the fairness score.
    """

    observatory_id: Annotated[PydanticObjectId, Indexed()]
    observation_id: Annotated[PydanticObjectId, Indexed()]
    project_id: PydanticObjectId
    start: datetime
    until: datetime
    priority: int
    fixed_time: bool
    time_critical: bool
    ra_deg: float
    dec_deg: float
    score: dict[str, float] = Field(default_factory=dict)
    preempted_observation_id: PydanticObjectId | None = None
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "dispatch_records"
        indexes = ([("observatory_id", 1), ("start", -1)],)
