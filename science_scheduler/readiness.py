"""`/readyz`: is every engine this process depends on answering, and is a worker alive?"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from science_scheduler.process_status import SUPERVISOR_STATUS_ENV, read_unhealthy_children
from science_scheduler.services import Services
from workers.queue import HEALTH_CHECK_KEY

_CHECK_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    latency_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "status": "ok" if self.ok else "error",
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.error is not None:
            body["error"] = self.error
        return body


async def _timed(check: Callable[[], Awaitable[None]]) -> CheckResult:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout=_CHECK_TIMEOUT_S)
    except TimeoutError:
        return CheckResult(False, (time.perf_counter() - started) * 1000, "timed out")
    except Exception as error:  # any failure of an engine is a readiness failure
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return CheckResult(False, (time.perf_counter() - started) * 1000, message[:200])
    return CheckResult(True, (time.perf_counter() - started) * 1000)


async def check_readiness(services: Services) -> dict[str, CheckResult]:
    async def mongodb() -> None:
        await services.mongo.admin.command("ping")

    async def redis() -> None:
        await services.redis.ping()

    async def object_store() -> None:
        await services.objects.check()

    async def worker() -> None:
        if not await services.redis.exists(HEALTH_CHECK_KEY):
            interval = services.settings.worker_heartbeat_seconds
            raise RuntimeError(f"no worker heartbeat in the last {interval + 1} s")

    async def processes() -> None:
        unhealthy = read_unhealthy_children()
        if unhealthy:
            raise RuntimeError(", ".join(unhealthy))

    checks = {"mongodb": mongodb, "redis": redis, "object_store": object_store, "worker": worker}
    if os.environ.get(SUPERVISOR_STATUS_ENV):
        checks["processes"] = processes
    results = await asyncio.gather(*(_timed(check) for check in checks.values()))
    return dict(zip(checks, results, strict=True))
