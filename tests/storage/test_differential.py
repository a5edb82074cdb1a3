"""Differential tests: the same random documents, filters, sorts, projections and updates run
against the embedded engine and a reference for MongoDB's semantics, and must agree.

The reference is mongomock (which raises on what it does not implement) and, whenever
``MONGODB_URI`` is set, a real MongoDB as well. Where mongomock is known to differ from
MongoDB, the case is either kept out of the mongomock comparison with the reason written
next to it, or checked against MongoDB's documented behaviour in ``test_queries.py``.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import re
from collections.abc import Iterator
from typing import Any

import mongomock
import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.storage import connect

MONGODB_URI = os.environ.get("MONGODB_URI")

EXAMPLES = settings(
    max_examples=int(os.environ.get("STORAGE_EXAMPLES", "60")), deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

OIDS = [ObjectId(f"{i:024x}") for i in range(1, 4)]
DATES = [datetime.datetime(2024, 1, 1) + datetime.timedelta(days=d, milliseconds=d * 7) for d in range(3)]
FIELDS = ["a", "b", "c"]
PATHS = ["a", "b", "c", "a.x", "a.y", "b.x"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([2.5, -1.5, 0.0, 1.0]),
    st.sampled_from(["", "a", "b", "ab", "B"]),
    st.sampled_from(OIDS),
    st.sampled_from(DATES),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2),
    ),
    max_leaves=5,
)
documents = st.lists(st.dictionaries(st.sampled_from(FIELDS), values, max_size=3), min_size=1, max_size=8)


def _condition() -> st.SearchStrategy[Any]:
    comparison = st.builds(lambda op, v: {op: v}, st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), scalars)
    membership = st.builds(lambda op, vs: {op: vs}, st.sampled_from(["$in", "$nin"]), st.lists(scalars, max_size=3))
    between = st.builds(lambda lo, hi: {"$gt": lo, "$lt": hi}, scalars, scalars)
    return st.one_of(
        scalars,
        comparison,
        between,
        membership,
        st.builds(lambda b: {"$exists": b}, st.booleans()),
        st.builds(lambda n: {"$size": n}, st.integers(0, 3)),
        st.builds(lambda vs: {"$all": vs}, st.lists(scalars, min_size=1, max_size=2)),
        st.builds(lambda c: {"$elemMatch": c}, comparison),
        st.builds(lambda c: {"$not": c}, comparison),
        st.builds(lambda p: {"$regex": p}, st.sampled_from(["^a", "b$", "A"])),
        st.builds(lambda p: {"$regex": p, "$options": "i"}, st.sampled_from(["^a", "b"])),
    )


leaf_filters = st.dictionaries(st.sampled_from(PATHS), _condition(), min_size=1, max_size=2)
filters = st.recursive(
    leaf_filters,
    lambda inner: st.builds(lambda op, cs: {op: cs}, st.sampled_from(["$and", "$or", "$nor"]), st.lists(inner, min_size=1, max_size=3)),
    max_leaves=4,
)


def canonical(value: Any) -> Any:
    """A comparable form that keeps BSON type distinctions Python's == would blur (1 == True)."""
    if isinstance(value, dict):
        return ("doc", tuple(sorted((k, canonical(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("arr", tuple(canonical(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", float(value))
    return (type(value).__name__, repr(value))


def mongomock_differs(filter_: Any, docs: list[dict[str, Any]]) -> bool:
    """Whether mongomock's answer is known to differ from MongoDB's for this filter and data.

    A dotted path (``a.x``) whose parent is not a document - null, a scalar, or an array
    holding non-documents: MongoDB treats the sub-field as missing, so ``{"a.x": null}``
    matches ``{"a": 1}`` and ``{"a": null}`` and ``$exists: false`` matches them, and
    ``$ne``/``$nin``/``$not``/``$nor`` are their negations; mongomock disagrees on these.
    Such cases are checked against MongoDB's documented behaviour in ``test_queries.py``.
    """
    parents = set(re.findall(r"'([abc])\.[xy]'", repr(filter_)))
    for doc in docs:
        for parent in parents:
            if parent not in doc:
                continue
            value = doc[parent]
            if isinstance(value, list):
                if any(not isinstance(item, dict) for item in value) or not value:
                    return True
            elif not isinstance(value, dict):
                return True
    return False


class Engines:
    """The embedded engine (on its own event loop) beside mongomock and maybe MongoDB."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = self.loop.run_until_complete(self._connect())
        self.mongomock = mongomock.MongoClient()
        self.real = None
        if MONGODB_URI:
            import pymongo

            self.real = pymongo.MongoClient(MONGODB_URI)

    @staticmethod
    async def _connect() -> Any:
        return connect("sqlite:///:memory:")

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def load(self, docs: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
        docs = [{"_id": i, **doc} for i, doc in enumerate(docs)]
        ours = self.client["diff"]["c"]
        self.run(ours.drop())
        self.run(ours.insert_many([dict(d) for d in docs]))
        ref = self.mongomock["diff"]["c"]
        ref.drop()
        ref.insert_many([dict(d) for d in docs])
        real = None
        if self.real is not None:
            real = self.real["community_diff"]["c"]
            real.drop()
            real.insert_many([dict(d) for d in docs])
        return ours, ref, real

    def close(self) -> None:
        self.run(self.client.close())
        self.loop.close()


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    pair = Engines()
    yield pair
    pair.close()


def test_a_real_mongodb_is_compared_when_configured() -> None:
    if not MONGODB_URI:
        pytest.skip("MONGODB_URI is not set: the differential suite compares with mongomock only")
    import pymongo

    assert pymongo.MongoClient(MONGODB_URI).admin.command("ping")["ok"] == 1


@EXAMPLES
@given(docs=documents, filter_=filters)
def test_find_matches_the_same_documents(engines: Engines, docs: list[dict[str, Any]], filter_: dict[str, Any]) -> None:
    ours, ref, real = engines.load(docs)
    got = sorted(d["_id"] for d in engines.run(ours.find(filter_).to_list()))
    if real is not None:
        assert got == sorted(d["_id"] for d in real.find(filter_)), filter_
    if mongomock_differs(filter_, docs):
        return
    try:
        expected = sorted(d["_id"] for d in ref.find(filter_))
    except (NotImplementedError, TypeError):
        return  # mongomock raises on what it does not implement
    assert got == expected, filter_


@EXAMPLES
@given(docs=documents, sort=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from([1, -1])), min_size=1, max_size=2, unique_by=lambda t: t[0]))
def test_sorts_follow_mongodb_cross_type_order(engines: Engines, docs: list[dict[str, Any]], sort: list[tuple[str, int]]) -> None:
    ours, ref, real = engines.load(docs)
    spec = [*sort, ("_id", 1)]
    got = [d["_id"] for d in engines.run(ours.find({}).sort(spec).to_list())]
    if real is not None:
        assert got == [d["_id"] for d in real.find({}).sort(spec)]
    # mongomock sorts arrays by their first element, compares dicts and lists by Python rules
    # and does not put an empty array before null; MongoDB (and the engine) use the smallest
    # element (largest when descending). Only documents without arrays or documents in the
    # sorted fields are compared against mongomock.
    simple = [d for d in docs if all(not isinstance(d.get(f), (list, dict)) for f, _ in sort)]
    if len(simple) != len(docs):
        return
    assert got == [d["_id"] for d in ref.find({}).sort(spec)]


@EXAMPLES
@given(docs=documents, fields=st.lists(st.sampled_from(PATHS), min_size=1, max_size=2, unique=True), include=st.booleans(), with_id=st.booleans())
def test_projections_shape_documents_the_same(engines: Engines, docs: list[dict[str, Any]], fields: list[str], include: bool, with_id: bool) -> None:
    if any(a != b and (a.startswith(b + ".") or b.startswith(a + ".")) for a in fields for b in fields):
        return  # MongoDB rejects overlapping paths (path collision); not part of this property
    ours, ref, real = engines.load(docs)
    projection: dict[str, Any] = {f: int(include) for f in fields}
    if not with_id:
        projection["_id"] = 0
    got = [canonical(d) for d in engines.run(ours.find({}, projection).sort("_id", 1).to_list())]
    if real is not None:
        assert got == [canonical(d) for d in real.find({}, projection).sort("_id", 1)]
    # mongomock mishandles a dotted projection whose parent is not a document: excluding
    # "a.x" from {"a": null} drops "a" (MongoDB keeps {"a": null}), and arrays holding null
    # crash it. Those documents are compared with MongoDB's rules in test_queries.py.
    parents = {f.split(".")[0] for f in fields if "." in f}
    if any(p in d and not isinstance(d[p], dict) for d in docs for p in parents):
        return
    assert got == [canonical(d) for d in ref.find({}, projection).sort("_id", 1)]


update_ops = st.one_of(
    st.builds(lambda p, v: {"$set": {p: v}}, st.sampled_from(PATHS), values),
    st.builds(lambda p: {"$unset": {p: ""}}, st.sampled_from(PATHS)),
    st.builds(lambda p, n: {"$inc": {p: n}}, st.sampled_from(FIELDS), st.integers(-2, 2)),
    st.builds(lambda p, n: {"$mul": {p: n}}, st.sampled_from(FIELDS), st.sampled_from([2, 0.5])),
    st.builds(lambda op, p, v: {op: {p: v}}, st.sampled_from(["$min", "$max"]), st.sampled_from(FIELDS), scalars),
    st.builds(lambda p, v: {"$push": {p: v}}, st.sampled_from(FIELDS), scalars),
    st.builds(lambda p, vs: {"$push": {p: {"$each": vs, "$slice": 3}}}, st.sampled_from(FIELDS), st.lists(scalars, max_size=3)),
    st.builds(lambda p, v: {"$addToSet": {p: v}}, st.sampled_from(FIELDS), scalars),
    st.builds(lambda p, v: {"$pull": {p: v}}, st.sampled_from(FIELDS), scalars),
    st.builds(lambda p, d: {"$pop": {p: d}}, st.sampled_from(FIELDS), st.sampled_from([1, -1])),
)


@EXAMPLES
@given(docs=documents, update=update_ops, multi=st.booleans())
def test_updates_leave_the_same_documents(engines: Engines, docs: list[dict[str, Any]], update: dict[str, Any], multi: bool) -> None:
    ours, ref, real = engines.load(docs)
    method = "update_many" if multi else "update_one"
    ours_error = ref_error = None
    try:
        engines.run(getattr(ours, method)({}, update))
    except Exception as exc:  # compared below: both engines must fail, or neither
        ours_error = exc
    try:
        getattr(ref, method)({}, update)
    except (NotImplementedError, KeyError, AttributeError, TypeError, ValueError):
        return  # mongomock crashed or does not implement it (e.g. $pop on a missing field)
    except Exception as exc:
        ref_error = exc
    got = [canonical(d) for d in engines.run(ours.find({}).sort("_id", 1).to_list())]
    expected = [canonical(d) for d in ref.find({}).sort("_id", 1)]
    if real is not None:
        real_error = None
        try:
            getattr(real, method)({}, update)
        except Exception as exc:
            real_error = exc
        assert (ours_error is None) == (real_error is None), (update, ours_error, real_error)
        assert got == [canonical(d) for d in real.find({}).sort("_id", 1)]
    if _mongomock_update_differs(update, docs):
        return
    assert (ours_error is None) == (ref_error is None), (update, ours_error, ref_error)
    assert got == expected, update


def _mongomock_update_differs(update: dict[str, Any], docs: list[dict[str, Any]]) -> bool:
    """Updates mongomock applies differently from MongoDB.

    - Setting a sub-field (``a.x``) inside an array or a scalar: MongoDB refuses (code 28,
      "Cannot create field"), mongomock writes into it or raises a different error.
    - ``$min``/``$max`` across types: mongomock compares with Python rules, MongoDB with the
      BSON cross-type order (null < numbers < strings < ... < dates).
    - ``$pull`` of a value from an array of documents / arrays: mongomock compares with ==
      (so ``1 == True``), MongoDB with BSON equality.
    - ``$addToSet`` / ``$push`` semantics with ``True`` vs ``1``: same == problem.
    - ``$mul``: mongomock 4.3 does not implement it (it takes ``$mul`` for a field name).
    Each of these is tested against MongoDB's documented behaviour in ``test_updates.py``.
    """
    op, fields = next(iter(update.items()))
    path, value = next(iter(fields.items()))
    if "." in path:
        return True
    if op in ("$min", "$max", "$pull", "$addToSet", "$mul"):
        return True
    return False


INDEXED = [
    [("a", 1)], [("b", -1)], [("a.x", 1)], [("a", 1), ("b", -1)], [("b", 1), ("c", 1)],
]


@EXAMPLES
@given(docs=documents, filter_=filters, sort=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from([1, -1])), max_size=2, unique_by=lambda t: t[0]), limit=st.sampled_from([0, 1, 3]))
def test_indexes_never_change_an_answer(engines: Engines, docs: list[dict[str, Any]], filter_: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> None:
    """The same collection with single, compound, dotted (multikey) and sparse indexes, created
    afresh each time (so an index is multikey only when this example's data makes it so)."""
    ours, _, _ = engines.load(docs)
    indexed = engines.client["diff"]["indexed"]

    async def load() -> None:
        await indexed.drop()
        for key in INDEXED:
            await indexed.create_index(key)
        await indexed.create_index("c", sparse=True)
        await indexed.insert_many([{"_id": i, **doc} for i, doc in enumerate(docs)])

    try:
        engines.run(load())
    except Exception as exc:  # parallel arrays cannot be indexed, as in MongoDB
        assert "parallel arrays" in str(exc)
        return
    spec = [*sort, ("_id", 1)]
    plain = [d["_id"] for d in engines.run(ours.find(filter_).sort(spec).limit(limit).to_list())]
    fast = [d["_id"] for d in engines.run(indexed.find(filter_).sort(spec).limit(limit).to_list())]
    assert fast == plain, (filter_, spec)
    assert engines.run(indexed.count_documents(filter_)) == engines.run(ours.count_documents(filter_))


@EXAMPLES
@given(docs=documents, updates=st.lists(update_ops, min_size=1, max_size=3), probes=st.lists(st.tuples(st.sampled_from(PATHS), _condition()), min_size=1, max_size=4))
def test_index_entries_follow_updates_and_deletes(engines: Engines, docs: list[dict[str, Any]], updates: list[dict[str, Any]], probes: list[tuple[str, Any]]) -> None:
    ours, _, _ = engines.load(docs)
    indexed = engines.client["diff"]["maintained"]

    async def run() -> list[tuple[list[int], list[int]]]:
        await indexed.drop()
        for key in INDEXED:
            await indexed.create_index(key)
        try:
            await indexed.insert_many([{"_id": i, **doc} for i, doc in enumerate(docs)])
        except Exception as exc:
            assert "parallel arrays" in str(exc)
            return []
        for update in updates:
            failures = []
            for coll in (ours, indexed):
                try:
                    await coll.update_many({}, update)
                except Exception as exc:
                    failures.append(str(exc))
                else:
                    failures.append("")
            if failures[0] != failures[1]:
                # Only the indexed collection refuses documents with parallel arrays (and may
                # meet that before the error both share); past that their contents differ.
                assert "parallel arrays" in failures[1]
                return []
        await ours.delete_many({"_id": 0})
        await indexed.delete_many({"_id": 0})
        out = []
        for path, condition in probes:
            query = {path: condition}
            out.append((
                [d["_id"] for d in await ours.find(query).sort("_id", 1).to_list()],
                [d["_id"] for d in await indexed.find(query).sort("_id", 1).to_list()],
            ))
        return out

    for plain, fast in engines.run(run()):
        assert fast == plain


# bulk_write: mongomock's own bulk_write cannot take this PyMongo's UpdateOne (it passes ``sort``,
# which mongomock's builder refuses), so the reference runs the same requests one by one through
# mongomock's single-document methods, with MongoDB's ordered/unordered rule; a real MongoDB,
# when configured, runs the bulk itself.
BULK_IDS = st.integers(0, 5)
bulk_requests = st.lists(st.one_of(
    st.builds(lambda i, a: ("insert", {"_id": i, "a": a}), BULK_IDS, st.integers(0, 3)),
    st.builds(lambda i, u, up: ("update_one", {"_id": i}, u, up), BULK_IDS,
              st.sampled_from([{"$set": {"b": 1}}, {"$inc": {"a": 1}}, {"$set": {"a": 0}}]), st.booleans()),
    st.builds(lambda a, u: ("update_many", {"a": {"$gte": a}}, u, False), st.integers(0, 3),
              st.sampled_from([{"$inc": {"a": 1}}, {"$set": {"b": 2}}])),
    st.builds(lambda i, b, up: ("replace_one", {"_id": i}, {"b": b}, up), BULK_IDS, st.integers(0, 2), st.booleans()),
    st.builds(lambda a: ("delete_one", {"a": a}), st.integers(0, 3)),
    st.builds(lambda a: ("delete_many", {"a": {"$lte": a}}), st.integers(0, 3)),
), min_size=1, max_size=8)


def _bulk_ops(requests: list[tuple[Any, ...]]) -> list[Any]:
    from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne

    kinds = {"update_one": UpdateOne, "update_many": UpdateMany, "replace_one": ReplaceOne}
    ops: list[Any] = []
    for kind, *args in requests:
        if kind == "insert":
            ops.append(InsertOne(dict(args[0])))
        elif kind in kinds:
            ops.append(kinds[kind](args[0], args[1], upsert=args[2]))
        else:
            ops.append((DeleteOne if kind == "delete_one" else DeleteMany)(args[0]))
    return ops


def _reference_bulk(coll: Any, requests: list[tuple[Any, ...]], ordered: bool) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    from pymongo.errors import WriteError

    counts = {"inserted": 0, "matched": 0, "modified": 0, "deleted": 0, "upserted": {}}
    errors: list[tuple[int, int]] = []
    for position, (kind, *args) in enumerate(requests):
        try:
            if kind == "insert":
                coll.insert_one(dict(args[0]))
                counts["inserted"] += 1
            elif kind.startswith("delete"):
                counts["deleted"] += getattr(coll, kind)(args[0]).deleted_count
            else:
                result = getattr(coll, kind)(args[0], args[1], upsert=args[2])
                if result.upserted_id is not None:
                    counts["upserted"][position] = result.upserted_id
                else:
                    counts["matched"] += result.matched_count
                    counts["modified"] += result.modified_count
        except WriteError as exc:
            errors.append((position, exc.code))
            if ordered:
                break
    return counts, errors


def _bulk_outcome(result: Any) -> dict[str, Any]:
    return {"inserted": result.inserted_count, "matched": result.matched_count, "modified": result.modified_count,
            "deleted": result.deleted_count, "upserted": result.upserted_ids}


def _error_outcome(details: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    counts = {"inserted": details["nInserted"], "matched": details["nMatched"], "modified": details["nModified"],
              "deleted": details["nRemoved"], "upserted": {u["index"]: u["_id"] for u in details["upserted"]}}
    return counts, [(e["index"], e["code"]) for e in details["writeErrors"]]


def _run_bulk(run: Any, requests: list[tuple[Any, ...]], ordered: bool) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    from pymongo.errors import BulkWriteError

    try:
        return _bulk_outcome(run(_bulk_ops(requests), ordered)), []
    except BulkWriteError as exc:
        return _error_outcome(exc.details)


@EXAMPLES
@given(requests=bulk_requests, ordered=st.booleans())
def test_bulk_write_does_what_the_same_requests_do_one_by_one(engines: Engines, requests: list[tuple[Any, ...]],
                                                               ordered: bool) -> None:
    ours, ref, real = engines.load([{"a": 0}, {"a": 1}, {"a": 2}])
    got = _run_bulk(lambda ops, o: engines.run(ours.bulk_write(ops, ordered=o)), requests, ordered)
    assert got == _reference_bulk(ref, requests, ordered), requests
    documents = engines.run(ours.find({}).sort("_id", 1).to_list())
    assert documents == list(ref.find({}).sort("_id", 1))
    if real is not None:
        assert got == _run_bulk(lambda ops, o: real.bulk_write(ops, ordered=o), requests, ordered)
        assert documents == list(real.find({}).sort("_id", 1))


def _caught_duplicate_then_commit(start_session: Any, coll: Any, run: Any) -> tuple[int | None, int | None, int]:
    """Catch a duplicate inside a transaction, write again, commit: the codes of the later
    write's and the commit's errors, and how many documents the collection then holds."""
    from pymongo.errors import DuplicateKeyError, OperationFailure

    run(coll.drop())
    run(coll.insert_one({"_id": 1}))
    codes: list[int | None] = []
    session = run(start_session())
    run(session.start_transaction())
    try:
        run(coll.insert_one({"_id": 1}, session=session))
    except DuplicateKeyError:
        pass
    for step in (lambda: coll.insert_one({"_id": 2}, session=session), session.commit_transaction):
        try:
            run(step())
            codes.append(None)
        except OperationFailure as exc:
            assert exc.has_error_label("TransientTransactionError")
            codes.append(exc.code)
    run(session.end_session())
    return codes[0], codes[1], run(coll.count_documents({}))


def test_a_caught_error_aborts_the_transaction_on_both_engines(engines: Engines) -> None:
    ours = _caught_duplicate_then_commit(engines.client.start_session, engines.client["diff"]["txn"],
                                         lambda value: engines.run(value) if asyncio.iscoroutine(value) else value)
    assert ours == (251, 251, 1)
    if engines.real is None:
        pytest.skip("MONGODB_URI is not set: compared with MongoDB's documented behaviour only")
    assert _caught_duplicate_then_commit(engines.real.start_session, engines.real["community_diff"]["txn"],
                                         lambda value: value) == ours


def test_list_indexes_and_refusals_match_mongodb(engines: Engines) -> None:
    from pymongo.errors import WriteError

    ours = engines.client["diff"]["idx"]
    engines.run(ours.drop())
    engines.run(ours.create_index([("b", 1), ("a", -1)], unique=True))
    mine = engines.run(engines.run(ours.list_indexes()).to_list())
    with pytest.raises(WriteError) as refused:
        engines.run(ours.insert_one({"_id": {"$a": 1}}))
    if engines.real is None:
        pytest.skip("MONGODB_URI is not set: compared with MongoDB's documented behaviour in test_options.py")
    real = engines.real["community_diff"]["idx"]
    real.drop()
    real.create_index([("b", 1), ("a", -1)], unique=True)
    assert [list(doc.items()) for doc in real.list_indexes()] == [list(doc.items()) for doc in mine]
    with pytest.raises(WriteError) as theirs:
        real.insert_one({"_id": {"$a": 1}})
    assert theirs.value.code == refused.value.code
