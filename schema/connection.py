"""Relay-style cursor connections shared by every list."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

import strawberry

MAX_PAGE = 100
NodeType = TypeVar("NodeType")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor_from: strawberry.Private[Callable[[], str] | None]

    @strawberry.field(description="The cursor of the page's last edge; null for an empty page.")  # type: ignore[untyped-decorator]
    def end_cursor(self) -> str | None:
        return self.end_cursor_from() if self.end_cursor_from is not None else None


@strawberry.type
class Edge(Generic[NodeType]):  # noqa: UP046 - strawberry resolves only typing.Generic
    node: NodeType
    # Encoded only when asked for: most pages are read without their edges' cursors.
    cursor_from: strawberry.Private[Callable[[], str]]

    @strawberry.field(description="Where this edge is in its list: pass it as `after`.")  # type: ignore[untyped-decorator]
    def cursor(self) -> str:
        return self.cursor_from()


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


type KeyPart = str | int | float | bool
"""One component of a sort key that a cursor carries (JSON scalars only)."""


def encode_key_cursor(key: Sequence[KeyPart]) -> str:
    """An opaque cursor holding the sort key of a list's last item seen."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_key_cursor(cursor: str) -> tuple[KeyPart, ...]:
    """The sort key in `cursor`; `InvalidCursor` when it holds none."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor(f"not a cursor of this list: {error}") from None
    if not isinstance(key, list) or not all(
        isinstance(part, str | int | float | bool) for part in key
    ):
        raise InvalidCursor("not a cursor of this list")
    return tuple(key)


def encode_cursor(created_at: datetime, object_id: str) -> str:
    return encode_key_cursor([created_at.isoformat(), object_id])


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    key = decode_key_cursor(cursor)
    try:
        created_at, object_id = key
        return datetime.fromisoformat(str(created_at)), str(object_id)
    except (ValueError, TypeError) as error:
        raise InvalidCursor(f"not a cursor of this list: {error}") from None
