"""Loud errors: PyMongo's exception classes with MongoDB's codes, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import IndexModel
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError


async def test_duplicate_key_names_index_and_value(db: Any) -> None:
    await db.users.create_index("email", unique=True)
    await db.users.insert_one({"email": "a@x"})
    with pytest.raises(DuplicateKeyError) as caught:
        await db.users.insert_one({"email": "a@x", "other": 1})
    assert caught.value.code == 11000
    assert "index: email_1 dup key: { email: \"a@x\" }" in str(caught.value)
    assert caught.value.details["keyValue"] == {"email": "a@x"}
    assert await db.users.count_documents({}) == 1


async def test_duplicate_id(db: Any) -> None:
    await db.c.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError, match="_id_"):
        await db.c.insert_one({"_id": 1.0})  # 1 and 1.0 are the same key


async def test_unique_update_collision_changes_nothing(db: Any) -> None:
    await db.users.create_index("email", unique=True)
    await db.users.insert_many([{"_id": 1, "email": "a"}, {"_id": 2, "email": "b"}])
    with pytest.raises(DuplicateKeyError):
        await db.users.update_one({"_id": 2}, {"$set": {"email": "a", "name": "x"}})
    assert await db.users.find_one({"_id": 2}) == {"_id": 2, "email": "b"}


async def test_insert_many_ordered_stops_at_the_first_error(db: Any) -> None:
    await db.c.insert_one({"_id": 2})
    with pytest.raises(BulkWriteError) as caught:
        await db.c.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}])
    assert caught.value.details["nInserted"] == 1
    assert caught.value.details["writeErrors"][0]["index"] == 1
    assert sorted([d["_id"] async for d in db.c.find()]) == [1, 2]
    with pytest.raises(BulkWriteError):
        await db.c.insert_many([{"_id": 2}, {"_id": 4}], ordered=False)
    assert sorted([d["_id"] async for d in db.c.find()]) == [1, 2, 4]


async def test_unique_index_refuses_existing_duplicates(db: Any) -> None:
    await db.c.insert_many([{"k": 1}, {"k": 1}])
    with pytest.raises(DuplicateKeyError):
        await db.c.create_index("k", unique=True)
    assert set(await db.c.index_information()) == {"_id_"}


async def test_unique_treats_missing_as_null_unless_sparse(db: Any) -> None:
    await db.a.create_index("k", unique=True)
    await db.a.insert_one({})
    with pytest.raises(DuplicateKeyError):
        await db.a.insert_one({})
    await db.b.create_index("k", unique=True, sparse=True)
    await db.b.insert_many([{}, {}])
    assert await db.b.count_documents({}) == 2


async def test_inc_on_a_string(db: Any) -> None:
    await db.c.insert_one({"_id": 1, "n": "five"})
    with pytest.raises(WriteError) as caught:
        await db.c.update_one({"_id": 1}, {"$inc": {"n": 1}})
    assert caught.value.code == 14
    assert "Cannot apply $inc to a value of non-numeric type" in str(caught.value)
    assert "non-numeric type string" in str(caught.value)
    with pytest.raises(WriteError, match="Cannot increment with non-numeric argument"):
        await db.c.update_one({"_id": 1}, {"$inc": {"m": "1"}})


@pytest.mark.parametrize(("update", "error", "match"), [
    ({}, ValueError, "update cannot be empty"),
    ({"n": 1}, ValueError, r"update only works with \$ operators"),
    ({"$rename": {"a": "b"}}, WriteError, r"\$rename"),
    ({"$set": {"a": 1}, "$inc": {"a": 1}}, WriteError, "would create a conflict at 'a'"),
    ({"$set": {"a.b": 1, "a": 1}}, WriteError, "conflict"),
    ({"$set": 5}, WriteError, "Modifiers operate on fields"),
    ({"$set": {"_id": 2}}, WriteError, "immutable field '_id'"),
    ({"$push": {"s": 1}}, WriteError, "must be an array but is of type string"),
    ({"$set": {"s.x": 1}}, WriteError, "Cannot create field 'x'"),
    ({"$push": {"arr": {"$each": [1], "$sort": 1}}}, WriteError, r"\$sort"),
    ({"$set": {"arr.$[x]": 1}}, WriteError, "No array filter found for identifier 'x'"),
    ({"$set": {"arr.$": 1}}, WriteError, "positional operator did not find the match"),
])
async def test_malformed_updates(db: Any, update: dict[str, Any], error: type[Exception], match: str) -> None:
    await db.c.insert_one({"_id": 1, "s": "text", "arr": [1]})
    with pytest.raises(error, match=match):
        await db.c.update_one({"_id": 1}, update)
    assert await db.c.find_one({"_id": 1}) == {"_id": 1, "s": "text", "arr": [1]}


async def test_unused_array_filter(db: Any) -> None:
    await db.c.insert_one({"_id": 1, "arr": [1]})
    with pytest.raises(WriteError, match="array filter for identifier 'y' was not used"):
        await db.c.update_one({"_id": 1}, {"$set": {"arr.0": 2}}, array_filters=[{"y": 1}])


async def test_replacement_with_operators_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="replacement can not include"):
        await db.c.replace_one({}, {"$set": {"a": 1}})


@pytest.mark.parametrize(("filter_", "name"), [
    ({"a": {"$where": "1"}}, "$where"),
    ({"$where": "this.a"}, "$where"),
    ({"$expr": {"$eq": ["$a", 1]}}, "$expr"),
    ({"$text": {"$search": "x"}}, "$text"),
    ({"a": {"$type": "string"}}, "$type"),
    ({"a": {"$mod": [2, 0]}}, "$mod"),
    ({"a": {"$near": [0, 0]}}, "$near"),
    ({"a": {"$gt": 1, "b": 2}}, "b"),
])
async def test_unknown_query_operators_are_named(db: Any, filter_: dict[str, Any], name: str) -> None:
    await db.c.insert_one({"a": 1})
    with pytest.raises(OperationFailure) as caught:
        await db.c.find(filter_).to_list()
    assert name in str(caught.value)
    with pytest.raises(OperationFailure):
        await db.empty.count_documents(filter_)  # even when there is nothing to scan


@pytest.mark.parametrize(("stage", "name"), [
    ({"$lookup": {"from": "x"}}, "$lookup"),
    ({"$group": {"_id": None, "s": {"$stdDevPop": "$a"}}}, "$stdDevPop"),
    ({"$project": {"x": {"$concat": ["$a", "b"]}}}, "$concat"),
    ({"$unwind": {"path": "$a", "weird": True}}, "weird"),
])
async def test_unknown_stages_and_expressions_are_named(db: Any, stage: dict[str, Any], name: str) -> None:
    await db.c.insert_one({"a": [1]})
    with pytest.raises(OperationFailure, match=f"\\{name}" if name.startswith("$") else name):
        await db.c.aggregate([stage])


async def test_unknown_options_are_named(db: Any) -> None:
    with pytest.raises(OperationFailure, match="hint"):
        db.c.find({}, hint="a_1")
    with pytest.raises(OperationFailure, match="collation"):
        await db.c.update_one({}, {"$set": {"a": 1}}, collation={"locale": "fr"})
    with pytest.raises(OperationFailure, match="partialFilterExpression"):
        await db.c.create_index("a", partialFilterExpression={"a": 1})
    with pytest.raises(OperationFailure, match="text"):
        await db.c.create_indexes([IndexModel([("a", "text")])])
    with pytest.raises(OperationFailure, match=r"\$slice"):
        await db.c.find({}, {"a": {"$slice": 1}}).to_list()
    with pytest.raises(OperationFailure, match="bad sort"):
        db.c.find().sort("a", 2)
    with pytest.raises(AttributeError, match="watch"):
        db.c.watch()
    with pytest.raises(OperationFailure, match="batch_size"):
        await db.c.aggregate([], batch_size=10)
    with pytest.raises(OperationFailure, match="database-level aggregate"):
        await db.aggregate([{"$currentOp": {}}])
    with pytest.raises(TypeError, match="'watch' is not part of the embedded engine's API"):
        db.watch()


async def test_index_conflicts_and_drops(db: Any) -> None:
    await db.c.create_index("a", name="by_a")
    with pytest.raises(OperationFailure, match="different name") as caught:
        await db.c.create_index("a", name="other")
    assert caught.value.code == 85
    with pytest.raises(OperationFailure) as conflict:
        await db.c.create_index("a", name="by_a", unique=True)
    assert conflict.value.code == 86
    with pytest.raises(OperationFailure, match="index not found"):
        await db.c.drop_index("nope")
    with pytest.raises(OperationFailure, match="cannot drop _id index"):
        await db.c.drop_index("_id_")
    await db.c.drop_index("by_a")
    assert set(await db.c.index_information()) == {"_id_"}


async def test_unsupported_value_types_are_refused(db: Any) -> None:
    from bson import Decimal128

    await db.c.insert_one({"a": 1})
    with pytest.raises(OperationFailure, match="Decimal128"):
        await db.c.find_one({"a": Decimal128("1")})


async def test_parallel_arrays_cannot_be_indexed(db: Any) -> None:
    await db.c.create_index([("a", 1), ("b", 1)])
    with pytest.raises(WriteError, match="parallel arrays"):
        await db.c.insert_one({"a": [1], "b": [2]})
    assert await db.c.count_documents({}) == 0


@pytest.mark.parametrize("bad_id", [{"$a": 1}, {"a": {"$b": 1}}, {"a": [{"$c": 1}]}])
async def test_dollar_prefixed_fields_in_id_are_refused(db: Any, bad_id: Any) -> None:
    with pytest.raises(WriteError, match="_id fields may not contain '\\$'-prefixed fields") as caught:
        await db.c.insert_one({"_id": bad_id})
    assert caught.value.code == 52
    with pytest.raises(BulkWriteError) as batch:
        await db.c.insert_many([{"_id": 1}, {"_id": bad_id}, {"_id": 3}])
    assert [(e["index"], e["code"]) for e in batch.value.details["writeErrors"]] == [(1, 52)]
    with pytest.raises(WriteError) as upsert:
        await db.c.replace_one({"x": 1}, {"_id": bad_id, "n": 1}, upsert=True)
    assert upsert.value.code == 52
    assert await db.c.distinct("_id") == [1]
    await db.c.insert_one({"_id": {"a": 1}, "doc": {"$keep": 1}})  # elsewhere MongoDB allows them


@pytest.mark.parametrize("value", [2 ** 63, -(2 ** 63) - 1, 10 ** 400])
async def test_integers_beyond_64_bits_are_refused_as_pymongo_refuses_them(db: Any, value: int) -> None:
    await db.c.create_index("n")
    await db.c.insert_one({"_id": 1, "n": 2 ** 63 - 1})
    message = "MongoDB can only handle up to 8-byte ints"
    with pytest.raises(OverflowError, match=message):
        await db.c.find({"n": {"$lt": value}}).to_list()  # indexed: the key encoder never sees it
    with pytest.raises(OverflowError, match=message):
        await db.c.find_one({"m": value})  # not indexed: refused, not "no match"
    with pytest.raises(OverflowError, match=message):
        await db.c.count_documents({"n": {"$in": [1, value]}})
    with pytest.raises(OverflowError, match=message):
        await db.c.insert_one({"n": value})
    with pytest.raises(OverflowError, match=message):
        await db.c.update_one({"_id": 1}, {"$set": {"n": value}})
    with pytest.raises(OverflowError, match=message):
        await db.c.aggregate([{"$match": {"n": value}}])
    assert await db.c.find({}).to_list() == [{"_id": 1, "n": 2 ** 63 - 1}]


async def test_aggregate_takes_pymongos_batch_size_option(db: Any) -> None:
    await db.c.insert_many([{"n": i} for i in range(3)])
    cursor = await db.c.aggregate([{"$count": "n"}], batchSize=2, allowDiskUse=True)
    assert await cursor.to_list() == [{"n": 3}]


async def test_a_replacement_cannot_change_the_id(db: Any) -> None:
    await db.c.insert_one({"_id": 1, "n": 0})
    for replace in (lambda: db.c.replace_one({"_id": 1}, {"_id": 2, "n": 1}),
                    lambda: db.c.find_one_and_replace({"_id": 1}, {"_id": 2, "n": 1})):
        with pytest.raises(WriteError, match=r"\(immutable\) field '_id'") as caught:
            await replace()
        assert caught.value.code == 66
    assert await db.c.find({}).to_list() == [{"_id": 1, "n": 0}]
    assert await db.c.find_one_and_replace({"_id": 1}, {"_id": 1, "n": 2}) == {"_id": 1, "n": 0}
