"""Covered reads: a find whose filter, projection and sort name only fields of one ascending,
never-multikey index is answered from that index's keys, without reading the documents, and
gives exactly what reading them gives: a document is read only for a key that does not give
its values back (a number, a null or a missing field)."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from pymongo import IndexModel

from community.storage import keys

PEOPLE = [ObjectId() for _ in range(6)]


def winning(plan: dict[str, Any]) -> dict[str, Any]:
    return plan["queryPlanner"]["winningPlan"]


@pytest.fixture
async def rows(db: Any) -> Any:
    await db.rows.create_indexes([IndexModel([("kind", 1)]), IndexModel([("kind", 1), ("who", 1), ("note", 1)])])
    await db.rows.insert_many([{"kind": "ab"[n % 2], "who": person, "note": f"n\x00{n} é", "other": n}
                               for n, person in enumerate(PEOPLE)])
    return db.rows


async def test_the_keys_answer_and_give_what_the_documents_give(rows: Any) -> None:
    projection = {"_id": 0, "who": 1, "note": 1}
    cursor = rows.find({"kind": {"$in": ["a", "c"]}}, projection)
    plan = await cursor.explain()
    assert winning(plan)["stage"] == "PROJECTION_COVERED"
    assert winning(plan)["inputStage"]["indexName"] == "kind_1_who_1_note_1", "the covering index, not the shorter one"
    assert plan["executionStats"]["totalDocsExamined"] == 0
    expected = [{"who": PEOPLE[n], "note": f"n\x00{n} é"} for n in (0, 2, 4)]
    assert await rows.find({"kind": {"$in": ["a", "c"]}}, projection).to_list() == expected
    with_id = rows.find({"kind": "a", "who": PEOPLE[2]}, ["who"])
    assert winning(await with_id.explain())["stage"] == "FETCH", "_id is not in the index"
    assert [set(row) for row in await with_id.to_list()] == [{"_id", "who"}]
    by_person = await rows.find({"$and": [{"kind": "b"}, {"who": {"$gt": PEOPLE[1]}}]}, {"_id": 0, "who": 1}).to_list()
    assert by_person == [{"who": PEOPLE[n]} for n in (3, 5)]


async def test_a_key_that_cannot_give_its_values_back_reads_its_document(rows: Any) -> None:
    await rows.insert_many([{"kind": "a", "who": PEOPLE[0], "note": 7}, {"kind": "a", "who": PEOPLE[1]},
                            {"kind": "a", "who": PEOPLE[2], "note": None}, {"kind": "a", "who": PEOPLE[3], "note": 7.0}])
    plan = await rows.find({"kind": "a"}, {"_id": 0, "who": 1, "note": 1}).explain()
    assert winning(plan)["stage"] == "PROJECTION_COVERED"
    assert plan["executionStats"]["totalDocsExamined"] == 4, "only the number, missing and null notes"
    found = await rows.find({"kind": "a", "who": {"$in": PEOPLE[:4]}}, {"_id": 0, "who": 1, "note": 1}).to_list()
    notes = [row.get("note", "missing") for row in found]
    assert notes == [7, "n\x000 é", "missing", None, "n\x002 é", 7.0], "in key order: null, numbers, strings"
    assert [type(note) for note in notes] == [int, str, str, type(None), str, float]


async def test_what_the_index_lacks_is_read_from_documents(rows: Any) -> None:
    for filter_, projection in (({"kind": "a"}, {"_id": 0, "other": 1}), ({"kind": "a", "other": 0}, {"_id": 0, "who": 1}),
                                ({"kind": "a"}, None), ({"kind": "a"}, {"note": 0})):
        plan = await rows.find(filter_, projection).explain()
        assert winning(plan)["stage"] == "FETCH", (filter_, projection)


async def test_an_index_that_held_an_array_is_not_covering(rows: Any) -> None:
    await rows.insert_one({"kind": "a", "who": PEOPLE[0], "note": ["x", "y"]})
    plan = await rows.find({"kind": "a"}, {"_id": 0, "who": 1, "note": 1}).explain()
    assert winning(plan)["stage"] == "FETCH"
    assert [row["note"] for row in await rows.find({"kind": "a"}, {"_id": 0, "note": 1}).to_list()][-1] == ["x", "y"]


async def test_an_array_written_between_batches_sends_the_rest_to_the_documents(rows: Any) -> None:
    cursor = rows.find({"kind": {"$in": ["a", "b"]}}, {"_id": 0, "who": 1, "note": 1}).batch_size(2)
    first = [await anext(cursor), await anext(cursor)]
    await rows.insert_one({"kind": "b", "who": PEOPLE[5], "note": ["x", "y"]})
    rest = [row async for row in cursor]
    assert first == [{"who": PEOPLE[n], "note": f"n\x00{n} é"} for n in (0, 2)]
    assert rest[:1] == [{"who": PEOPLE[4], "note": "n\x004 é"}]
    assert rest.count({"who": PEOPLE[5], "note": ["x", "y"]}) == 1, "a document under a key per element, once"


def test_exact_values_come_back_from_their_keys() -> None:
    person = ObjectId()
    values = ["", "\x00", "a\x00\x00b", "हिंदी", person, True, False]
    key = b"".join(keys.encode(value) for value in values)
    names = tuple(f"f{n}" for n in range(len(values)))
    assert keys.decode_exact(key, names) == dict(zip(names, values))
    for inexact in (1, 1.5, None, [1], {"a": 1}):
        assert keys.decode_exact(keys.encode("a") + keys.encode(inexact), ("a", "b")) is None
