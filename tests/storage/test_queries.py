"""Every filter operator of the subset, projections, sorts, counts and distinct, with MongoDB's rules."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from bson import ObjectId, Regex

DOCS = [
    {"_id": 1, "n": 1, "s": "apple", "tags": ["a", "b"], "sub": {"x": 1}, "items": [{"k": "p", "q": 1}, {"k": "r", "q": 5}]},
    {"_id": 2, "n": 2.5, "s": "Banana", "tags": ["b"], "sub": {"x": 2}, "items": [{"k": "p", "q": 7}]},
    {"_id": 3, "n": None, "s": "cherry", "tags": [], "sub": None},
    {"_id": 4, "s": "date", "tags": "a", "sub": {"y": 1}, "items": []},
    {"_id": 5, "n": True, "s": 5, "tags": [["a"], "c"], "sub": 3},
]


@pytest.fixture
async def coll(db: Any) -> Any:
    await db.q.insert_many([dict(d) for d in DOCS])
    return db.q


async def ids(coll: Any, filter_: dict[str, Any]) -> list[int]:
    return sorted(d["_id"] for d in await coll.find(filter_).to_list())


@pytest.mark.parametrize(("filter_", "expected"), [
    ({"n": 1}, [1]),
    ({"n": {"$eq": 2.5}}, [2]),
    ({"n": {"$ne": 1}}, [2, 3, 4, 5]),
    ({"n": {"$gt": 1}}, [2]),
    ({"n": {"$gte": 1}}, [1, 2]),
    ({"n": {"$lt": 2.5}}, [1]),
    ({"n": {"$lte": 2.5}}, [1, 2]),
    ({"s": {"$gt": "a"}}, [1, 3, 4]),  # comparisons stay within one type: 5 and "Banana" are out
    ({"n": {"$in": [1, None]}}, [1, 3, 4]),  # null in $in matches missing too
    ({"n": {"$in": [None]}}, [3, 4]),
    ({"tags": {"$in": ["c", None]}}, [5]),  # an element listed; an empty array is not null
    ({"sub.x": {"$in": [2, None]}}, [2, 3, 4, 5]),  # a sub-field under null or a scalar is missing
    ({"s": {"$in": ["apple", re.compile("^B")]}}, [1, 2]),
    ({"n": {"$nin": [1, None]}}, [2, 5]),
    ({"n": {"$exists": False}}, [4]),
    ({"n": {"$exists": True}}, [1, 2, 3, 5]),
    ({"n": None}, [3, 4]),
    ({"n": True}, [5]),  # true is not 1
    ({"tags": "a"}, [1, 4]),  # an array matches when an element does
    ({"tags": ["a"]}, [5]),  # ... or when the whole value is equal (here a nested array)
    ({"tags": ["a", "b"]}, [1]),
    ({"tags": {"$size": 0}}, [3]),
    ({"tags": {"$size": 2}}, [1, 5]),
    ({"tags": {"$all": ["a", "b"]}}, [1]),
    ({"tags": {"$all": []}}, []),
    ({"items": {"$elemMatch": {"k": "p", "q": {"$gt": 3}}}}, [2]),
    ({"items.k": "p", "items.q": {"$gt": 3}}, [1, 2]),  # without $elemMatch, different elements may match
    ({"items.q": 5}, [1]),
    ({"tags": {"$elemMatch": {"$eq": "c"}}}, [5]),
    ({"sub.x": {"$gte": 1}}, [1, 2]),
    ({"sub.x": None}, [3, 4, 5]),  # a missing sub-field is null, also under null and a scalar
    ({"sub": {"x": 1}}, [1]),
    ({"s": {"$regex": "^b", "$options": "i"}}, [2]),
    ({"s": re.compile("rr")}, [3]),
    ({"s": Regex("E$", "i")}, [1, 4]),
    ({"s": {"$not": {"$regex": "a"}}}, [3, 5]),
    ({"n": {"$not": {"$gt": 1}}}, [1, 3, 4, 5]),
    ({"$and": [{"n": {"$gte": 1}}, {"s": "apple"}]}, [1]),
    ({"$or": [{"n": 1}, {"s": "date"}]}, [1, 4]),
    ({"$nor": [{"n": 1}, {"s": "date"}]}, [2, 3, 5]),
    ({"n": {"$gt": 0, "$lt": 2}}, [1]),
    ({}, [1, 2, 3, 4, 5]),
])
async def test_filter_operators(coll: Any, filter_: dict[str, Any], expected: list[int]) -> None:
    assert await ids(coll, filter_) == expected


async def test_null_through_arrays_follows_mongodb(db: Any) -> None:
    await db.t.insert_many([
        {"_id": 1, "a": [1, 2]},
        {"_id": 2, "a": [{"b": 1}, {"c": 1}]},
        {"_id": 3},
        {"_id": 4, "a": None},
        {"_id": 5, "a": {"b": None}},
        {"_id": 6, "a": []},
        {"_id": 7, "a": 1},
    ])
    # mongomock leaves out 4 and 7; MongoDB treats a.b under null or a scalar as missing.
    assert await ids(db.t, {"a.b": None}) == [2, 3, 4, 5, 7]
    assert await ids(db.t, {"a.b": {"$exists": False}}) == [1, 3, 4, 6, 7]
    assert await ids(db.t, {"a.b": {"$ne": None}}) == [1, 6]


async def test_in_over_arrays_of_text_and_null_follows_mongodb(db: Any) -> None:
    await db.t.insert_many([{"_id": 1, "a": ["x", None]}, {"_id": 2, "a": ["y"]}, {"_id": 3, "a": []}, {"_id": 4},
                            {"_id": 5, "a": [["x"]]}, {"_id": 6, "a": "x"}])
    assert await ids(db.t, {"a": {"$in": ["x"]}}) == [1, 6], "an element one level down, not a nested array's"
    assert await ids(db.t, {"a": {"$in": ["z", None]}}) == [1, 4], "a null element or a missing field; not []"
    assert await ids(db.t, {"a": {"$in": ["y", "x"]}, "_id": {"$gt": 1}}) == [2, 6]


async def test_sort_uses_mongodb_cross_type_order(db: Any) -> None:
    oid = ObjectId()
    when = datetime.datetime(2024, 5, 1)
    values = [None, 3, 2.5, "b", "a", {"k": 1}, [0.5], b"\x01", oid, False, True, when, []]
    await db.t.insert_many([{"_id": i, "v": v} for i, v in enumerate(values)])
    await db.t.insert_one({"_id": 99})
    order = [d["_id"] for d in await db.t.find().sort([("v", 1), ("_id", 1)]).to_list()]
    # [] first, then null and missing, numbers (the array sorts by its element 0.5), strings,
    # objects, binary, ObjectId, booleans, dates.
    assert order == [12, 0, 99, 6, 2, 1, 4, 3, 5, 7, 8, 9, 10, 11]
    descending = [d["_id"] for d in await db.t.find().sort([("v", -1), ("_id", 1)]).to_list()]
    assert descending[:3] == [11, 10, 9] and descending[-1] == 12


async def test_array_fields_sort_by_smallest_or_largest_element(db: Any) -> None:
    await db.t.insert_many([{"_id": 1, "v": [1, 10]}, {"_id": 2, "v": [5]}, {"_id": 3, "v": 7}])
    assert [d["_id"] for d in await db.t.find().sort("v", 1).to_list()] == [1, 2, 3]
    assert [d["_id"] for d in await db.t.find().sort("v", -1).to_list()] == [1, 3, 2]


async def test_cursor_chain_skip_limit_and_async_for(coll: Any) -> None:
    cursor = coll.find({}, {"s": 1, "_id": 0}).sort("_id", -1).skip(1).limit(2)
    assert [d async for d in cursor] == [{"s": "date"}, {"s": "cherry"}]
    assert await coll.find(sort=[("_id", 1)], skip=3).to_list() == [dict(DOCS[3]), dict(DOCS[4])]
    assert len(await coll.find().to_list(2)) == 2


async def test_projections(coll: Any) -> None:
    assert await coll.find_one({"_id": 1}, {"sub.x": 1, "items.k": 1}) == {
        "_id": 1, "sub": {"x": 1}, "items": [{"k": "p"}, {"k": "r"}]
    }
    assert await coll.find_one({"_id": 1}, {"tags": 0, "items": 0, "sub": 0, "_id": 0}) == {"n": 1, "s": "apple"}
    assert await coll.find_one({"_id": 3}, ["s"]) == {"_id": 3, "s": "cherry"}
    # mongomock drops "sub" here; MongoDB keeps a non-document parent of an excluded sub-field.
    assert await coll.find_one({"_id": 3}, {"sub.x": 0, "items": 0, "tags": 0}) == {"_id": 3, "n": None, "s": "cherry", "sub": None}


async def test_count_distinct_and_find_one_by_id(coll: Any) -> None:
    assert await coll.count_documents({"tags": "a"}) == 2
    assert await coll.count_documents({}, skip=1, limit=2) == 2
    assert await coll.estimated_document_count() == 5
    assert sorted(map(str, await coll.distinct("tags"))) == sorted(map(str, ["a", "b", ["a"], "c"]))
    assert await coll.distinct("items.k", {"n": {"$gte": 1}}) == ["p", "r"]
    assert (await coll.find_one(2))["s"] == "Banana"
    assert await coll.find_one({"_id": 42}) is None


async def test_missing_collection_answers_empty(db: Any) -> None:
    assert await db.nothing.find_one({}) is None
    assert await db.nothing.count_documents({}) == 0
    assert await db.nothing.distinct("a") == []
    assert (await db.nothing.delete_many({})).deleted_count == 0


async def test_a_read_by_a_unique_key_with_more_conditions_reads_one_key_and_checks_the_rest(db: Any) -> None:
    await db.people.create_index("email", unique=True)
    await db.people.insert_many([{"_id": n, "email": f"p{n}@gov.in", "deleted": n == 2, "at": n} for n in range(5)])
    found = db.people.find({"email": "p1@gov.in", "deleted": {"$ne": True}, "at": {"$gte": 0}}, sort=[("at", -1)])
    stats = (await found.explain())["executionStats"]
    assert (stats["totalKeysExamined"], stats["totalDocsExamined"]) == (1, 1)
    assert [doc["_id"] for doc in await found.to_list()] == [1]
    assert await db.people.find_one({"email": "p2@gov.in", "deleted": {"$ne": True}}) is None, "the rest still applies"
    assert await db.people.find_one({"_id": 3, "email": "p4@gov.in"}) is None, "either key, one document"
    assert await db.people.find({"_id": 3, "at": 3}, skip=1).to_list() == [], "a skip past the one match"
    assert (await db.people.find_one({"_id": 3, "email": {"$in": ["p3@gov.in"]}}))["_id"] == 3


async def test_a_filter_that_one_unique_key_decides_is_answered_without_compiling_it(
        db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads, updates and deletes by one unique field alone (the commonest calls: a person by
    id, a counter by its key) take the documents under the keys as the answer; any other filter
    is still compiled and checked, and so is a field that has held an array."""
    from community.storage import client as storage_client, tables
    compiled: list[Any] = []
    real = storage_client.compile_filter

    def counting(filter_: Any) -> Any:
        compiled.append(filter_)
        return real(filter_)

    monkeypatch.setattr(storage_client, "compile_filter", counting)
    monkeypatch.setattr(tables, "compile_filter", counting)
    await db.people.create_index("email", unique=True)
    await db.people.insert_many([{"_id": n, "email": f"p{n}@gov.in", "n": n} for n in range(5)])
    await db.people.insert_one({"_id": 5.0, "email": ["p5@gov.in", "q5@gov.in"]})
    compiled.clear()
    assert (await db.people.find_one({"_id": 1}))["email"] == "p1@gov.in"
    assert (await db.people.find_one({"_id": 5}))["_id"] == 5.0, "equal numbers are one key"
    assert await db.people.find_one({"_id": 9}) is None
    assert sorted(doc["_id"] for doc in await db.people.find({"_id": {"$in": [0, 3, 9]}}).to_list()) == [0, 3]
    assert (await db.people.update_one({"_id": 2}, {"$inc": {"n": 10}})).modified_count == 1
    assert (await db.people.delete_one({"_id": {"$eq": 4}})).deleted_count == 1
    assert compiled == []
    assert (await db.people.find_one({"_id": 2}))["n"] == 12
    assert await db.people.count_documents({}) == 5
    assert (await db.people.find_one({"email": "q5@gov.in"}))["_id"] == 5.0, "a field that held an array"
    assert await db.people.find_one({"_id": 1, "n": 2}) is None
    assert await db.people.find_one({"_id": None}) is None
    assert compiled == [{"email": "q5@gov.in"}, {"_id": 1, "n": 2}, {"_id": None}]
    await db.votes.create_index([("poll", 1), ("person", -1)], unique=True)
    await db.votes.insert_many([{"poll": p, "person": q, "choice": p * 10 + q} for p in range(3) for q in range(3)])
    compiled.clear()
    assert (await db.votes.find_one({"person": 2, "poll": 1}))["choice"] == 12, "every field of a compound key"
    found = db.votes.find({"poll": 2, "person": 0, "choice": {"$gt": 0}})
    stats = (await found.explain())["executionStats"]
    assert (stats["totalKeysExamined"], stats["totalDocsExamined"]) == (1, 1)
    assert [doc["choice"] for doc in await found.to_list()] == [20]
    assert await db.votes.find_one({"poll": 2, "person": 0, "choice": 21}) is None
    assert sorted(doc["choice"] for doc in await db.votes.find({"poll": 1}).to_list()) == [10, 11, 12], "a prefix ranges"
    assert compiled == [{"poll": 2, "person": 0, "choice": {"$gt": 0}}] * 2 + [{"poll": 2, "person": 0, "choice": 21},
                                                                               {"poll": 1}]
