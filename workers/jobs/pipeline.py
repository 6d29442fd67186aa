"""The image pipeline's arq jobs: one per step, and the sweeper that re-drives stuck frames.

A job claims its step in MongoDB (for the frame's generation), runs it through
domain/frames/steps.py, records the outcome and queues the next step. Errors are retried with
exponential backoff; after STEP_MAX_TRIES tries the step ends `failed` with the reason, and
only that frame is affected.
"""

from __future__ import annotations

import logging
from typing import Any

from arq.cron import CronJob, cron
from arq.typing import WorkerCoroutine
from arq.worker import Function, Retry, func

from domain.frames import steps
from domain.frames.frame import Frame, Step, StepStatus
from domain.frames.processing import (
    advance,
    claim_step,
    finish_step,
    mark_swept,
    retry_later,
    stale_before,
    stuck_frames,
)
from domain.observations.observation import Observation
from domain.observatories.observatory import Observatory
from science_scheduler.services import Services
from science_scheduler.settings import Settings
from workers.queue import ArqStepQueue, step_job_name

log = logging.getLogger(__name__)

STEP_MAX_TRIES = 3
BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 60.0
STEP_TIMEOUT_S = 600.0  # arq's limit per job; the solve step's is shorter


def backoff_s(tries: int) -> float:
    """Seconds before try `tries + 1`: 1, 2, 4, ... up to a minute."""
    return float(min(BACKOFF_BASE_S * 2 ** (tries - 1), BACKOFF_MAX_S))


async def _context(frame: Frame) -> tuple[Observation | None, Observatory | None]:
    observation = (
        await Observation.get(frame.observation_id) if frame.observation_id is not None else None
    )
    observatory_id = frame.observatory_id or (
        observation.assigned_observatory_id if observation is not None else None
    )
    observatory = await Observatory.get(observatory_id) if observatory_id is not None else None
    return observation, observatory


async def _perform(step: Step, frame: Frame, services: Services) -> steps.Outcome:
    if step is Step.INGEST:
        return await steps.ingest(frame, services.objects)
    if step is Step.PREVIEW:
        return await steps.preview(frame, services.objects)
    observation, observatory = await _context(frame)
    if step is Step.QUALITY:
        return await steps.quality(frame, services.objects, observatory)
    if step is Step.SOLVE:
        return await steps.solve(frame, observation, observatory)
    return await steps.grade(frame, observation)


async def run_step(ctx: dict[str, Any], frame_id: str, generation: int, step: Step) -> str:
    """Run one step of one frame if it is due; returns what happened (for arq's result)."""
    services: Services = ctx["services"]
    frame = await claim_step(
        frame_id,
        generation,
        step,
        services.events,
        reclaim_before=stale_before(int(STEP_TIMEOUT_S)),
    )
    if frame is None:
        return "not due"
    try:
        outcome = await _perform(step, frame, services)
    except steps.StepFailed as error:
        outcome = steps.Outcome(StepStatus.FAILED, error=str(error))
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        tries = frame.steps.of(step).tries
        if tries < STEP_MAX_TRIES:
            log.warning("frame %s %s try %d failed: %s; retrying", frame_id, step, tries, reason)
            await retry_later(frame, step, reason)
            raise Retry(defer=backoff_s(tries)) from error
        log.exception("frame %s %s failed after %d tries", frame_id, step, tries)
        outcome = steps.Outcome(StepStatus.FAILED, error=f"failed after {tries} tries: {reason}")
    finished = await finish_step(
        frame, step, outcome.status, services.events, error=outcome.error, fields=outcome.fields
    )
    if finished is not None and finished[1] is not None:
        await ArqStepQueue(services.redis).enqueue(finished[0], finished[1])
    return outcome.status.value


def step_job(step: Step) -> WorkerCoroutine:
    async def job(ctx: dict[str, Any], frame_id: str, generation: int) -> str:
        return await run_step(ctx, frame_id, generation, step)

    job.__qualname__ = job.__name__ = f"frame_{step.value}"
    return job


async def sweep_frames(ctx: dict[str, Any]) -> int:
    """Re-queue frames whose processing has not moved for `pipeline_stuck_seconds`."""
    services: Services = ctx["services"]
    queue = ArqStepQueue(services.redis)
    requeued = 0
    idle_s = services.settings.pipeline_stuck_seconds
    running_s = max(idle_s, STEP_TIMEOUT_S + 60)
    for frame in await stuck_frames(stale_before(idle_s), stale_before(int(running_s))):
        frame, step = await advance(frame, services.events)
        if step is None:
            continue
        swept = await mark_swept(frame)
        if swept is None:  # it moved meanwhile
            continue
        await queue.enqueue(swept, step, attempt=f"sweep{swept.sweeps}")
        log.info("re-queued frame %s at its %s step", swept.id, step.value)
        requeued += 1
    return requeued


def pipeline_functions() -> list[Function]:
    """The step jobs to register with the worker."""
    timeouts = {Step.SOLVE: steps.SOLVE_CPU_LIMIT_S * 2 + 120}
    return [
        func(
            step_job(step),
            name=step_job_name(step),
            timeout=timeouts.get(step, STEP_TIMEOUT_S),
            max_tries=STEP_MAX_TRIES + 2,
        )
        for step in Step
    ]


def pipeline_cron_jobs(settings: Settings) -> list[CronJob]:
    """The sweeper, every `pipeline_sweep_seconds` (at most once a minute per worker pace)."""
    interval = settings.pipeline_sweep_seconds
    if interval >= 60:
        return [
            cron(
                sweep_frames,
                name="sweep_frames",
                minute=set(range(0, 60, interval // 60)),
                second=0,
                unique=True,
            )
        ]
    return [
        cron(sweep_frames, name="sweep_frames", second=set(range(0, 60, interval)), unique=True)
    ]
