"""The embedded document engine still refuses duplicates after its insert-path fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bson import ObjectId
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from tests.engines import Engine


@pytest.fixture
def collection(
    clean_engines: None, mongo_engine: Engine
) -> Iterator[Collection[dict[str, object]]]:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_engine.url)
    yield client["embedded_engine_test"]["things"]
    client.drop_database("embedded_engine_test")
    client.close()


@pytest.mark.parametrize("identifier", [ObjectId("65a1b2c3d4e5f60718293a4b"), "vega"])
def test_a_duplicate_object_id_or_string_id_is_refused(
    collection: Collection[dict[str, object]], identifier: object
) -> None:
    # given
    collection.insert_one({"_id": identifier, "n": 1})

    # when / then
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"_id": identifier, "n": 2})
    assert list(collection.find({}, {"_id": 0})) == [{"n": 1}]


def test_numeric_ids_equal_by_value_are_still_refused(
    collection: Collection[dict[str, object]],
) -> None:
    # given
    collection.insert_one({"_id": 1, "n": 1})

    # when / then
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"_id": 1.0, "n": 2})
    assert collection.count_documents({}) == 1


def test_unique_indexes_are_still_enforced(collection: Collection[dict[str, object]]) -> None:
    # given
    collection.create_index("email", unique=True)
    collection.insert_one({"email": "a@example.org"})

    # when / then
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"email": "a@example.org"})
    assert collection.count_documents({}) == 1


@pytest.mark.parametrize("indexed", [True, False], ids=["indexed", "unindexed"])
def test_an_empty_in_matches_no_document(
    collection: Collection[dict[str, object]], indexed: bool
) -> None:
    # given: a field with and without an index, as MongoDB answers either way
    if indexed:
        collection.create_index([("project_id", 1)])
    collection.insert_many([{"project_id": ObjectId(), "n": n} for n in range(3)])
    nothing: dict[str, object] = {"project_id": {"$in": []}}
    in_an_or: dict[str, object] = {"$or": [{"n": 1}, {"project_id": {"$in": []}}]}

    # when
    found = list(collection.find(nothing))
    counted = collection.count_documents(nothing)
    either = [d["n"] for d in collection.find(in_an_or, {"_id": 0})]

    # then
    assert (found, counted, either) == ([], 0, [1])


def test_reads_on_reused_reader_connections_see_every_write_and_index(
    collection: Collection[dict[str, object]],
) -> None:
    # given: many multi-document reads, so that readers' connections are kept and reused
    collection.insert_many([{"n": n, "kind": "a"} for n in range(20)])
    for _ in range(20):
        assert len(list(collection.find({"kind": "a"}))) == 20

    # when: writes, a deletion and a new unique index between reads
    seen = []
    for n in range(20, 30):
        collection.insert_one({"n": n, "kind": "a"})
        seen.append(sorted(d["n"] for d in collection.find({"kind": "a"}, {"_id": 0})))
    collection.delete_many({"n": {"$lt": 5}})
    after_delete = sorted(d["n"] for d in collection.find({"kind": "a"}))
    collection.create_index("n", unique=True)
    by_index = [d["n"] for d in collection.find({"n": {"$gte": 25}}).sort("n", 1)]

    # then: each read saw everything committed before it
    assert seen == [list(range(n + 1)) for n in range(20, 30)]
    assert after_delete == list(range(5, 30))
    assert by_index == [25, 26, 27, 28, 29]
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"n": 7})


def test_stored_numbers_and_text_read_back_exactly(
    collection: Collection[dict[str, object]],
) -> None:
    # given: values that JSON parsers disagree on
    document = {
        "_id": "edge-values",
        "nan": float("nan"),
        "infinities": [float("inf"), float("-inf")],
        "negative_zero": -0.0,
        "tiny": 5e-324,
        "int64": [2**63 - 1, -(2**63)],
        "text": 'quote " backslash \\ tab \t unicode \u00e9\u2603 \U0001f52d',
        "nested": {"list": [1, 2.5, None, True, {"deep": "x"}]},
    }

    # when
    collection.insert_one(dict(document))
    stored = collection.find_one({"_id": "edge-values"})

    # then: compared as text, so that NaN and -0.0 are checked too
    assert stored is not None
    assert repr(stored) == repr(document)
