"""`/plugin/ws`: negotiate the subprotocol, then hand the socket to a `Connection`."""

from __future__ import annotations

import uuid

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from plugin_bridge import messages as m
from plugin_bridge.adapter.connection import Connection, utc_now
from plugin_bridge.adapter.hub import BridgeHub
from plugin_bridge.core.session import PluginSession
from plugin_bridge.storage.dedup import MongoDedupStore

PLUGIN_PATH = "/plugin/ws"


def _ids() -> str:
    return uuid.uuid4().hex


def plugin_route(hub: BridgeHub) -> WebSocketRoute:
    """The plugin endpoint bound to the process's hub."""
    dedup = MongoDedupStore()

    async def plugin_socket(socket: WebSocket) -> None:
        offered = socket.scope.get("subprotocols") or []
        chosen = m.select_subprotocol(offered)
        await socket.accept(subprotocol=chosen)
        session = PluginSession(
            config=hub.config, dedup=dedup, outbox=hub.outbox, new_id=_ids, now=utc_now()
        )
        await Connection(socket, session, hub, utc_now).run(chosen)

    return WebSocketRoute(PLUGIN_PATH, plugin_socket)
