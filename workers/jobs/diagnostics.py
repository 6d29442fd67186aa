"""Jobs that prove the queue works end to end."""

from __future__ import annotations

import os
from typing import Any


async def echo_job(ctx: dict[str, Any], payload: str) -> dict[str, object]:
    """Return the payload with the worker's pid: a round trip through Redis and a worker."""
    return {"payload": payload, "worker_pid": os.getpid(), "job_try": ctx.get("job_try")}
