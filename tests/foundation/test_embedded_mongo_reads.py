"""Sorted reads and counts on the embedded engine answer what MongoDB answers after its fixes.

The expected answers are computed here in Python from the inserted documents (BSON order:
missing/null < numbers < strings < ObjectId < datetime), independent of the engine.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.collection import Collection

from tests.engines import Engine

type Doc = dict[str, Any]
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def collection(clean_engines: None, mongo_engine: Engine) -> Iterator[Collection[Doc]]:
    client: MongoClient[Doc] = MongoClient(mongo_engine.url, tz_aware=True)
    things = client["embedded_reads_test"]["things"]
    things.create_index([("created_at", DESCENDING), ("_id", DESCENDING)])
    things.create_index([("priority", DESCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)])
    yield things
    client.drop_database("embedded_reads_test")
    client.close()


def _seed(collection: Collection[Doc], count: int = 240) -> list[Doc]:
    rng = random.Random(7)
    documents = [
        {
            "_id": ObjectId(),
            # many ties: 12 distinct instants, some with and some without milliseconds
            "created_at": START
            + timedelta(seconds=rng.randrange(6), milliseconds=rng.choice([0, 1])),
            "priority": rng.randrange(1, 11),
            "name": rng.choice(["Vega", "Deneb", "Altair", "M31"]),
            "project": rng.choice(["a", "b", "c"]),
        }
        for _ in range(count)
    ]
    rng.shuffle(documents)
    collection.insert_many(documents)
    return documents


def _ids(documents: list[Doc]) -> list[ObjectId]:
    return [d["_id"] for d in documents]


@pytest.mark.parametrize("direction", [DESCENDING, ASCENDING])
def test_a_keyset_walk_returns_every_document_once_in_order(
    collection: Collection[Doc], direction: int
) -> None:
    # given
    documents = _seed(collection)
    expected = sorted(
        documents, key=lambda d: (d["created_at"], d["_id"]), reverse=direction == DESCENDING
    )
    beyond = "$lt" if direction == DESCENDING else "$gt"

    # when
    seen: list[Doc] = []
    query: Doc = {}
    while True:
        page = list(
            collection.find(query).sort([("created_at", direction), ("_id", direction)]).limit(25)
        )
        seen += page
        if len(page) < 25:
            break
        last = page[-1]
        query = {
            "$or": [
                {"created_at": {beyond: last["created_at"]}},
                {"created_at": last["created_at"], "_id": {beyond: last["_id"]}},
            ]
        }

    # then
    assert _ids(seen) == _ids(expected)


def test_a_sorted_read_with_a_filter_keeps_only_matching_documents_in_order(
    collection: Collection[Doc],
) -> None:
    # given
    documents = _seed(collection)
    wanted = [d for d in documents if d["project"] in ("a", "c") and d["priority"] >= 5]
    expected = sorted(wanted, key=lambda d: (-d["priority"], d["created_at"], d["_id"]))

    # when
    found = list(
        collection.find({"project": {"$in": ["a", "c"]}, "priority": {"$gte": 5}})
        .sort([("priority", DESCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)])
        .limit(40)
    )

    # then
    assert _ids(found) == _ids(expected[:40])


def test_a_sort_on_names_orders_strings_bytewise_then_by_id(collection: Collection[Doc]) -> None:
    # given
    documents = _seed(collection, 60)

    # when
    found = list(collection.find({}).sort([("name", ASCENDING), ("_id", DESCENDING)]))

    # then
    by_name: dict[str, list[Doc]] = {}
    for d in documents:
        by_name.setdefault(d["name"], []).append(d)
    expected = [
        d
        for name in sorted(by_name)
        for d in sorted(by_name[name], key=lambda d: d["_id"], reverse=True)
    ]
    assert _ids(found) == _ids(expected)


def test_mixed_types_in_a_sort_field_keep_the_bson_type_order(
    collection: Collection[Doc],
) -> None:
    # given: datetimes, then (after the engine has seen only datetimes) a string, a number,
    # a null, a missing value, an ObjectId and a boolean
    dated = _seed(collection, 5)
    list(collection.find({}).sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(2))
    odd = [
        {"_id": ObjectId(), "created_at": "2026-01-01"},
        {"_id": ObjectId(), "created_at": 42},
        {"_id": ObjectId(), "created_at": None},
        {"_id": ObjectId()},
        {"_id": ObjectId(), "created_at": ObjectId("65a1b2c3d4e5f60718293a4b")},
        {"_id": ObjectId(), "created_at": True},
    ]
    collection.insert_many(odd)

    # when
    found = list(collection.find({}).sort([("created_at", ASCENDING), ("_id", ASCENDING)]))

    # then: null and missing sort equal (then by _id), numbers, strings, ObjectIds, booleans,
    # datetimes
    nulls = sorted(odd[2:4], key=lambda d: d["_id"])
    dates = sorted(dated, key=lambda d: (d["created_at"], d["_id"]))
    assert _ids(found) == _ids([*nulls, odd[1], odd[0], odd[4], odd[5], *dates])


def test_counts_match_the_documents_found(collection: Collection[Doc]) -> None:
    # given
    documents = _seed(collection)
    in_a = [d for d in documents if d["project"] == "a"]

    # when / then
    assert collection.count_documents({"project": "a"}) == len(in_a)
    assert collection.count_documents({}) == len(documents)
    assert collection.count_documents({"project": "zzz"}) == 0
    assert collection.count_documents({"project": "a"}, skip=3, limit=5) == min(5, len(in_a) - 3)
    assert list(collection.aggregate([{"$match": {"project": "a"}}, {"$count": "n"}])) == [
        {"n": len(in_a)}
    ]
    assert list(collection.aggregate([{"$match": {"project": "zzz"}}, {"$count": "n"}])) == []


def test_other_group_pipelines_still_aggregate(collection: Collection[Doc]) -> None:
    # given
    documents = _seed(collection, 50)

    # when
    summed = list(
        collection.aggregate(
            [{"$match": {"project": "b"}}, {"$group": {"_id": 1, "n": {"$sum": "$priority"}}}]
        )
    )
    by_project = list(
        collection.aggregate(
            [{"$group": {"_id": "$project", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]
        )
    )

    # then
    assert summed == [{"_id": 1, "n": sum(d["priority"] for d in documents if d["project"] == "b")}]
    assert by_project == [
        {"_id": p, "n": sum(1 for d in documents if d["project"] == p)}
        for p in sorted({d["project"] for d in documents})
    ]
