"""The arq worker: its jobs, its Redis and its heartbeat."""

from __future__ import annotations

import logging
import os
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker, func

from science_scheduler.services import close_services, open_services
from science_scheduler.settings import Settings
from workers.jobs.diagnostics import echo_job
from workers.jobs.pipeline import pipeline_cron_jobs, pipeline_functions
from workers.queue import HEALTH_CHECK_KEY as HEALTH_CHECK_KEY
from workers.queue import QUEUE_NAME as QUEUE_NAME

log = logging.getLogger(__name__)

_ALIVE_TTL_S = 60


def worker_alive_key(pid: int) -> str:
    """Set by a worker once it can take jobs; lets a supervisor know this pid is ready."""
    return f"ss:worker:{pid}:alive"


async def _on_startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    services = await open_services(settings)
    ctx["services"] = services
    await services.redis.set(worker_alive_key(os.getpid()), "1", ex=_ALIVE_TTL_S)
    log.info("worker started")


async def _on_shutdown(ctx: dict[str, Any]) -> None:
    services = ctx.get("services")
    if services is not None:
        await close_services(services)


def build_worker(settings: Settings, *, burst: bool = False) -> Worker:
    """A worker wired to the settings' Redis; heartbeat every `worker_heartbeat_seconds`."""
    assert settings.redis_url is not None
    return Worker(
        functions=[func(echo_job, name="echo"), *pipeline_functions()],
        cron_jobs=pipeline_cron_jobs(settings),
        queue_name=QUEUE_NAME,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=_on_startup,
        on_shutdown=_on_shutdown,
        ctx={"settings": settings},
        health_check_interval=settings.worker_heartbeat_seconds,
        health_check_key=HEALTH_CHECK_KEY,
        burst=burst,
        max_tries=5,
        poll_delay=0.2,
        handle_signals=True,
    )
