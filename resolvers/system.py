"""Thin resolvers for server identity and system events."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from importlib.metadata import version

from graphql import GraphQLError

from domain.events import DomainEvent
from domain.system_events import SYSTEM_TOPIC
from schema.context import Info
from schema.system import ServerInfo, SystemEvent

_STARTED_AT = datetime.now(UTC)


def resolve_server_info(info: Info) -> ServerInfo:
    return ServerInfo(
        name="Science Scheduler",
        version=version("science-scheduler"),
        environment=info.context.services.settings.environment,
        started_at=_STARTED_AT,
    )


async def subscribe_system_events(info: Info) -> AsyncGenerator[SystemEvent]:
    viewer = await info.context.require_viewer()
    if not viewer.is_site_admin:
        raise GraphQLError(
            "system events are for site administrators", extensions={"code": "FORBIDDEN"}
        )
    events: AsyncIterator[DomainEvent] = info.context.services.events.subscribe({SYSTEM_TOPIC})
    async for event in events:
        yield SystemEvent.from_event(event)
