"""The arq queue every process shares, and the pipeline's StepQueue on top of it."""

from __future__ import annotations

from arq.connections import ArqRedis
from redis.asyncio import Redis

from domain.frames.frame import Frame, Step

QUEUE_NAME = "ss:queue"
HEALTH_CHECK_KEY = QUEUE_NAME + ":health-check"  # arq's worker heartbeat, read by /readyz


def step_job_name(step: Step) -> str:
    return f"frame_{step.value}"


def step_job_id(frame: Frame, step: Step, attempt: str = "") -> str:
    """One job per frame, generation and step; `attempt` tells re-queued ones apart."""
    suffix = f":{attempt}" if attempt else ""
    return f"frame:{frame.id}:g{frame.generation}:{step.value}{suffix}"


class ArqStepQueue:
    """Queues pipeline steps as arq jobs on QUEUE_NAME."""

    def __init__(self, redis: Redis) -> None:
        self._arq = ArqRedis(redis.connection_pool, default_queue_name=QUEUE_NAME)

    async def enqueue(
        self, frame: Frame, step: Step, *, defer_s: float = 0.0, attempt: str = ""
    ) -> None:
        await self._arq.enqueue_job(
            step_job_name(step),
            str(frame.id),
            frame.generation,
            _job_id=step_job_id(frame, step, attempt),
            _queue_name=QUEUE_NAME,
            _defer_by=defer_s or None,
        )
