"""Keyset pagination by (created_at, _id) for every connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from beanie import Document, PydanticObjectId, SortDirection
from graphql import GraphQLError

from schema.connection import (
    MAX_PAGE,
    Connection,
    Edge,
    InvalidCursor,
    PageInfo,
    decode_cursor,
    encode_cursor,
)


class _Dated(Protocol):
    id: PydanticObjectId | None
    created_at: datetime


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_INPUT"})


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
    if not 0 <= first <= MAX_PAGE:
        raise _bad_input(f"first must be from 0 to {MAX_PAGE}")
    page_query = dict(query)
    beyond = "$lt" if newest_first else "$gt"
    if after is not None:
        try:
            created_at, last_id = decode_cursor(after)
        except InvalidCursor as error:
            raise _bad_input(str(error)) from None
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

    edges = [Edge(cursor=cursor_of(d), node=to_node(d)) for d in found[:first]]

    async def count_all() -> int:
        if not query:  # everything: the collection's own count, no scan
            return await model.get_pymongo_collection().estimated_document_count()
        return await model.find(query).count()

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > first, end_cursor=edges[-1].cursor if edges else None
        ),
        count_all=count_all,
    )
