"""The aggregation stages and accumulators of the subset."""

from __future__ import annotations

from typing import Any

import mongomock
import pytest

ROWS = [
    {"_id": 1, "org": "a", "n": 3, "tags": ["x", "y"], "who": {"name": "p"}},
    {"_id": 2, "org": "a", "n": 1.5, "tags": ["y"], "who": {"name": "q"}},
    {"_id": 3, "org": "b", "n": 4, "tags": [], "who": {"name": "p"}},
    {"_id": 4, "org": "b", "tags": "z"},
    {"_id": 5, "n": "text"},
]


@pytest.fixture
async def rows(db: Any) -> Any:
    await db.rows.insert_many([dict(r) for r in ROWS])
    return db.rows


async def run(coll: Any, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return await (await coll.aggregate(pipeline)).to_list()


async def test_group_accumulators(rows: Any) -> None:
    out = await run(rows, [
        {"$match": {"org": {"$exists": True}}},
        {"$group": {
            "_id": "$org", "total": {"$sum": "$n"}, "count": {"$sum": 1}, "avg": {"$avg": "$n"},
            "lo": {"$min": "$n"}, "hi": {"$max": "$n"}, "first": {"$first": "$_id"}, "last": {"$last": "$_id"},
            "names": {"$push": "$who.name"}, "distinct": {"$addToSet": "$who.name"},
        }},
        {"$sort": {"_id": 1}},
    ])
    assert out == [
        {"_id": "a", "total": 4.5, "count": 2, "avg": 2.25, "lo": 1.5, "hi": 3, "first": 1, "last": 2,
         "names": ["p", "q"], "distinct": ["p", "q"]},
        {"_id": "b", "total": 4, "count": 2, "avg": 4.0, "lo": 4, "hi": 4, "first": 3, "last": 4,
         "names": ["p"], "distinct": ["p"]},
    ]


async def test_group_by_compound_key_and_null(rows: Any) -> None:
    out = await run(rows, [{"$group": {"_id": {"o": "$org"}, "c": {"$sum": 1}}}, {"$sort": {"c": -1, "_id.o": 1}}])
    assert out == [{"_id": {"o": "a"}, "c": 2}, {"_id": {"o": "b"}, "c": 2}, {"_id": {}, "c": 1}]
    everything = await run(rows, [{"$group": {"_id": None, "c": {"$sum": 1}}}])
    assert everything == [{"_id": None, "c": 5}]


async def test_unwind_project_count_skip_limit(rows: Any) -> None:
    unwound = await run(rows, [{"$unwind": "$tags"}, {"$project": {"tags": 1, "_id": 0}}])
    assert unwound == [{"tags": "x"}, {"tags": "y"}, {"tags": "y"}, {"tags": "z"}]
    kept = await run(rows, [{"$unwind": {"path": "$tags", "preserveNullAndEmptyArrays": True, "includeArrayIndex": "i"}},
                            {"$match": {"_id": {"$in": [1, 3]}}}, {"$project": {"tags": 1, "i": 1}}])
    assert kept == [{"_id": 1, "tags": "x", "i": 0}, {"_id": 1, "tags": "y", "i": 1}, {"_id": 3, "i": None}]
    assert await run(rows, [{"$match": {"org": "a"}}, {"$count": "n"}]) == [{"n": 2}]
    assert await run(rows, [{"$match": {"org": "none"}}, {"$count": "n"}]) == []
    page = await run(rows, [{"$sort": {"_id": -1}}, {"$skip": 1}, {"$limit": 2}, {"$project": {"_id": 1}}])
    assert page == [{"_id": 4}, {"_id": 3}]
    renamed = await run(rows, [{"$match": {"_id": 1}}, {"$project": {"name": "$who.name", "org": 1, "_id": 0}}])
    assert renamed == [{"org": "a", "name": "p"}]


async def test_the_same_answers_as_mongomock(rows: Any) -> None:
    reference = mongomock.MongoClient().db.rows
    reference.insert_many([dict(r) for r in ROWS])
    pipelines = [
        [{"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}],
        [{"$match": {"n": {"$gt": 1}}}, {"$sort": {"n": -1}}, {"$project": {"org": 1}}],
        [{"$group": {"_id": "$org", "ids": {"$push": "$_id"}}}, {"$sort": {"_id": 1}}],
    ]
    for pipeline in pipelines:
        assert await run(rows, pipeline) == list(reference.aggregate(pipeline)), pipeline

