"""Update operators, positional paths, array filters, upserts, replace and find-and-modify."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from bson import Int64, ObjectId
from pymongo import ReturnDocument


async def apply(db: Any, doc: dict[str, Any], update: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    await db.u.insert_one({"_id": 1, **doc})
    await db.u.update_one({"_id": 1}, update, **kwargs)
    found = await db.u.find_one({"_id": 1}, {"_id": 0})
    assert found is not None
    return found


@pytest.mark.parametrize(("doc", "update", "expected"), [
    ({"a": 1}, {"$set": {"b.c": 2}}, {"a": 1, "b": {"c": 2}}),
    ({"a": [1, 2]}, {"$set": {"a.3": 9}}, {"a": [1, 2, None, 9]}),
    ({"a": 1, "b": 2}, {"$unset": {"a": "", "zz": ""}}, {"b": 2}),
    ({"a": [1, 2]}, {"$unset": {"a.0": ""}}, {"a": [None, 2]}),
    ({"a": 1}, {"$inc": {"a": 2, "b": -1}}, {"a": 3, "b": -1}),
    ({"a": 1}, {"$inc": {"a": 0.5}}, {"a": 1.5}),
    ({"a": 3}, {"$mul": {"a": 2, "b": 2}}, {"a": 6, "b": 0}),
    ({"a": 3}, {"$min": {"a": 1, "b": 5}}, {"a": 1, "b": 5}),
    ({"a": 3}, {"$max": {"a": 1}}, {"a": 3}),
    ({"a": 3}, {"$max": {"a": "x"}}, {"a": "x"}),  # strings sort after numbers
    ({"a": "x"}, {"$min": {"a": None}}, {"a": None}),
    ({"a": [1]}, {"$push": {"a": 2}}, {"a": [1, 2]}),
    ({}, {"$push": {"a": {"$each": [1, 2, 3], "$slice": -2}}}, {"a": [2, 3]}),
    ({"a": [1, 4]}, {"$push": {"a": {"$each": [2, 3], "$position": 1}}}, {"a": [1, 2, 3, 4]}),
    ({"a": [1, 2]}, {"$push": {"a": {"$each": [], "$slice": 0}}}, {"a": []}),
    ({"a": [1, 2]}, {"$addToSet": {"a": 2}}, {"a": [1, 2]}),
    ({"a": [1, 2]}, {"$addToSet": {"a": {"$each": [2, 3, 3]}}}, {"a": [1, 2, 3]}),
    ({"a": [1]}, {"$addToSet": {"a": True}}, {"a": [1, True]}),  # true is not 1
    ({"a": [1, 2, 1, 3]}, {"$pull": {"a": 1}}, {"a": [2, 3]}),
    ({"a": [1, 5, 9]}, {"$pull": {"a": {"$gte": 5}}}, {"a": [1]}),
    ({"a": [{"k": 1, "v": 2}, {"k": 2}]}, {"$pull": {"a": {"k": 1}}}, {"a": [{"k": 2}]}),
    ({"a": [1, 2, 3]}, {"$pop": {"a": 1}}, {"a": [1, 2]}),
    ({"a": [1, 2, 3]}, {"$pop": {"a": -1}}, {"a": [2, 3]}),
    ({"a": [{"k": 1, "n": 0}, {"k": 2, "n": 0}]}, {"$inc": {"a.$[].n": 1}}, {"a": [{"k": 1, "n": 1}, {"k": 2, "n": 1}]}),
])
async def test_operators(db: Any, doc: dict[str, Any], update: dict[str, Any], expected: dict[str, Any]) -> None:
    assert await apply(db, doc, update) == expected


async def test_inc_keeps_int64_and_widens_on_overflow(db: Any) -> None:
    await db.u.insert_one({"_id": 1, "big": Int64(5), "small": 2**31 - 1})
    await db.u.update_one({"_id": 1}, {"$inc": {"big": 1, "small": 1}})
    doc = await db.u.find_one({"_id": 1})
    assert type(doc["big"]) is Int64 and doc["big"] == 6
    assert doc["small"] == 2**31 and type(doc["small"]) is Int64


async def test_positional_operator_updates_the_matched_element(db: Any) -> None:
    await db.u.insert_one({"_id": 1, "grades": [{"g": 80, "n": 0}, {"g": 90, "n": 0}]})
    await db.u.update_one({"_id": 1, "grades.g": 90}, {"$set": {"grades.$.n": 1}})
    assert (await db.u.find_one({"_id": 1}))["grades"] == [{"g": 80, "n": 0}, {"g": 90, "n": 1}]
    await db.u.insert_one({"_id": 2, "tags": ["a", "b"]})
    await db.u.update_one({"_id": 2, "tags": "b"}, {"$set": {"tags.$": "B"}})
    assert (await db.u.find_one({"_id": 2}))["tags"] == ["a", "B"]


async def test_array_filters_pick_elements(db: Any) -> None:
    await db.u.insert_one({"_id": 1, "items": [{"q": 1}, {"q": 5}, {"q": 9}]})
    await db.u.update_one({"_id": 1}, {"$set": {"items.$[big].flag": True}}, array_filters=[{"big.q": {"$gte": 5}}])
    assert (await db.u.find_one({"_id": 1}))["items"] == [{"q": 1}, {"q": 5, "flag": True}, {"q": 9, "flag": True}]


async def test_current_date_and_set_on_insert(db: Any) -> None:
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=1)
    result = await db.u.update_one({"email": "a@x"}, {"$setOnInsert": {"n": 1}, "$currentDate": {"at": True}}, upsert=True)
    doc = await db.u.find_one({"_id": result.upserted_id})
    assert doc["email"] == "a@x" and doc["n"] == 1 and doc["at"] >= before
    await db.u.update_one({"email": "a@x"}, {"$setOnInsert": {"n": 2}, "$set": {"m": 1}}, upsert=True)
    doc = await db.u.find_one({"email": "a@x"})
    assert doc["n"] == 1 and doc["m"] == 1


async def test_upsert_seeds_from_the_equality_parts_of_the_filter(db: Any) -> None:
    result = await db.u.update_one({"a": 1, "b.c": 2, "n": {"$gt": 5}}, {"$inc": {"hits": 1}}, upsert=True)
    doc = await db.u.find_one({"_id": result.upserted_id}, {"_id": 0})
    assert doc == {"a": 1, "b": {"c": 2}, "hits": 1}
    many = await db.u.update_many({"z": 9}, {"$set": {"y": 1}}, upsert=True)
    assert many.upserted_id is not None and many.matched_count == 0


async def test_update_many_counts_matched_and_modified(db: Any) -> None:
    await db.u.insert_many([{"g": 1, "v": 1}, {"g": 1, "v": 2}, {"g": 2, "v": 2}])
    result = await db.u.update_many({"g": 1}, {"$set": {"v": 2}})
    assert (result.matched_count, result.modified_count) == (2, 1)


async def test_replace_one_keeps_id(db: Any) -> None:
    oid = (await db.u.insert_one({"a": 1, "b": 2})).inserted_id
    result = await db.u.replace_one({"a": 1}, {"c": 3})
    assert result.modified_count == 1
    assert await db.u.find_one({"_id": oid}) == {"_id": oid, "c": 3}
    upserted = await db.u.replace_one({"_id": "k"}, {"v": 1}, upsert=True)
    assert upserted.upserted_id == "k"


async def test_find_one_and_update_returns_before_or_after(db: Any) -> None:
    await db.u.insert_many([{"_id": 1, "q": "x", "n": 1}, {"_id": 2, "q": "x", "n": 5}])
    before = await db.u.find_one_and_update({"q": "x"}, {"$inc": {"n": 1}}, sort=[("n", -1)])
    assert before == {"_id": 2, "q": "x", "n": 5}
    after = await db.u.find_one_and_update({"q": "x"}, {"$inc": {"n": 1}}, sort=[("n", 1)],
                                           return_document=ReturnDocument.AFTER, projection={"n": 1, "_id": 0})
    assert after == {"n": 2}
    assert await db.u.find_one_and_update({"q": "none"}, {"$set": {"n": 0}}) is None
    created = await db.u.find_one_and_update({"q": "new"}, {"$set": {"n": 0}}, upsert=True, return_document=ReturnDocument.AFTER)
    assert created["q"] == "new" and isinstance(created["_id"], ObjectId)


async def test_find_one_and_delete_and_deletes(db: Any) -> None:
    await db.u.insert_many([{"_id": i, "k": i % 2} for i in range(6)])
    assert await db.u.find_one_and_delete({"k": 1}, sort=[("_id", -1)]) == {"_id": 5, "k": 1}
    assert (await db.u.delete_one({"k": 1})).deleted_count == 1
    assert (await db.u.delete_many({"k": 0})).deleted_count == 3
    assert [d["_id"] async for d in db.u.find()] == [3]


async def test_a_pull_condition_is_compiled_once_for_the_whole_array(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sliding-window throttle pulls its old hits out of an array on every attempt."""
    from community.storage import matching

    await db.limits.insert_one({"_id": "k", "hits": list(range(1000)), "tags": ["a", "b", "a", "c"]})
    compiled: list[object] = []
    original = matching.compile_filter
    monkeypatch.setattr(matching, "compile_filter", lambda spec: compiled.append(spec) or original(spec))
    await db.limits.update_one({"_id": "k"}, {"$pull": {"hits": {"$lte": 989}, "tags": "a"}})
    assert await db.limits.find_one({"_id": "k"}) == {"_id": "k", "hits": list(range(990, 1000)), "tags": ["b", "c"]}
    assert len(compiled) <= 4, f"compiled {len(compiled)} times for 1,004 elements"
