"""A minimal graphql-transport-ws client and HTTP helper for tests that talk to a real server."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets


async def graphql_http(
    base_url: str, query: str, *, token: str | None = None, **variables: object
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body: dict[str, Any] = response.json()
    return body


class Subscription:
    def __init__(self, socket: websockets.ClientConnection, operation_id: str) -> None:
        self._socket, self.operation_id = socket, operation_id

    async def next_message(self) -> dict[str, Any]:
        """The next `next`/`error`/`complete` message of this operation (pings answered)."""
        while True:
            message: dict[str, Any] = json.loads(await self._socket.recv())
            if message["type"] == "ping":
                await self._socket.send(json.dumps({"type": "pong"}))
                continue
            if message.get("id") == self.operation_id:
                return message


@asynccontextmanager
async def subscription(
    ws_url: str, query: str, *, token: str | None = None, **variables: object
) -> AsyncIterator[Subscription]:
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await socket.recv())
        assert ack["type"] == "connection_ack", ack
        operation_id = uuid.uuid4().hex
        await socket.send(
            json.dumps(
                {
                    "id": operation_id,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield Subscription(socket, operation_id)


def as_lists(value: Any) -> Any:
    """`value` with each connection read as just `{ edges { node { ... } } }` turned into the
    list of its nodes, so that a test can compare it with plain lists."""
    if isinstance(value, dict):
        if set(value) == {"edges"}:
            return [as_lists(edge["node"]) for edge in value["edges"]]
        return {key: as_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_lists(item) for item in value]
    return value
