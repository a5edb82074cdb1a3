"""``count_documents`` counts an equality filter on an index's leading fields by the index's keys
alone, and gives the same number as reading and matching every document would."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from bson import Int64, ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.storage import tables
from community.storage.catalog import CollInfo
from community.storage.planner import counting_index

WHEN = datetime.datetime(2026, 12, 4, 10, 30, 0, 250000)
OID = ObjectId("6b1315a58703db811420526b")
VALUES = [0, -0.0, 1, 1.0, Int64(1), 2, True, False, "x", "X", "", None, WHEN, WHEN.replace(microsecond=250999), OID]
"""Values MongoDB holds equal across types (0 and -0.0, 1, 1.0 and Int64(1), times to the
millisecond), values it holds apart (True and 1, "x" and "X"), and null."""

field = st.sampled_from(VALUES + ["missing"])
documents = st.lists(st.tuples(field, field), min_size=0, max_size=30)
filters = st.one_of(st.fixed_dictionaries({"a": st.sampled_from(VALUES)}),
                    st.fixed_dictionaries({"a": st.sampled_from(VALUES), "b": st.sampled_from(VALUES)}),
                    st.fixed_dictionaries({"b": st.sampled_from(VALUES), "a": st.sampled_from(VALUES)}))


def _doc(n: int, a: Any, b: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": n}
    for name, value in (("a", a), ("b", b)):
        if not (isinstance(value, str) and value == "missing"):
            doc[name] = value
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=documents, filter_=filters, skip=st.integers(0, 3), limit=st.integers(0, 3))
async def test_a_count_by_index_keys_equals_the_count_of_matching_documents(
        db: Any, rows: list[tuple[Any, Any]], filter_: dict[str, Any], skip: int, limit: int) -> None:
    await db.indexed.drop()
    await db.plain.drop()
    await db.indexed.create_index([("a", 1), ("b", -1)])
    docs = [_doc(n, a, b) for n, (a, b) in enumerate(rows)]
    if docs:
        await db.indexed.insert_many([dict(doc) for doc in docs])
        await db.plain.insert_many([dict(doc) for doc in docs])
    expected = await db.plain.count_documents(filter_, skip=skip, limit=limit)
    assert await db.indexed.count_documents(filter_, skip=skip, limit=limit) == expected


async def test_the_count_reads_no_document_when_an_index_answers_it(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user = ObjectId()
    await db.notes.create_index([("user_id", 1), ("read", 1), ("at", -1)])
    await db.notes.insert_many([{"user_id": user if n % 3 else ObjectId(), "read": n % 2 == 0, "at": WHEN}
                                for n in range(30)])

    def scanned(*_: Any, **__: Any) -> Any:
        raise AssertionError("the documents were read")

    monkeypatch.setattr(tables.Context, "scan", scanned)
    assert await db.notes.count_documents({"user_id": user, "read": False}) == 10
    assert await db.notes.count_documents({"read": False, "user_id": user}, skip=4, limit=5) == 5
    with pytest.raises(AssertionError, match="were read"):  # no index starts with read: documents are matched
        await db.notes.count_documents({"read": False})


async def test_a_field_that_has_held_an_array_is_counted_by_its_documents(db: Any) -> None:
    await db.tags.create_index("tag")
    await db.tags.insert_many([{"tag": ["a", "b"]}, {"tag": "a"}, {"tag": ["a", "a"]}])
    info: CollInfo = db.tags._engine.catalog[("test", "tags")]
    assert counting_index(info, {"tag": "a"}) is None, "a document may stand under a key per element"
    assert await db.tags.count_documents({"tag": "a"}) == 3


def test_only_equality_with_a_scalar_on_leading_fields_is_counted_by_keys() -> None:
    from community.storage.catalog import IndexInfo

    index = IndexInfo(id=1, name="a_1_b_1", key=(("a", 1), ("b", 1)))
    info = CollInfo(id=1, db="test", name="c", indexes=(index,))
    assert counting_index(info, {"a": 1}) is not None and counting_index(info, {"b": 2, "a": 1}) is not None
    for refused in ({"b": 1}, {"a": None}, {"a": {"$gt": 1}}, {"a": [1]}, {"a": {"x": 1}}, {"$or": [{"a": 1}]},
                    {"a": 1, "c": 2}, {}):
        assert counting_index(info, refused) is None, refused
