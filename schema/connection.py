"""Relay-style cursor connections shared by every list."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

import strawberry

MAX_PAGE = 100
NodeType = TypeVar("NodeType")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):  # noqa: UP046 - strawberry resolves only typing.Generic
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):  # noqa: UP046
    edges: list[Edge[NodeType]]
    page_info: PageInfo
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many match the filter (counted only when asked for).")  # type: ignore[untyped-decorator]
    async def total_count(self) -> int:
        return await self.count_all()


class InvalidCursor(ValueError):
    pass


def encode_cursor(created_at: datetime, object_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), object_id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, object_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(created_at), str(object_id)
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor(f"not a cursor of this list: {error}") from None
