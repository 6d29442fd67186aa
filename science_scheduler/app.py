"""The ASGI application: GraphQL, health, readiness and signed object downloads."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from domain import sealing
from domain.accounts.service import ensure_site_admin
from domain.dispatch.ephemeris_cache import EPHEMERIDES
from domain.dispatch.ephemeris_cache import warm_up as warm_up_ephemerides
from domain.storage.filesystem_store import FilesystemObjectStore
from domain.system_events import announce_system_event
from plugin_bridge.adapter.endpoint import plugin_route
from schema.context import GraphQLContext, NotAuthenticated
from schema.root import build_schema
from science_scheduler.body_limit import BodyLimitMiddleware
from science_scheduler.plugin_hub import build_hub
from science_scheduler.readiness import check_readiness
from science_scheduler.request_id import RequestIdMiddleware
from science_scheduler.routes.client_static import client_route
from science_scheduler.routes.object_downloads import object_download_route
from science_scheduler.routes.uploads import upload_route
from science_scheduler.services import Services, close_services, open_services
from science_scheduler.settings import Settings, load_settings

log = logging.getLogger(__name__)

GRAPHQL_MAX_BODY_BYTES = 256 * 1024  # a GraphQL document is text; uploads go elsewhere


class _GraphQLApp(GraphQL[GraphQLContext, None]):
    def __init__(self, services: Services) -> None:
        production = services.settings.environment == "production"
        super().__init__(
            build_schema(production=production),
            graphql_ide=None if production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            keep_alive=True,
            keep_alive_interval=15,
        )
        self._services = services

    def encode_json(self, data: object) -> str:
        # orjson: a page of 100 observations encodes in a tenth of json.dumps's time. Text, not
        # bytes: subscription messages must go out as WebSocket text frames.
        return orjson.dumps(data).decode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GraphQLContext:
        return GraphQLContext(request=request, services=self._services)

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        """Refuse a subscription socket whose connection_init carries a bad token."""
        try:
            await context.viewer()
        except NotAuthenticated as error:
            raise ConnectionRejectionError({"message": error.message}) from None
        return cast(UnsetType, UNSET)


async def _bootstrap_site_admin(settings: Settings) -> None:
    if settings.admin_email and settings.admin_password:
        await ensure_site_admin(settings.admin_email, settings.admin_password.get_secret_value())


async def _healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; engines are connected in the lifespan, before the first request."""
    settings = settings or load_settings()
    state: dict[str, Services] = {}

    async def readyz(_: Request) -> Response:
        results = await check_readiness(state["services"])
        ok = all(result.ok for result in results.values())
        body = {
            "status": "ok" if ok else "error",
            "checks": {name: result.as_json() for name, result in results.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sealing.configure(settings.resolved_secret_key())  # new plugin keys at rest
        services = await open_services(settings)
        state["services"] = services
        graphql = _GraphQLApp(services)
        app.router.routes.append(Route("/graphql", graphql, methods=["GET", "POST"]))
        app.router.routes.append(WebSocketRoute("/graphql", graphql))
        app.router.routes.append(upload_route(services))
        plugin_hub = build_hub(settings, services.events)
        app.router.routes.append(plugin_route(plugin_hub))
        if isinstance(services.objects, FilesystemObjectStore):
            app.router.routes.append(object_download_route(services.objects))
        app.router.routes.append(client_route(settings.client_dir))  # last: catch-all
        await services.events.wait_listening()
        await plugin_hub.start()
        await _bootstrap_site_admin(settings)
        await announce_system_event(
            services.events, "api_started", f"API process {os.getpid()} started"
        )
        log.info("api ready")
        # Astropy's first use costs 1-2 s: pay it now, off the loop, not in the first request.
        EPHEMERIDES.resize(settings.ephemeris_cache_entries)
        warming = asyncio.create_task(asyncio.to_thread(warm_up_ephemerides))
        try:
            yield
        finally:
            await warming
            await plugin_hub.stop()
            await close_services(services)

    routes: list[BaseRoute] = [
        Route("/healthz", _healthz),
        Route("/readyz", readyz),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=GRAPHQL_MAX_BODY_BYTES, paths=("/graphql",)),
        ],
    )
