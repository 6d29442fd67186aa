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
