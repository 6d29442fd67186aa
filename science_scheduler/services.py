"""The engines one process talks to, opened from the settings and closed together."""

from __future__ import annotations

from dataclasses import dataclass

from beanie import init_beanie
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from domain.documents import DOCUMENT_MODELS
from domain.events import EventBus
from domain.storage.object_store import ObjectStore
from plugin_bridge.storage.documents import BRIDGE_DOCUMENT_MODELS
from science_scheduler.object_store_factory import build_object_store
from science_scheduler.settings import Settings

_SERVER_SELECTION_TIMEOUT_MS = 5000


class EngineNotConfigured(RuntimeError):
    """A process that needs an external engine was started without its URL."""


@dataclass
class Services:
    settings: Settings
    mongo: AsyncMongoClient[dict[str, object]]
    redis: Redis
    events: EventBus
    objects: ObjectStore


def require_engine_urls(settings: Settings) -> tuple[str, str]:
    if settings.mongodb_url is None or settings.redis_url is None:
        missing = "MONGODB_URL" if settings.mongodb_url is None else "REDIS_URL"
        raise EngineNotConfigured(
            f"setting {missing} is not set; fix: set it, or run `science-scheduler serve`, "
            "which starts the embedded engines"
        )
    return settings.mongodb_url, settings.redis_url


async def open_services(settings: Settings) -> Services:
    """Connect to MongoDB (initialising Beanie and its indexes), Redis and the object store."""
    mongodb_url, redis_url = require_engine_urls(settings)
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        mongodb_url, tz_aware=True, serverSelectionTimeoutMS=_SERVER_SELECTION_TIMEOUT_MS
    )
    await init_beanie(
        database=mongo[settings.mongodb_database],
        document_models=[*DOCUMENT_MODELS, *BRIDGE_DOCUMENT_MODELS],
    )
    redis = Redis.from_url(redis_url, socket_connect_timeout=2, retry_on_timeout=True)
    objects = build_object_store(settings)
    await objects.initialise()
    return Services(
        settings=settings, mongo=mongo, redis=redis, events=EventBus(redis), objects=objects
    )


async def close_services(services: Services) -> None:
    await services.objects.close()
    await services.events.close()
    await services.redis.aclose()
    await services.mongo.close()
