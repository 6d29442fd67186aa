"""Pipeline state of a frame in MongoDB: claiming, finishing and skipping steps, and events.

MongoDB is authoritative: a step runs only when it is claimed there (for the frame's current
generation), and what the next step is follows from the stored states alone. A lost Redis
queue therefore loses no work; the sweeper re-queues whatever is not finished.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from pymongo import ReturnDocument

from domain.accounts.user import utcnow
from domain.events import DomainEvent, EventBus
from domain.frames.frame import (
    FINISHED,
    FRAME_TOPIC,
    STEPS,
    Frame,
    FrameState,
    Step,
    StepStatus,
)

# A step needs these steps done (a failed or skipped dependency skips it).
DEPENDS_ON: dict[Step, tuple[Step, ...]] = {
    Step.INGEST: (),
    Step.QUALITY: (Step.INGEST,),
    Step.SOLVE: (Step.QUALITY,),
    Step.PREVIEW: (Step.INGEST,),
    Step.GRADE: (Step.QUALITY,),
}


def overall_state(frame: Frame) -> FrameState:
    if frame.steps.ingest.status is StepStatus.FAILED:
        return FrameState.FAILED
    if all(frame.steps.of(step).status in FINISHED for step in STEPS):
        return FrameState.DONE
    return FrameState.PROCESSING


async def publish_frame_event(bus: EventBus, frame: Frame, kind: str, *, step: Step | None) -> None:
    """Tell subscribers about a frame (topic `frame`, scoped to its organization)."""
    step_state = frame.steps.of(step) if step is not None else None
    await bus.publish(
        DomainEvent(
            topic=FRAME_TOPIC,
            kind=kind,
            payload={
                "frame_id": str(frame.id),
                "observation_id": str(frame.observation_id) if frame.observation_id else None,
                "project_id": str(frame.project_id) if frame.project_id else None,
                "step": step.value if step is not None else None,
                "status": step_state.status.value if step_state is not None else None,
                "error": step_state.error if step_state is not None else None,
                "state": frame.state.value,
            },
            organization_id=str(frame.organization_id),
        )
    )


def _collection() -> Any:
    return Frame.get_pymongo_collection()


async def _updated(query: dict[str, Any], update: dict[str, Any]) -> Frame | None:
    raw = await _collection().find_one_and_update(
        query, update, return_document=ReturnDocument.AFTER
    )
    return Frame.model_validate(raw) if raw is not None else None


async def claim_step(
    frame_id: str, generation: int, step: Step, bus: EventBus, *, reclaim_before: datetime
) -> Frame | None:
    """Mark `step` running; None when it is not to run.

    A pending step is claimed; a running one only when it started before `reclaim_before`
    (its worker died), so two jobs never run the same step at once.
    """
    frame = await Frame.get(PydanticObjectId(frame_id))
    if frame is None or frame.generation != generation or frame.current_step() is not step:
        return None
    now = utcnow()
    claimed = await _updated(
        {
            "_id": frame.id,
            "generation": generation,
            "$or": [
                {f"steps.{step.value}.status": StepStatus.PENDING.value},
                {
                    f"steps.{step.value}.status": StepStatus.RUNNING.value,
                    f"steps.{step.value}.started_at": {"$lt": reclaim_before},
                },
            ],
        },
        {
            "$set": {
                f"steps.{step.value}.status": StepStatus.RUNNING.value,
                f"steps.{step.value}.started_at": now,
                "updated_at": now,
            },
            "$inc": {f"steps.{step.value}.tries": 1},
        },
    )
    if claimed is not None:
        await publish_frame_event(bus, claimed, "step_changed", step=step)
    return claimed


async def retry_later(frame: Frame, step: Step, error: str) -> None:
    """Put a running step back to pending with the error of its last try."""
    await _collection().update_one(
        {"_id": frame.id, "generation": frame.generation},
        {
            "$set": {
                f"steps.{step.value}.status": StepStatus.PENDING.value,
                f"steps.{step.value}.error": error,
                "updated_at": utcnow(),
            }
        },
    )


async def finish_step(
    frame: Frame,
    step: Step,
    status: StepStatus,
    bus: EventBus,
    *,
    error: str | None = None,
    fields: dict[str, Any] | None = None,
) -> tuple[Frame, Step | None] | None:
    """Record a step's outcome (and its results), skip what can no longer run.

    Returns the frame and the next step to queue, or None when the frame was reprocessed
    meanwhile (the outcome belongs to an old generation and is dropped).
    """
    now = utcnow()
    changes: dict[str, Any] = {
        f"steps.{step.value}.status": status.value,
        f"steps.{step.value}.error": error,
        f"steps.{step.value}.finished_at": now,
        "updated_at": now,
        **(fields or {}),
    }
    updated = await _updated({"_id": frame.id, "generation": frame.generation}, {"$set": changes})
    if updated is None:
        return None
    await publish_frame_event(bus, updated, "step_changed", step=step)
    return await advance(updated, bus)


async def advance(frame: Frame, bus: EventBus) -> tuple[Frame, Step | None]:
    """Skip pending steps whose dependencies did not succeed; return the next to run."""
    while True:
        step = frame.current_step()
        if step is None:
            break
        blocked = [d for d in DEPENDS_ON[step] if frame.steps.of(d).status is not StepStatus.DONE]
        if not blocked:
            break
        now = utcnow()
        reason = f"needs the {blocked[0].value} step, which {frame.steps.of(blocked[0]).status}"
        skipped = await _updated(
            {"_id": frame.id, "generation": frame.generation},
            {
                "$set": {
                    f"steps.{step.value}.status": StepStatus.SKIPPED.value,
                    f"steps.{step.value}.error": reason,
                    f"steps.{step.value}.finished_at": now,
                    "updated_at": now,
                }
            },
        )
        if skipped is None:
            return frame, None
        frame = skipped
        await publish_frame_event(bus, frame, "step_changed", step=step)
    state = overall_state(frame)
    if state is not frame.state:
        changed = await _updated(
            {"_id": frame.id, "generation": frame.generation}, {"$set": {"state": state.value}}
        )
        if changed is not None:
            frame = changed
            await publish_frame_event(bus, frame, "state_changed", step=None)
    return frame, frame.current_step()


async def restart(frame: Frame, bus: EventBus) -> Frame:
    """Start the pipeline over from ingest under a new generation (old jobs become no-ops)."""
    now = utcnow()
    fresh = {"status": StepStatus.PENDING.value, "error": None, "tries": 0}
    updated = await _updated(
        {"_id": frame.id},
        {
            "$set": {
                "state": FrameState.PROCESSING.value,
                "updated_at": now,
                **{f"steps.{s.value}": fresh for s in STEPS},
            },
            "$inc": {"generation": 1},
        },
    )
    if updated is None:
        return frame
    await publish_frame_event(bus, updated, "state_changed", step=None)
    return updated


async def stuck_frames(
    idle_before: datetime, running_before: datetime, limit: int = 500
) -> list[Frame]:
    """Frames still processing whose state has not moved since `idle_before`.

    A step that is running counts only once it started before `running_before` (longer than
    any job may run), so a slow solve is never run twice at once.
    """
    found = Frame.find({"state": FrameState.PROCESSING.value, "updated_at": {"$lt": idle_before}})
    stuck: list[Frame] = []
    for frame in await found.sort("updated_at").limit(limit).to_list():
        step = frame.current_step()
        state = frame.steps.of(step) if step is not None else None
        recent = state is not None and (state.started_at or running_before) >= running_before
        if state is not None and state.status is StepStatus.RUNNING and recent:
            continue
        stuck.append(frame)
    return stuck


async def mark_swept(frame: Frame) -> Frame | None:
    """Count a sweep (its number makes the re-queued job's id unique) and touch the frame."""
    return await _updated(
        {"_id": frame.id, "generation": frame.generation, "updated_at": frame.updated_at},
        {"$inc": {"sweeps": 1}, "$set": {"updated_at": utcnow()}},
    )


def stale_before(seconds: int) -> datetime:
    return utcnow() - timedelta(seconds=seconds)
