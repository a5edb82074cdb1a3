"""``find`` cursors read SQLite in batches, with the answers of one read of everything.

``async for`` holds one batch at a time (``batch_size``, else ``BATCH_ROWS``), so iterating is
linear in the documents read: it used to read every match at once and pop each from the front
of a list. Each batch resumes where the last stopped, whatever the plan (collection scan,
index range forwards or backwards, several ranges, a multikey index, a sort in memory), and
inside a transaction it reads through the transaction, seeing its writes."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import OperationFailure

from community.storage.cursors import BATCH_ROWS
from community.storage.tables import Context


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents each batch of a ``find`` read from SQLite."""
    sizes: list[int] = []
    fetch = Context.fetch

    def counted(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        rows = fetch(ctx, *args, **kwargs)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(Context, "fetch", counted)
    return sizes


async def _fill(db: Any, count: int = 60) -> None:
    await db.c.create_index("n")
    await db.c.create_index("tags")
    await db.c.create_index("u", unique=True)
    await db.c.insert_many([
        {"_id": i, "n": i % 7, "u": (i * 37) % count, "odd": i % 2, "tags": [f"t{i % 5}", f"t{i % 3}"]}
        for i in range(count)
    ])


async def test_async_for_holds_one_batch_at_a_time(db: Any, batches: list[int]) -> None:
    await db.c.insert_many([{"_id": i} for i in range(50)])
    batches.clear()
    seen = []
    async for doc in db.c.find({}, batch_size=7):
        seen.append(doc["_id"])
        assert sum(batches) <= len(seen) + 7  # never more read from SQLite than one batch ahead
    assert seen == list(range(50))
    assert batches == [7] * 7 + [1]


async def test_async_for_without_batch_size_reads_default_batches_and_to_list_reads_once(
        db: Any, batches: list[int]) -> None:
    await db.c.insert_many([{"_id": i} for i in range(2 * BATCH_ROWS + 5)])
    batches.clear()
    assert [doc["_id"] async for doc in db.c.find()] == list(range(2 * BATCH_ROWS + 5))
    assert batches == [BATCH_ROWS, BATCH_ROWS, 5]
    batches.clear()
    assert len(await db.c.find().to_list()) == 2 * BATCH_ROWS + 5
    assert batches == [2 * BATCH_ROWS + 5]


async def test_to_list_with_a_length_reads_no_further(db: Any, batches: list[int]) -> None:
    await db.c.insert_many([{"_id": i} for i in range(30)])
    batches.clear()
    cursor = db.c.find().sort("_id", -1).batch_size(4)
    assert [d["_id"] for d in await cursor.to_list(6)] == [29, 28, 27, 26, 25, 24]
    assert batches == [4, 2]
    assert [d["_id"] for d in await cursor.to_list(3)] == [23, 22, 21]
    assert [d["_id"] async for d in cursor] == list(range(20, -1, -1))


QUERIES: list[tuple[dict[str, Any], list[tuple[str, int]], int, int]] = [
    ({}, [], 0, 0),  # collection scan
    ({"odd": 1}, [], 3, 0),  # collection scan with a filter and a skip
    ({}, [("n", 1)], 0, 0),  # index order, duplicate keys
    ({}, [("n", -1)], 5, 11),  # backwards, skip and limit
    ({"n": {"$gte": 2, "$lt": 5}}, [("n", 1)], 0, 0),  # one range
    ({"n": {"$in": [1, 4, 6]}, "odd": 0}, [], 0, 0),  # several ranges
    ({"u": {"$in": list(range(0, 60, 3))}}, [], 0, 0),  # unique keys in one statement
    ({"u": {"$in": list(range(0, 60, 3))}}, [("u", -1)], 2, 0),  # and backwards
    ({"u": {"$gt": 10}}, [("u", -1)], 0, 0),  # a unique index's range, backwards
    ({"tags": {"$in": ["t0", "t1", "t2"]}}, [], 0, 0),  # multikey: each document once
    ({"tags": "t1"}, [("odd", 1), ("_id", -1)], 1, 9),  # a sort in memory
]


@pytest.mark.parametrize(("filter_", "sort", "skip", "limit"), QUERIES)
async def test_every_batch_size_gives_the_answer_of_one_read(db: Any, filter_: dict[str, Any], sort: Any,
                                                             skip: int, limit: int) -> None:
    await _fill(db)
    whole = await db.c.find(filter_, sort=sort or None, skip=skip, limit=limit).to_list()
    assert whole and len({doc["_id"] for doc in whole}) == len(whole)
    for size in (1, 2, 5):
        cursor = db.c.find(filter_, sort=sort or None, skip=skip, limit=limit, batch_size=size)
        assert [doc async for doc in cursor] == whole
        cursor = db.c.find(filter_, sort=sort or None, skip=skip, limit=limit, batch_size=size)
        assert await cursor.to_list(3) + await cursor.to_list() == whole


async def test_a_cursor_in_a_transaction_reads_the_transactions_writes_in_every_batch(
        client: Any, db: Any, batches: list[int]) -> None:
    await db.c.insert_many([{"_id": i, "at": "before"} for i in range(6)])
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.c.insert_many([{"_id": i, "at": "inside"} for i in range(6, 10)], session=session)
            batches.clear()
            cursor = db.c.find({}, sort=[("_id", 1)], batch_size=3, session=session)
            first = [await cursor.next() for _ in range(3)]
            await db.c.update_one({"_id": 8}, {"$set": {"at": "changed"}}, session=session)
            rest = [doc async for doc in cursor]
            assert await db.c.count_documents({}) == 6  # outside, nothing yet
    assert [doc["at"] for doc in first + rest] == ["before"] * 6 + ["inside", "inside", "changed", "inside"]
    assert batches == [3, 1, 3, 3, 1]  # the cursor's four batches, and the update's read between them


async def test_dropping_the_index_a_cursor_reads_ends_it_with_mongodbs_error(db: Any) -> None:
    await db.c.create_index("n")
    await db.c.insert_many([{"_id": i, "n": i} for i in range(10)])
    cursor = db.c.find({"n": {"$gte": 0}}, batch_size=2)
    assert [(await cursor.next())["n"] for _ in range(2)] == [0, 1]
    await db.c.drop_index("n_1")
    with pytest.raises(OperationFailure) as caught:
        await cursor.next()
    assert caught.value.code == 175


async def test_batch_size_is_checked_as_pymongo_checks_it(db: Any) -> None:
    with pytest.raises(TypeError):
        db.c.find().batch_size("2")
    with pytest.raises(ValueError):
        db.c.find(batch_size=-1)
    cursor = db.c.find()
    await cursor.to_list()
    with pytest.raises(Exception, match="after executing"):
        cursor.batch_size(5)
