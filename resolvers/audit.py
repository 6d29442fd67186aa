"""Thin resolver for reading an entity's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import strawberry
from beanie import PydanticObjectId
from graphql import GraphQLError

from domain.audit import AuditEntry as AuditEntryDocument
from domain.audit_trail import audit_entries, audit_trail_query, count_audit_entries
from resolvers.pagination import epoch_millis, paginate_keyset, paginate_sorted
from schema.audit import AuditEntry, entity_type_name
from schema.connection import Connection, KeyPart
from schema.context import Info
from schema.global_ids import decode_global_id

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OBJECT_ID_LIMIT = 1 << 96


def _newest_first(entry: AuditEntryDocument) -> tuple[int, int]:
    """The sort key of the trail, ascending: newest first by time, then by id."""
    return -epoch_millis(entry.at), -int(str(entry.id), 16)


def _older_than(key: tuple[KeyPart, ...]) -> tuple[datetime, PydanticObjectId]:
    millis, negated_id = int(key[0]), int(key[1])
    if not 0 <= -negated_id < _OBJECT_ID_LIMIT:
        raise GraphQLError("not a cursor of this list", extensions={"code": "BAD_INPUT"})
    return _EPOCH - timedelta(milliseconds=millis), PydanticObjectId(f"{-negated_id:024x}")


async def audit_trail(
    info: Info,
    entity: str,
    entity_id: strawberry.ID,
    first: int = 50,
    after: str | None = None,
) -> Connection[AuditEntry]:
    """The entity's entries, newest first; empty unless you may read them; `first` at most 100.

    `entity_id` must name a thing of the entity's type (an Observation id for `observation`).
    """
    actor = await info.context.require_actor()
    decoded = decode_global_id(entity_id)
    query = None
    if decoded.type_name == entity_type_name(entity):
        query = await audit_trail_query(actor, entity, str(decoded))
    if query is None:
        return paginate_sorted(
            [], key=_newest_first, first=first, after=after, to_node=AuditEntry.from_document
        )
    readable = query

    async def fetch(last: tuple[KeyPart, ...] | None, limit: int) -> list[AuditEntryDocument]:
        return await audit_entries(readable, None if last is None else _older_than(last), limit)

    async def count_all() -> int:
        return await count_audit_entries(readable)

    return await paginate_keyset(
        fetch,
        count_all,
        key=_newest_first,
        key_types=(int, int),
        first=first,
        after=after,
        to_node=AuditEntry.from_document,
    )
