"""Targeted fixes for mongoeco 4.11, applied in the embedded document engine only.

1. Inserts. mongoeco checks every insert for a duplicate `_id` twice: by an indexed lookup of
   the id's storage key, and then by decoding every document of the collection to compare ids by
   BSON equality. The second pass exists for numeric ids (1 and 1.0 are the same `_id` but have
   different storage keys). For ObjectId and string ids the storage key is exact, so the scan can
   only repeat the lookup's answer, yet it makes each insert cost O(collection size): measured
   here, 19 ms per insert at 1,000 documents and 85 ms at 4,000. The server skips the scan for
   those id types and keeps it for every other type.

2. Sorted reads. A sort on several fields (the keyset order `created_at, _id` of every
   connection) is compiled to `ORDER BY CASE <BSON type rank> END, <value>` per field. No index
   has that expression, so SQLite decodes and sorts every row of the collection in a temporary
   B-tree before it applies the limit (190 ms for 101 of 10,000 observations), and before that the
   planner scans the collection once per sort field to look for arrays (another 60 ms), on every
   query. Within one BSON type the CASE rank is constant and the order is the order of the
   value, which is exactly how mongoeco's own indexes are keyed (`COALESCE(<type tag>, '')`,
   `<value>`). So when every document of the collection holds, for every sort field, a value of
   one and the same sortable type (all numbers, all strings, all ObjectIds or all datetimes), the
   fix orders by the index expressions instead: SQLite walks a matching index in order and stops
   at the limit. Whether a field is of one type is remembered in mongoeco's per-collection
   feature cache, which mongoeco itself clears on every write to the collection; any other case
   (mixed types, missing fields, arrays, a hint, a collation, dotted paths) keeps mongoeco's
   original plan.

3. Counting. pymongo's `count_documents` sends `aggregate [$match, ($skip, $limit,) $group {_id:
   1, n: {$sum: 1}}]`, which mongoeco runs by decoding every matching document into Python and
   feeding it to a generic group accumulator: 1.1 s for 10,000 observations. mongoeco's own
   `count` command compiles the same filter to `SELECT COUNT(*)` (40 ms). The fix sends exactly
   that pipeline shape (and `$match, $count`) to the count path; any other pipeline, and any
   with a collation or `let` variables, runs as before.

4. Replies. Before BSON-encoding a reply, mongoeco converts it value by value into pymongo's
   types with a chain of about twenty isinstance checks per value, even for strings and
   numbers that pass through unchanged: half of the server's time for a page of observations.
   The fix returns the plain JSON-like types (exact str, int, float, bool, None, datetime,
   pymongo's ObjectId) and walks exact dicts and lists itself, leaving every other type to
   mongoeco's converter.

5. Decoding. For every document it reads, mongoeco asks `inspect.signature` whether its codec's
   `decode` takes `preserve_bson_wrappers` (7% of a page's read time). The answer depends on the
   codec only, so the fix asks once per codec.

6. Empty `$in`. On a field with an index, mongoeco turns `{field: {$in: [...]}}` into one SQL
   clause per value joined by OR; with no values that is an empty clause, which SQLite refuses
   as a syntax error (so a person who may see no project got an error instead of an empty
   list). MongoDB's `$in: []` matches no document; the fix answers exactly that.

tests/foundation/test_embedded_mongo.py checks that duplicate ids and unique indexes are still
refused, and that sorted reads and counts answer exactly what mongoeco's original plans answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from mongoeco._types import CommandCursorResult
from mongoeco.api._async import raw_batch_cursor
from mongoeco.api._async._database_admin_read_commands import DatabaseAdminReadCommandService
from mongoeco.api.operations import AggregateOperation, compile_find_operation
from mongoeco.engines import SQLiteEngine
from mongoeco.engines.sqlite_query import (
    json_path_for_field,
    type_expression_sql,
    value_expression_sql,
)
from mongoeco.session import ClientSession
from mongoeco.wire import bson_bridge, protocol

_original_validate = SQLiteEngine._validate_document_against_unique_indexes
_original_sort_requires_python = SQLiteEngine._sort_requires_python
_original_scalar_sort_sql = SQLiteEngine._build_scalar_sort_select_sql
_original_aggregate = DatabaseAdminReadCommandService.execute_aggregate_command
_original_encode_wire_value = bson_bridge.encode_wire_value
_UNCHANGED_ON_THE_WIRE = frozenset({str, int, float, bool, type(None), datetime, ObjectId})
_original_decode_codec_payload = SQLiteEngine._decode_codec_payload
_original_translate_in = SQLiteEngine._translate_in_with_multikey
_decode_takes_preserve_flag: dict[object, bool] = {}
_EXACT_ID_TYPES = (ObjectId, str)
_FEATURE = "science_scheduler_sort_type:"
# the mongoeco type tags whose values order correctly as stored text (24 hex digits; ISO 8601)
_ORDERED_TAGS = frozenset({"objectid", "datetime"})


def _validate_without_redundant_id_scan(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    document: dict[str, Any],
    *,
    exclude_storage_key: str | None = None,
    skip_id_check: bool = False,
    scan_payload_id: bool = False,
) -> None:
    if scan_payload_id and isinstance(document.get("_id"), _EXACT_ID_TYPES):
        scan_payload_id = False
    _original_validate(
        self,
        db_name,
        coll_name,
        document,
        exclude_storage_key=exclude_storage_key,
        skip_id_check=skip_id_check,
        scan_payload_id=scan_payload_id,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tag_from_index(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> str | None:
    """The one type tag every document holds in `field`, read from an index covering it."""
    for index in engine._load_indexes(db_name, coll_name):
        physical = index.get("physical_name")
        if (
            field not in index["fields"]
            or not physical
            or index.get("sparse")
            or index.get("partial_filter_expression")
        ):
            continue
        rows = (
            engine._require_connection()
            .execute(
                f"SELECT DISTINCT {type_expression_sql(field)} FROM documents "
                f"INDEXED BY {engine._quote_identifier(str(physical))} "
                "WHERE db_name = ? AND coll_name = ? LIMIT 2",
                (db_name, coll_name),
            )
            .fetchall()
        )
        tags = {row[0] for row in rows}
        if len(tags) == 1 and (tag := tags.pop()) in _ORDERED_TAGS:
            return str(tag)
        return None
    return None


def _type_from_scan(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> str | None:
    path = _quote(json_path_for_field(field))
    rows = (
        engine._require_connection()
        .execute(
            f"SELECT DISTINCT CASE json_type(document, {path}) "
            "WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'text' THEN 'string' "
            f"WHEN 'object' THEN {type_expression_sql(field)} ELSE '' END "
            "FROM documents WHERE db_name = ? AND coll_name = ? LIMIT 2",
            (db_name, coll_name),
        )
        .fetchall()
    )
    kinds = {row[0] for row in rows}
    if len(kinds) == 1 and (kind := kinds.pop()) in _ORDERED_TAGS | {"number", "string"}:
        return str(kind)
    return None


def uniform_sort_type(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> str | None:
    """`number`, `string`, `objectid` or `datetime` when every document holds one in `field`."""
    if "." in field or field.startswith("$"):
        return None
    key = (db_name, coll_name, _FEATURE + field)
    cache = engine._collection_features_cache
    if key in cache:
        cached = cache[key]
        return cached if isinstance(cached, str) else None
    kind = _tag_from_index(engine, db_name, coll_name, field) or _type_from_scan(
        engine, db_name, coll_name, field
    )
    cache[key] = kind if kind is not None else False
    return kind


def _index_orderable(
    engine: SQLiteEngine, db_name: str, coll_name: str, sort: Sequence[tuple[str, int]] | None
) -> bool:
    return bool(sort) and all(
        direction in (1, -1) and uniform_sort_type(engine, db_name, coll_name, field) is not None
        for field, direction in sort or ()
    )


def _sort_requires_python(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    plan: Any,
    sort: Any,
) -> bool:
    if _index_orderable(self, db_name, coll_name, sort):
        # one sortable scalar type per field in the whole collection: no arrays, no bytes or
        # undefined, no numbers in wrappers, which is all mongoeco's per-query scan looks for
        return bool(self._plan_has_array_traversing_paths(db_name, coll_name, plan))
    return bool(_original_sort_requires_python(self, db_name, coll_name, plan, sort))


def _scalar_sort_select_sql(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    plan: Any,
    *,
    select_clause: str,
    sort: Any,
    skip: int,
    limit: int | None,
    hint: Any,
) -> tuple[str, list[object]] | None:
    if hint is None and len(sort or ()) > 1 and _index_orderable(self, db_name, coll_name, sort):
        order = ", ".join(
            f"{expression} {'ASC' if direction == 1 else 'DESC'}"
            for field, direction in sort
            for expression in (type_expression_sql(field), value_expression_sql(field))
        )
        return self._build_select_statement_with_custom_order(
            select_clause=select_clause,
            from_clause="documents",
            namespace_sql="db_name = ? AND coll_name = ?",
            namespace_params=(db_name, coll_name),
            where_fragment=self._translate_query_plan_with_multikey(db_name, coll_name, plan),
            order_sql=f" ORDER BY {order}",
            skip=skip,
            limit=limit,
        )
    result: tuple[str, list[object]] | None = _original_scalar_sort_sql(
        self,
        db_name,
        coll_name,
        plan,
        select_clause=select_clause,
        sort=sort,
        skip=skip,
        limit=limit,
        hint=hint,
    )
    return result


@dataclass(frozen=True)
class _CountPipeline:
    filter: dict[str, Any]
    skip: int
    limit: int | None
    result_key: str
    group_id: object  # _MISSING for `$count`


_MISSING = object()


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def count_pipeline(pipeline: Sequence[object]) -> _CountPipeline | None:
    """The parts of a pure counting pipeline, or None for any other pipeline."""
    stages = [s for s in pipeline if isinstance(s, dict) and len(s) == 1]
    if len(stages) != len(pipeline) or not stages:
        return None
    filter_: dict[str, Any] = {}
    if "$match" in stages[0]:
        match = stages.pop(0)["$match"]
        if not isinstance(match, dict):
            return None
        filter_ = match
    skip, limit = 0, None
    if stages and "$skip" in stages[0]:
        skip = stages.pop(0)["$skip"]
    if stages and "$limit" in stages[0]:
        limit = stages.pop(0)["$limit"]
    if not _is_count(skip) or (limit is not None and (not _is_count(limit) or limit == 0)):
        return None
    if len(stages) != 1:
        return None
    (last,) = stages
    if isinstance(counted := last.get("$count"), str) and counted and "." not in counted:
        return _CountPipeline(filter_, skip, limit, counted, _MISSING)
    group = last.get("$group")
    if not isinstance(group, dict) or len(group) != 2 or "_id" not in group:
        return None
    group_id = group["_id"]
    (key,) = (k for k in group if k != "_id")
    if (
        group_id not in (1, None)
        or isinstance(group_id, bool)
        or group[key] != {"$sum": 1}
        or isinstance(group[key]["$sum"], bool)
    ):
        return None
    return _CountPipeline(filter_, skip, limit, key, group_id)


def _user_variables(let: object) -> bool:
    bindings = getattr(let, "bindings", let)  # mongoeco binds `let` into a context object
    return bool(bindings)


async def _aggregate_counting_in_sql(
    self: DatabaseAdminReadCommandService,
    collection_name: str,
    operation: AggregateOperation,
    *,
    session: ClientSession | None = None,
) -> CommandCursorResult:
    counting = (
        count_pipeline(list(operation.pipeline))
        if operation.collation is None and not _user_variables(operation.let)
        else None
    )
    if counting is None:
        result: CommandCursorResult = await _original_aggregate(
            self, collection_name, operation, session=session
        )
        return result
    find = compile_find_operation(
        counting.filter,
        skip=counting.skip,
        limit=counting.limit,
        hint=operation.hint,
        comment=operation.comment,
        max_time_ms=operation.max_time_ms,
        dialect=operation.dialect,
    )
    collection = self._admin._database.get_collection(collection_name)
    count = await collection._engine_count_with_operation(find, session=session)
    document: dict[str, object] = (
        {counting.result_key: count}
        if counting.group_id is _MISSING
        else {"_id": counting.group_id, counting.result_key: count}
    )
    return CommandCursorResult(
        namespace=f"{self._admin._db_name}.{collection_name}",
        first_batch=[document] if count else [],
    )


def encode_wire_value(value: Any) -> Any:
    """mongoeco's wire conversion, without its type tests for values it returns unchanged."""
    kind = type(value)
    if kind in _UNCHANGED_ON_THE_WIRE:
        return value
    if kind is dict:
        return {key: encode_wire_value(item) for key, item in value.items()}
    if kind is list:
        return [encode_wire_value(item) for item in value]
    return _original_encode_wire_value(value)


def _decode_codec_payload(
    self: SQLiteEngine, payload: object, *, preserve_bson_wrappers: bool
) -> Any:
    codec = self._codec
    takes_flag = _decode_takes_preserve_flag.get(codec)
    if takes_flag is None:
        try:
            parameters = inspect.signature(codec.decode).parameters
        except (TypeError, ValueError):
            return _original_decode_codec_payload(
                self, payload, preserve_bson_wrappers=preserve_bson_wrappers
            )
        takes_flag = _decode_takes_preserve_flag[codec] = "preserve_bson_wrappers" in parameters
    if takes_flag:
        return codec.decode(payload, preserve_bson_wrappers=preserve_bson_wrappers)
    return codec.decode(payload)


def _translate_in_matching_nothing_when_empty(
    self: SQLiteEngine, collection_id: int, db_name: str, coll_name: str, plan: Any, index: Any
) -> tuple[str, list[object]]:
    if not plan.values:
        return "0", []
    result: tuple[str, list[object]] = _original_translate_in(
        self, collection_id, db_name, coll_name, plan, index
    )
    return result


def apply() -> None:
    """Install the fixes (idempotent)."""
    SQLiteEngine._validate_document_against_unique_indexes = (  # type: ignore[method-assign]
        _validate_without_redundant_id_scan
    )
    SQLiteEngine._sort_requires_python = _sort_requires_python  # type: ignore[method-assign]
    SQLiteEngine._build_scalar_sort_select_sql = _scalar_sort_select_sql  # type: ignore[method-assign]
    DatabaseAdminReadCommandService.execute_aggregate_command = _aggregate_counting_in_sql  # type: ignore[method-assign]
    SQLiteEngine._decode_codec_payload = _decode_codec_payload  # type: ignore[method-assign]
    SQLiteEngine._translate_in_with_multikey = _translate_in_matching_nothing_when_empty  # type: ignore[method-assign]
    for module in (bson_bridge, protocol, raw_batch_cursor):
        module.encode_wire_value = encode_wire_value  # type: ignore[attr-defined]
