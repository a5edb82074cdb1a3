"""Short reads run on the event loop, long ones on a reader thread, with the same answers.

A ``find`` with a small limit in an index's order (a reply's duplicate check) and a read of a
collection that does not exist are tried on the loop; one that would examine more than
``INLINE_ROWS`` rows gives up there and runs again on a reader thread."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from community.storage.runtime import INLINE_ROWS, Engine

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The reads sent to a reader thread, and those run on the writer thread in a transaction."""
    sent: list[object] = []
    read_job, on_writer = Engine._read_job, Engine._on_writer
    monkeypatch.setattr(Engine, "_read_job", lambda engine, fn: sent.append(fn) or read_job(engine, fn))

    async def writer(engine: Engine, job: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(job)
        return await on_writer(engine, job, *args, **kwargs)

    monkeypatch.setattr(Engine, "_on_writer", writer)
    return sent


async def _posts(db: Any) -> None:
    await db.posts.create_index([("author", 1), ("hash", 1), ("at", 1)])
    await db.posts.insert_many([
        {"_id": n, "author": n % 3, "hash": "h" if n % 2 else "g", "at": NOW + datetime.timedelta(minutes=n),
         "deleted": n == 7}
        for n in range(30)
    ])


def _duplicate(author: int, hash_: str, since_minutes: int) -> dict[str, Any]:
    return {"author": author, "hash": hash_, "at": {"$gte": NOW + datetime.timedelta(minutes=since_minutes)},
            "deleted": False}


async def test_a_limit_one_read_by_an_index_prefix_and_a_range_runs_on_the_loop(db: Any, trips: list[object]) -> None:
    await _posts(db)
    trips.clear()
    assert (await db.posts.find_one(_duplicate(1, "h", 0)))["_id"] == 1
    assert (await db.posts.find_one(_duplicate(1, "h", 8)))["_id"] == 13, "7 is deleted, the next of author 1 is 13"
    assert (await db.posts.find_one(_duplicate(1, "h", 6)))["_id"] == 13, "7 is deleted: the predicate still applies"
    assert await db.posts.find_one(_duplicate(1, "h", 29)) is None
    assert await db.posts.find_one(_duplicate(4, "h", 0)) is None
    newest = await db.posts.find({"author": 2, "hash": "g"}, sort=[("at", -1)], limit=2).to_list()
    assert [doc["_id"] for doc in newest] == [26, 20]
    assert trips == [], "a short read went to a thread"


async def test_a_read_with_more_to_examine_runs_on_a_reader_thread_with_the_same_answer(
        db: Any, trips: list[object]) -> None:
    await db.posts.create_index([("author", 1), ("at", 1)])
    await db.posts.insert_many([{"_id": n, "author": 1, "at": NOW + datetime.timedelta(minutes=n), "deleted": n < 40}
                                for n in range(50)])
    trips.clear()
    found = await db.posts.find_one({"author": 1, "at": {"$gte": NOW}, "deleted": False})
    assert found["_id"] == 40, "40 rows examined: more than the loop may, the answer still the first match"
    assert len(trips) == 1, "the read gave up on the loop and ran once on a reader thread"
    trips.clear()
    unordered = await db.posts.find({"author": 1}, sort=[("deleted", 1), ("_id", -1)], limit=1).to_list()
    assert [doc["_id"] for doc in unordered] == [49]
    assert len(trips) == 1, "a sort the index does not give reads the whole range: a reader thread"
    assert INLINE_ROWS < 40


async def test_a_read_of_a_collection_that_does_not_exist_runs_on_the_loop(db: Any, trips: list[object]) -> None:
    assert await db.preferences.find_one({"_id": "someone"}) is None
    assert await db.preferences.find({"kind": "x"}, sort=[("at", 1)]).to_list() == []
    assert trips == []
    await db.preferences.insert_many([{"_id": n, "kind": "x", "at": n} for n in range(INLINE_ROWS * 2)])
    trips.clear()
    assert len(await db.preferences.find({"kind": "x"}).to_list()) == INLINE_ROWS * 2, "the collection now exists"
    assert len(trips) == 1


async def test_in_a_transaction_a_short_read_sees_its_own_writes_on_the_loop(
        client: Any, db: Any, trips: list[object]) -> None:
    await _posts(db)
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.posts.insert_one({"_id": 100, "author": 5, "hash": "h", "at": NOW, "deleted": False},
                                      session=session)
            trips.clear()
            assert (await db.posts.find_one(_duplicate(5, "h", 0), session=session))["_id"] == 100
            assert trips == []
            assert await db.posts.find_one(_duplicate(5, "h", 0)) is None, "not committed yet"
            many = await db.posts.find_one({"at": {"$gte": NOW}, "deleted": True}, session=session)
            assert many["_id"] == 7


async def test_a_read_by_a_few_keys_of_a_unique_index_runs_on_the_loop(db: Any, trips: list[object]) -> None:
    await db.votes.insert_many([{"_id": f"post{n}|asha", "post": n} for n in range(0, 60, 2)])
    trips.clear()
    page = [f"post{n}|asha" for n in range(20)]
    found = await db.votes.find({"_id": {"$in": page}}, {"post": 1}).to_list()
    assert sorted(doc["post"] for doc in found) == list(range(0, 20, 2))
    assert trips == [], "twenty probes of the _id index: on the loop"
    many = [f"post{n}|asha" for n in range(INLINE_ROWS + 30)]
    found = await db.votes.find({"_id": {"$in": many}}).to_list()
    assert len(found) == len(range(0, min(60, INLINE_ROWS + 30), 2))
    assert len(trips) == 1, "more keys than the loop may probe: a reader thread"
    await db.votes.create_index([("post", 1), ("kind", 1)])
    trips.clear()
    assert await db.votes.find({"post": {"$in": [2, 4]}}).to_list() != []
    assert len(trips) == 1, "keys of an index that is not unique may each hold many documents"


async def test_keys_of_a_unique_index_are_read_with_one_statement(client: Any, db: Any) -> None:
    await db.votes.create_index([("post", 1), ("person", -1)], unique=True)
    await db.votes.insert_many([{"_id": n, "post": n % 5, "person": n // 5} for n in range(40)])
    statements: list[str] = []
    for conn in (client.engine._inline_conn, client.engine._conn):
        conn.set_trace_callback(statements.append)
    ids = [3, 17, 8, 39, 100, 21]
    assert [doc["_id"] for doc in await db.votes.find({"_id": {"$in": ids}}, sort=[("_id", -1)]).to_list()] == [
        39, 21, 17, 8, 3]
    pairs = await db.votes.find({"post": {"$in": [1, 4]}, "person": {"$in": [7, 2, 9]}}).to_list()
    assert sorted(doc["_id"] for doc in pairs) == [11, 14, 36, 39]
    selects = [s for s in statements if s.startswith("SELECT") and " JOIN " in s]
    assert len(selects) == 2, "one statement per read, not one per key"


async def test_a_read_while_nothing_writes_runs_on_the_writers_connection(
        client: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite empties a connection's page cache when another one has committed since its last
    read; the writer's own commits keep its cache, so a read between writes goes there."""
    await _posts(db)
    used: list[object] = []
    fresh = Engine._fresh_catalog
    monkeypatch.setattr(Engine, "_fresh_catalog", lambda engine, conn: used.append(conn) or fresh(engine, conn))
    engine = client.engine
    await db.posts.update_one({"_id": 3}, {"$set": {"hash": "k"}})
    assert (await db.posts.find_one({"_id": 3}))["hash"] == "k"
    assert used == [engine._conn]
    used.clear()
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.posts.update_one({"_id": 3}, {"$set": {"hash": "m"}}, session=session)
            assert (await db.posts.find_one({"_id": 3}))["hash"] == "k", "another read never sees the open transaction"
    assert used == [engine._inline_conn]
    assert (await db.posts.find_one({"_id": 3}))["hash"] == "m"
