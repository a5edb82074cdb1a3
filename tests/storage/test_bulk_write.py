"""``bulk_write``: PyMongo's requests, results and errors, ordered and unordered, in and out of
transactions (the differential suite compares random bulks with mongomock and MongoDB)."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, InvalidOperation, OperationFailure
from pymongo.results import BulkWriteResult


async def test_every_request_kind_and_the_result(db: Any) -> None:
    await db.c.insert_many([{"_id": 1, "n": 1}, {"_id": 2, "n": 2}, {"_id": 3, "n": 3}])
    result = await db.c.bulk_write([
        InsertOne({"_id": 4, "n": 4}),
        UpdateOne({"_id": 1}, {"$inc": {"n": 10}}),
        UpdateMany({"n": {"$gte": 3}}, {"$set": {"big": True}}),
        ReplaceOne({"_id": 2}, {"n": 20}),
        UpdateOne({"_id": 9}, {"$set": {"n": 9}}, upsert=True),
        ReplaceOne({"_id": 8}, {"n": 8}, upsert=True),
        DeleteOne({"_id": 3}),
        DeleteMany({"n": {"$lt": 10}}),
        UpdateOne({"_id": 1}, {"$set": {"n": 11}}),  # matched, not modified
    ])
    assert isinstance(result, BulkWriteResult) and result.acknowledged
    assert (result.inserted_count, result.matched_count, result.modified_count, result.deleted_count) == (1, 6, 5, 4)
    assert result.upserted_count == 2
    assert result.upserted_ids == {4: 9, 5: 8}
    assert await db.c.find({}).sort("_id", 1).to_list() == [
        {"_id": 1, "n": 11, "big": True}, {"_id": 2, "n": 20},
    ]


async def test_an_ordered_bulk_stops_at_the_first_error_and_keeps_what_came_before(db: Any) -> None:
    await db.c.create_index("email", unique=True)
    await db.c.insert_one({"_id": 1, "email": "a@x"})
    requests = [InsertOne({"_id": 2, "email": "b@x"}), UpdateOne({"_id": 2}, {"$set": {"email": "a@x"}}),
                InsertOne({"_id": 3, "email": "c@x"})]
    with pytest.raises(BulkWriteError) as caught:
        await db.c.bulk_write(requests)
    details = caught.value.details
    assert caught.value.code == 65
    assert (details["nInserted"], details["nMatched"], details["nModified"]) == (1, 0, 0)
    [error] = details["writeErrors"]
    assert error["index"] == 1 and error["code"] == 11000
    assert "dup key" in error["errmsg"] and error["keyValue"] == {"email": "a@x"}
    assert error["op"] == {"q": {"_id": 2}, "u": {"$set": {"email": "a@x"}}, "multi": False, "upsert": False}
    assert await db.c.distinct("_id") == [1, 2]


async def test_an_unordered_bulk_carries_on_and_reports_every_error(db: Any) -> None:
    await db.c.insert_one({"_id": 1, "n": "text"})
    with pytest.raises(BulkWriteError) as caught:
        await db.c.bulk_write([InsertOne({"_id": 1}), UpdateOne({"_id": 1}, {"$inc": {"n": 1}}),
                               InsertOne({"_id": 2}), DeleteOne({"_id": 1})], ordered=False)
    details = caught.value.details
    assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(0, 11000), (1, 14)]
    assert details["writeErrors"][0]["op"] == {"_id": 1}
    assert (details["nInserted"], details["nRemoved"]) == (1, 1)
    assert await db.c.distinct("_id") == [2]


async def test_inside_a_transaction_all_or_nothing(client: Any, db: Any) -> None:
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.c.bulk_write([InsertOne({"_id": 1}), InsertOne({"_id": 2})], session=session)
    assert await db.c.count_documents({}) == 2
    async with client.start_session() as session:
        await session.start_transaction()
        await db.log.insert_one({"_id": "before"}, session=session)
        with pytest.raises(BulkWriteError):
            await db.c.bulk_write([InsertOne({"_id": 3}), InsertOne({"_id": 1})], session=session)
        with pytest.raises(OperationFailure) as commit:
            await session.commit_transaction()
        assert commit.value.code == 251
    assert await db.c.distinct("_id") == [1, 2]
    assert await db.log.count_documents({}) == 0


async def test_requests_are_checked_before_anything_is_written(db: Any) -> None:
    with pytest.raises(ValueError, match=r"\$ operators"):
        await db.c.bulk_write([InsertOne({"_id": 1}), UpdateOne({}, {"n": 1})])
    with pytest.raises(ValueError, match=r"\$ operators"):
        await db.c.bulk_write([InsertOne({"_id": 1}), ReplaceOne({}, {"$set": {"n": 1}})])
    with pytest.raises(TypeError, match="not a valid request"):
        await db.c.bulk_write([InsertOne({"_id": 1}), {"insertOne": {"_id": 2}}])
    with pytest.raises(TypeError, match="must be a list"):
        await db.c.bulk_write(InsertOne({"_id": 1}))
    with pytest.raises(InvalidOperation, match="No operations"):
        await db.c.bulk_write([])
    with pytest.raises(OperationFailure, match="collation"):
        await db.c.bulk_write([InsertOne({"_id": 1}), DeleteOne({}, collation={"locale": "fr"})])
    with pytest.raises(OperationFailure, match="hint"):
        await db.c.bulk_write([UpdateMany({}, {"$set": {"n": 1}}, hint="n_1")])
    assert await db.c.count_documents({}) == 0


async def test_insert_one_gives_the_document_its_id_as_pymongo_does(db: Any) -> None:
    document: dict[str, Any] = {"n": 1}
    await db.c.bulk_write([InsertOne(document)])
    assert await db.c.find_one({}) == document
