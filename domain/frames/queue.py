"""The port through which the domain asks for pipeline steps to run (arq in workers/queue.py)."""

from __future__ import annotations

from typing import Protocol

from domain.frames.frame import Frame, Step


class StepQueue(Protocol):
    async def enqueue(
        self, frame: Frame, step: Step, *, defer_s: float = 0.0, attempt: str = ""
    ) -> None:
        """Queue `step` of `frame` (its current generation); `attempt` makes the job id unique."""
        ...
