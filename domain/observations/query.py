"""Listing observations: the orders a list may take and its keyset cursors.

A page is read as `find(filter + beyond(cursor)).sort(sort_keys(order)).limit(n + 1)`. Every
order ends with `_id` in the same direction, so the order is total: rows that tie on the
chosen field keep a fixed place, and a cursor names exactly one row (its field value and its
id), never skipping or repeating rows that tie with it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import PydanticObjectId, SortDirection

from domain.observations.observation import Observation


class ObservationOrderField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    PRIORITY = "priority"
    NAME = "name"


class OrderDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class ObservationOrder:
    field: ObservationOrderField = ObservationOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.DESC

    @property
    def sign(self) -> SortDirection:
        if self.direction is OrderDirection.ASC:
            return SortDirection.ASCENDING
        return SortDirection.DESCENDING


NEWEST_FIRST = ObservationOrder()


class InvalidCursor(ValueError):
    pass


def sort_keys(order: ObservationOrder) -> list[tuple[str, SortDirection]]:
    """The MongoDB sort for `order`: its field, then `_id`, both in its direction."""
    return [(order.field.value, order.sign), ("_id", order.sign)]


def _field_value(observation: Observation, field: ObservationOrderField) -> Any:
    value = getattr(observation, field.value)
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(observation: Observation, order: ObservationOrder) -> str:
    """A cursor just after `observation` in a list in `order`."""
    raw = [
        order.field.value,
        order.direction.value,
        _field_value(observation, order.field),
        str(observation.id),
    ]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def _decode(cursor: str, order: ObservationOrder) -> tuple[Any, PydanticObjectId]:
    try:
        field, direction, value, last_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor(f"not a cursor of this list: {error}") from None
    if (field, direction) != (order.field.value, order.direction.value):
        raise InvalidCursor("the cursor belongs to a list in another order")
    if not isinstance(last_id, str) or not PydanticObjectId.is_valid(last_id):
        raise InvalidCursor("not a cursor of this list: bad id")
    try:
        if order.field in (ObservationOrderField.CREATED_AT, ObservationOrderField.UPDATED_AT):
            value = datetime.fromisoformat(value)
        elif order.field is ObservationOrderField.PRIORITY and not (
            isinstance(value, int) and not isinstance(value, bool)
        ):
            raise TypeError("priority must be a whole number")
        elif order.field is ObservationOrderField.NAME and not isinstance(value, str):
            raise TypeError("name must be text")
    except (ValueError, TypeError) as error:
        raise InvalidCursor(f"not a cursor of this list: {error}") from None
    return value, PydanticObjectId(last_id)


def beyond(cursor: str, order: ObservationOrder) -> dict[str, object]:
    """The filter for the rows after `cursor` in `order` (raises InvalidCursor)."""
    value, last_id = _decode(cursor, order)
    after = "$gt" if order.direction is OrderDirection.ASC else "$lt"
    field = order.field.value
    return {"$or": [{field: {after: value}}, {field: value, "_id": {after: last_id}}]}


@dataclass(frozen=True)
class Page:
    observations: list[Observation]
    has_next_page: bool


async def read_page(
    query: dict[str, object], order: ObservationOrder, *, first: int, after: str | None
) -> Page:
    """Up to `first` observations matching `query` after `after` (raises InvalidCursor)."""
    page_query = dict(query)
    if after is not None:
        page_query = {"$and": [query, beyond(after, order)]} if query else beyond(after, order)
    found = await Observation.find(page_query).sort(sort_keys(order)).limit(first + 1).to_list()
    return Page(observations=found[:first], has_next_page=len(found) > first)


async def count(query: dict[str, object]) -> int:
    """How many observations match `query`."""
    if not query:  # everything: the collection's own count, no scan
        return int(await Observation.get_pymongo_collection().estimated_document_count())
    return int(await Observation.find(query).count())
