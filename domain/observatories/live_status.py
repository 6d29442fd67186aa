"""An observatory's live status: its plugin link, what it reports, and what it is running.

One `ObservatoryLiveStatus` document per observatory, written by whichever API replica serves
its plugin, so every replica (and the heartbeat sweep) reads the same last-seen time. Each
change is published on the `observatory` topic for the `observatoryEvents` subscription.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ReturnDocument

from domain.accounts.user import utcnow
from domain.events import DomainEvent, EventBus
from domain.observatories.observatory import Observatory

OBSERVATORY_TOPIC = "observatory"


class RunProgress(BaseModel):
    phase: str
    target_index: int = 0
    frames_captured: int = 0
    percent: float = 0.0
    time_remaining_s: float | None = None
    message: str = ""
    at: datetime = Field(default_factory=utcnow)


class ObservatoryLiveStatus(Document):
    observatory_id: Annotated[PydanticObjectId, Indexed(unique=True)]
    organization_id: PydanticObjectId
    connected: bool = False
    session_id: str | None = None
    last_seen: datetime | None = None
    offline_since: datetime | None = None
    offline_reason: str | None = None
    interrupted_at: datetime | None = None
    fingerprint: str | None = None
    plugin_version: str | None = None
    host_software: str | None = None
    clock_offset_s: float | None = None
    operational_state: str | None = None
    safety: str | None = None
    operations_enabled: bool | None = None
    devices: dict[str, Any] = Field(default_factory=dict)
    equipment: dict[str, Any] | None = None
    telemetry: dict[str, Any] = Field(default_factory=dict)
    current_assignment_id: PydanticObjectId | None = None
    current_observation_id: PydanticObjectId | None = None
    captured_sequences: list[int] = Field(default_factory=list)
    progress: RunProgress | None = None
    # A rotated key waiting for the plugin's ack (the secret is erased once acked).
    pending_key_prefix: str | None = None
    pending_key_hash: str | None = None
    pending_key_secret: str | None = None
    retired_key_prefixes: list[str] = Field(default_factory=list)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "observatory_live_status"
        indexes = ("pending_key_prefix", "retired_key_prefixes")


async def live_status_of(observatory_id: PydanticObjectId) -> ObservatoryLiveStatus | None:
    return await ObservatoryLiveStatus.find_one(
        ObservatoryLiveStatus.observatory_id == observatory_id
    )


async def update_live_status(
    observatory: Observatory, changes: dict[str, Any], *, push: dict[str, Any] | None = None
) -> ObservatoryLiveStatus:
    """Set `changes` on the observatory's live status (created on first use); return it."""
    assert observatory.id is not None
    update: dict[str, Any] = {
        "$set": {**changes, "updated_at": utcnow()},
        "$setOnInsert": {"organization_id": observatory.organization_id},
    }
    if push:
        update["$addToSet"] = push
    raw = await ObservatoryLiveStatus.get_pymongo_collection().find_one_and_update(
        {"observatory_id": observatory.id},
        update,
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    status: ObservatoryLiveStatus = ObservatoryLiveStatus.model_validate(raw)
    return status


async def change_live_status(
    observatory_id: PydanticObjectId,
    changes: dict[str, Any],
    *,
    push: dict[str, Any] | None = None,
) -> ObservatoryLiveStatus | None:
    """Like `update_live_status` for a status that exists (None when it does not)."""
    update: dict[str, Any] = {"$set": {**changes, "updated_at": utcnow()}}
    if push:
        update["$addToSet"] = push
    raw = await ObservatoryLiveStatus.get_pymongo_collection().find_one_and_update(
        {"observatory_id": observatory_id}, update, return_document=ReturnDocument.AFTER
    )
    return None if raw is None else ObservatoryLiveStatus.model_validate(raw)


async def swap_live_status(
    observatory_id: PydanticObjectId, changes: dict[str, Any]
) -> tuple[ObservatoryLiveStatus | None, ObservatoryLiveStatus | None]:
    """Like `change_live_status` in one write, returning the status before and after
    (both None when there is none)."""
    at = utcnow()
    raw = await ObservatoryLiveStatus.get_pymongo_collection().find_one_and_update(
        {"observatory_id": observatory_id},
        {"$set": {**changes, "updated_at": at}},
        return_document=ReturnDocument.BEFORE,
    )
    if raw is None:
        return None, None
    before = ObservatoryLiveStatus.model_validate(raw)
    return before, ObservatoryLiveStatus.model_validate(raw | changes | {"updated_at": at})


async def release_run(
    observatory_id: PydanticObjectId, assignment_id: PydanticObjectId
) -> ObservatoryLiveStatus | None:
    """The observatory no longer holds the run `assignment_id`: clear it (None when it held
    another, or nothing)."""
    raw = await ObservatoryLiveStatus.get_pymongo_collection().find_one_and_update(
        {"observatory_id": observatory_id, "current_assignment_id": assignment_id},
        {
            "$set": {
                "current_assignment_id": None,
                "current_observation_id": None,
                "progress": None,
                "updated_at": utcnow(),
            }
        },
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else ObservatoryLiveStatus.model_validate(raw)


async def record_progress(
    observatory_id: PydanticObjectId,
    assignment_id: PydanticObjectId,
    progress: RunProgress,
    seen: datetime | None = None,
) -> ObservatoryLiveStatus | None:
    """Store progress of the run the observatory holds (and `seen` as its last sign of
    life); None when it holds another."""
    changes: dict[str, Any] = {"progress": progress.model_dump(), "updated_at": utcnow()}
    if seen is not None:
        changes["last_seen"] = seen
    raw = await ObservatoryLiveStatus.get_pymongo_collection().find_one_and_update(
        {"observatory_id": observatory_id, "current_assignment_id": assignment_id},
        {"$set": changes},
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else ObservatoryLiveStatus.model_validate(raw)


async def publish_live_status(
    bus: EventBus, status: ObservatoryLiveStatus, kind: str, detail: str = ""
) -> None:
    """Tell subscribers what changed (`connection`, `status`, `progress`, `assignment`)."""
    progress = status.progress
    await bus.publish(
        DomainEvent(
            topic=OBSERVATORY_TOPIC,
            kind=kind,
            payload={
                "observatory_id": str(status.observatory_id),
                "connected": status.connected,
                "operational_state": status.operational_state,
                "safety": status.safety,
                "current_observation_id": _text(status.current_observation_id),
                "current_assignment_id": _text(status.current_assignment_id),
                "progress_percent": progress.percent if progress else None,
                "progress_phase": progress.phase if progress else None,
                "frames_captured": progress.frames_captured if progress else None,
                "detail": detail,
            },
            organization_id=str(status.organization_id),
        )
    )


def _text(value: PydanticObjectId | None) -> str | None:
    return None if value is None else str(value)


async def touch_live_status(observatory_id: PydanticObjectId, seen: datetime) -> None:
    """Record a sign of life (throttled by the caller); every replica reads it."""
    await ObservatoryLiveStatus.get_pymongo_collection().update_one(
        {"observatory_id": observatory_id, "last_seen": {"$lt": seen}},
        {"$set": {"last_seen": seen}},
    )
