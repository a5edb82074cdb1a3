"""Indexes are real: queries and sorts use them (explain says which, and that nothing was
scanned), multikey/sparse/unique behave as in MongoDB, TTL documents expire in the background."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from pymongo import IndexModel

from community.storage import connect

N = 3000


@pytest.fixture
async def big(db: Any) -> Any:
    await db.big.create_indexes([
        IndexModel([("k", 1)], unique=True),
        IndexModel([("cat", 1), ("score", -1)]),
        IndexModel([("tags", 1)]),
    ])
    await db.big.insert_many([
        {"k": i, "cat": i % 7, "score": (i * 37) % 1000, "tags": [f"t{i % 11}", f"u{i % 13}"], "name": f"n{i}"}
        for i in range(N)
    ])
    return db.big


def winning(plan: dict[str, Any]) -> dict[str, Any]:
    return plan["queryPlanner"]["winningPlan"]


async def test_equality_on_a_unique_index_reads_one_document(big: Any) -> None:
    plan = await big.find({"k": 1234}).explain()
    assert winning(plan)["inputStage"]["indexName"] == "k_1"
    assert plan["executionStats"]["totalDocsExamined"] == 1
    assert (await big.find_one({"k": 1234}))["name"] == "n1234"


async def test_an_empty_in_reads_nothing(big: Any) -> None:
    for filter_ in ({"k": {"$in": []}}, {"tags": {"$in": []}}, {"cat": {"$in": []}, "score": {"$gt": 5}},
                    {"k": {"$in": []}, "name": "n5"}):
        plan = await big.find(filter_).explain()
        assert winning(plan)["stage"] == "FETCH", filter_
        assert plan["executionStats"]["totalDocsExamined"] == 0, filter_
        assert await big.find(filter_).to_list() == []
        assert await big.count_documents(filter_) == 0


async def test_range_reads_only_the_range(big: Any) -> None:
    plan = await big.find({"k": {"$gte": 100, "$lt": 110}}).explain()
    assert winning(plan)["inputStage"]["indexName"] == "k_1"
    assert plan["executionStats"]["totalDocsExamined"] == 10
    assert [d["k"] for d in await big.find({"k": {"$gt": 100, "$lte": 103}}).to_list()] == [101, 102, 103]


async def test_compound_prefix_and_sort_in_index_order(big: Any) -> None:
    cursor = big.find({"cat": 3}).sort("score", -1).limit(20)
    plan = await cursor.explain()
    assert winning(plan)["inputStage"]["indexName"] == "cat_1_score_-1"
    assert winning(plan)["stage"] == "FETCH"  # no SORT stage: the index gives the order
    assert plan["executionStats"]["totalDocsExamined"] == 20
    got = [d["score"] for d in await big.find({"cat": 3}).sort("score", -1).limit(20).to_list()]
    expected = sorted((((i * 37) % 1000) for i in range(N) if i % 7 == 3), reverse=True)[:20]
    assert got == expected
    backward = await big.find({"cat": 3}).sort("score", 1).limit(5).explain()
    assert winning(backward)["inputStage"]["direction"] == "backward"
    assert backward["executionStats"]["totalDocsExamined"] == 5


async def test_sort_alone_walks_the_index(big: Any) -> None:
    plan = await big.find({}).sort("k", -1).limit(3).explain()
    assert winning(plan)["inputStage"]["indexName"] == "k_1"
    assert plan["executionStats"]["totalDocsExamined"] == 3
    assert [d["k"] for d in await big.find({}).sort("k", -1).limit(3).to_list()] == [N - 1, N - 2, N - 3]


async def test_multikey_index_on_array_elements(big: Any) -> None:
    plan = await big.find({"tags": "t5"}).explain()
    assert winning(plan)["inputStage"]["indexName"] == "tags_1"
    expected = sum(1 for i in range(N) if i % 11 == 5)
    assert plan["executionStats"]["totalDocsExamined"] == expected
    assert await big.count_documents({"tags": {"$in": ["t5", "u5"]}}) == sum(1 for i in range(N) if i % 11 == 5 or i % 13 == 5)


async def test_equality_on_the_array_field_lets_a_multikey_index_give_the_order(db: Any) -> None:
    """Threads by tag, most recent first: each document has one key per tag, so fixing the tag
    meets each document once, in the order of the fields after it; with a range on the tag, or
    an array in the sorted field, the order is not the index's and the results are sorted."""
    await db.t.create_index([("tags", 1), ("at", -1), ("_id", -1)])
    await db.t.insert_many([{"_id": i, "tags": [f"c{i % 5}", f"c{(i + 1) % 5}"], "at": (i * 7919) % 1000}
                            for i in range(N)])
    cursor = db.t.find({"tags": "c2"}).sort([("at", -1), ("_id", -1)]).limit(10)
    plan = await cursor.explain()
    assert winning(plan)["stage"] == "FETCH", "no SORT stage: the index gives the order"
    assert plan["executionStats"]["totalDocsExamined"] == 10
    expected = sorted(((d["at"], d["_id"]) for d in await db.t.find({"tags": "c2"}).to_list()), reverse=True)[:10]
    assert [(d["at"], d["_id"]) async for d in db.t.find({"tags": "c2"}).sort([("at", -1), ("_id", -1)]).limit(10)] == expected
    ranged = await db.t.find({"tags": {"$gte": "c2"}}).sort([("at", -1), ("_id", -1)]).limit(10).explain()
    assert winning(ranged)["stage"] == "SORT"
    await db.t.insert_one({"_id": N, "tags": "c2", "at": [5000, 1]})  # now `at` has held an array too
    sorted_plan = await db.t.find({"tags": "c2"}).sort([("at", -1), ("_id", -1)]).limit(10).explain()
    assert winning(sorted_plan)["stage"] == "SORT"
    assert [d["_id"] async for d in db.t.find({"tags": "c2"}).sort([("at", -1), ("_id", -1)]).limit(1)] == [N]


async def test_unindexed_query_is_a_collection_scan(big: Any) -> None:
    plan = await big.find({"name": "n5"}).explain()
    assert winning(plan)["stage"] == "COLLSCAN"
    assert plan["executionStats"]["totalDocsExamined"] == N


async def test_index_results_equal_a_scan(big: Any) -> None:
    queries = [
        {"cat": {"$in": [1, 2]}, "score": {"$gt": 500}},
        {"k": {"$lt": 50}, "tags": "t1"},
        {"cat": 2, "score": {"$gte": 100, "$lte": 200}},
        {"k": {"$in": [5, 10, 4000]}},
    ]
    every = await big.find().to_list()
    from community.storage.matching import compile_filter

    for query in queries:
        test = compile_filter(query)
        assert sorted(d["k"] for d in await big.find(query).to_list()) == sorted(d["k"] for d in every if test(d)), query


async def test_sparse_index_skips_missing_and_is_not_used_for_null(db: Any) -> None:
    await db.s.create_index("opt", sparse=True)
    await db.s.insert_many([{"opt": 1}, {}, {"opt": None}])
    assert await db.s.count_documents({"opt": None}) == 2
    plan = await db.s.find({"opt": None}).explain()
    assert winning(plan)["stage"] == "COLLSCAN"
    plan = await db.s.find({"opt": 1}).explain()
    assert winning(plan)["inputStage"]["indexName"] == "opt_1"


async def test_index_on_existing_data_and_dotted_paths(db: Any) -> None:
    await db.d.insert_many([{"p": {"city": c}} for c in ["Pune", "Delhi", "Pune"]])
    await db.d.create_index("p.city")
    plan = await db.d.find({"p.city": "Pune"}).explain()
    assert winning(plan)["inputStage"]["indexName"] == "p.city_1"
    assert plan["executionStats"]["nReturned"] == 2


async def test_numbers_of_different_types_meet_in_the_index(db: Any) -> None:
    await db.n.create_index("v")
    await db.n.insert_many([{"v": 1}, {"v": 1.0}, {"v": 2**40}, {"v": True}])
    assert await db.n.count_documents({"v": 1}) == 2
    assert await db.n.count_documents({"v": {"$gte": 1}}) == 3  # true is a boolean, not a number


async def test_index_information_lists_options(db: Any) -> None:
    await db.i.create_index([("a", 1), ("b", -1)], unique=True, name="ab")
    await db.i.create_index("at", expireAfterSeconds=60)
    info = await db.i.index_information()
    assert info["ab"] == {"v": 2, "key": [("a", 1), ("b", -1)], "unique": True}
    assert info["at_1"]["expireAfterSeconds"] == 60


async def test_ttl_index_expires_documents_in_the_background() -> None:
    client = connect("sqlite:///:memory:?ttl_interval=0.05")
    db = client.app
    await db.sessions.create_index("expires_at", expireAfterSeconds=0)
    now = datetime.datetime.now(datetime.timezone.utc)
    await db.sessions.insert_many([
        {"_id": "old", "expires_at": now - datetime.timedelta(minutes=1)},
        {"_id": "new", "expires_at": now + datetime.timedelta(hours=1)},
        {"_id": "never", "expires_at": "not a date"},
        {"_id": "mixed", "expires_at": [now + datetime.timedelta(hours=1), now - datetime.timedelta(hours=1)]},
    ])
    for _ in range(100):
        if await db.sessions.count_documents({}) == 2:
            break
        await asyncio.sleep(0.02)
    assert sorted([d["_id"] async for d in db.sessions.find()]) == ["never", "new"]
    await client.close()


async def test_drop_and_recreate_collection(db: Any) -> None:
    await db.x.create_index("a", unique=True)
    await db.x.insert_one({"a": 1})
    await db.drop_collection("x")
    assert await db.list_collection_names() == []
    await db.x.insert_one({"a": 1})
    await db.x.insert_one({"a": 1})  # the unique index went with the collection
    assert await db.x.count_documents({"a": 1}) == 2


async def test_range_on_a_multikey_field_may_be_met_by_different_elements(db: Any) -> None:
    await db.m.create_index("a")
    await db.m.insert_many([{"_id": 1, "a": [1, 20]}, {"_id": 2, "a": [7]}, {"_id": 3, "a": 30}])
    query = {"a": {"$gt": 5, "$lt": 10}}  # [1, 20] matches: 20 > 5 and 1 < 10
    assert sorted([d["_id"] async for d in db.m.find(query)]) == [1, 2]
    assert sorted([d["_id"] async for d in db.m.find({"$and": [{"a": {"$gt": 5}}, {"a": {"$lt": 10}}]})]) == [1, 2]


async def test_compound_index_on_fields_of_one_array(db: Any) -> None:
    await db.m.create_index([("items.k", 1), ("items.q", 1)])
    await db.m.insert_one({"_id": 1, "items": [{"k": "p", "q": 1}, {"k": "r", "q": 5}]})
    assert [d["_id"] async for d in db.m.find({"items.k": "p", "items.q": 5})] == [1]
    assert [d["_id"] async for d in db.m.find({"items": {"$elemMatch": {"k": "p", "q": 5}}})] == []


async def test_a_store_that_noted_only_that_an_index_is_multikey_keeps_every_field_multikey(tmp_path: Any) -> None:
    """Stores written before each field's arrays were noted hold 1 in the catalog: read as every
    field of the index having held an array, so no order is taken from it."""
    import sqlite3

    path = tmp_path / "old.db"
    store = connect(f"sqlite:///{path}")
    await store.test.t.create_index([("tags", 1), ("at", -1)])
    await store.test.t.insert_many([{"_id": i, "tags": ["a", "b"], "at": i} for i in range(50)])
    assert winning(await store.test.t.find({"tags": "a"}).sort("at", -1).limit(5).explain())["stage"] == "FETCH"
    await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT multikey FROM _indexes WHERE name = 'tags_1_at_-1'").fetchone() == (3,)
        conn.execute("UPDATE _indexes SET multikey = 1 WHERE name = 'tags_1_at_-1'")
    conn.close()
    store = connect(f"sqlite:///{path}")
    try:
        assert winning(await store.test.t.find({"tags": "a"}).sort("at", -1).limit(5).explain())["stage"] == "SORT"
        assert [d["at"] async for d in store.test.t.find({"tags": "a"}).sort("at", -1).limit(3)] == [49, 48, 47]
    finally:
        await store.close()
