"""Keyset pagination for every connection.

`paginate` pages a MongoDB query by (created_at, _id); `paginate_sorted` pages a small list
already in memory (typically filtered by permissions) by a sort key of its own. Either way a
cursor holds the sort key of the last item seen, not an offset, so a page does not shift when
an earlier item goes away.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from beanie import Document, PydanticObjectId, SortDirection
from graphql import GraphQLError

from schema.connection import (
    MAX_PAGE,
    Connection,
    Edge,
    InvalidCursor,
    KeyPart,
    PageInfo,
    decode_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def id(self) -> PydanticObjectId | None: ...


def by_name(item: _Named) -> tuple[str, str]:
    """The order of lists by name: name, then id (names need not be unique)."""
    return item.name, str(item.id)


class _Dated(Protocol):
    id: PydanticObjectId | None
    created_at: datetime


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_INPUT"})


def _check_first(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise _bad_input(f"first must be from 0 to {MAX_PAGE}")


def epoch_millis(moment: datetime) -> int:
    """`moment` (naive means UTC) in whole milliseconds, MongoDB's precision, for sort keys."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(milliseconds=1)


async def paginate[DocumentType: Document, Node](
    model: type[DocumentType],
    query: dict[str, Any],
    *,
    first: int,
    after: str | None,
    newest_first: bool,
    to_node: Callable[[DocumentType], Node],
) -> Connection[Node]:
    """One page of `model` matching `query`, ordered by creation time then id."""
    _check_first(first)
    page_query = dict(query)
    beyond = "$lt" if newest_first else "$gt"
    if after is not None:
        try:
            created_at, last_id = decode_cursor(after)
        except InvalidCursor as error:
            raise _bad_input(str(error)) from None
        if not PydanticObjectId.is_valid(last_id):
            raise _bad_input("not a cursor of this list")
        page_query["$or"] = [
            {"created_at": {beyond: created_at}},
            {"created_at": created_at, "_id": {beyond: PydanticObjectId(last_id)}},
        ]
    direction = SortDirection.DESCENDING if newest_first else SortDirection.ASCENDING
    found = (
        await model.find(page_query)
        .sort([("created_at", direction), ("_id", direction)])
        .limit(first + 1)
        .to_list()
    )

    def cursor_of(document: DocumentType) -> str:
        dated: _Dated = document
        return encode_cursor(dated.created_at, str(dated.id))

    edges = [Edge(node=to_node(d), cursor_from=partial(cursor_of, d)) for d in found[:first]]

    async def count_all() -> int:
        if not query:  # everything: the collection's own count, no scan
            return await model.get_pymongo_collection().estimated_document_count()
        return await model.find(query).count()

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > first,
            end_cursor_from=edges[-1].cursor_from if edges else None,
        ),
        count_all=count_all,
    )


async def paginate_keyset[Item, Node](
    fetch: Callable[[tuple[KeyPart, ...] | None, int], Awaitable[Sequence[Item]]],
    count_all: Callable[[], Awaitable[int]],
    *,
    key: Callable[[Item], tuple[KeyPart, ...]],
    key_types: tuple[type, ...],
    first: int,
    after: str | None,
    to_node: Callable[[Item], Node],
) -> Connection[Node]:
    """One page of a query with an order of its own: `fetch(after_key, limit)` returns up to
    `limit` items in ascending `key` order, those whose key is greater than `after_key`."""
    _check_first(first)
    last = _cursor_key(after, key_types) if after is not None else None
    found = list(await fetch(last, first + 1))
    edges = [
        Edge(node=to_node(item), cursor_from=partial(encode_key_cursor, key(item)))
        for item in found[:first]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > first,
            end_cursor_from=edges[-1].cursor_from if edges else None,
        ),
        count_all=count_all,
    )


def _cursor_key(after: str, key_types: tuple[type, ...] | None) -> tuple[KeyPart, ...]:
    """The key in cursor `after`, made of `key_types` (any JSON scalars when None)."""
    try:
        last = decode_key_cursor(after)
    except InvalidCursor as error:
        raise _bad_input(str(error)) from None
    if key_types is not None and (
        len(last) != len(key_types)
        or any(type(part) is not wanted for part, wanted in zip(last, key_types, strict=False))
    ):
        raise _bad_input("not a cursor of this list")
    return last


def paginate_sorted[Item, Node](
    items: Iterable[Item],
    *,
    key: Callable[[Item], tuple[KeyPart, ...]],
    first: int,
    after: str | None,
    to_node: Callable[[Item], Node],
) -> Connection[Node]:
    """One page of `items` in ascending `key` order, for lists small enough to hold in memory.

    `key` must be unique per item (end it with the id) and made of JSON scalars of the same
    types for every item; the cursor holds the key of the page's last item.
    """
    _check_first(first)
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    start = 0
    if after is not None:
        like = keyed[0][0] if keyed else None
        last = _cursor_key(after, tuple(type(part) for part in like) if like else None)
        start = bisect_right([k for k, _ in keyed], last)
    page = keyed[start : start + first]
    edges = [
        Edge(node=to_node(item), cursor_from=partial(encode_key_cursor, k)) for k, item in page
    ]

    async def count_all() -> int:
        return len(keyed)

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < len(keyed),
            end_cursor_from=edges[-1].cursor_from if edges else None,
        ),
        count_all=count_all,
    )
