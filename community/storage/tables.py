"""The embedded engine's SQLite tables: documents, their index entries, and scans over them.

Everything here is synchronous and runs on the engine's threads (``runtime.py``): writes on
one writer thread that owns the only writing connection, reads on a small pool of reader
threads each with its own connection (WAL lets them read committed data while a write is in
progress). The table layout is in ``catalog.py``; ``planner.py`` chooses what a scan reads.

Filters are always re-checked in Python on every candidate the index returns, so an index can
only narrow the work, never change an answer.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import sqlite3
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import bson
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

from community.storage import keys
from community.storage.catalog import Catalog, CollInfo, IndexInfo, check_name
from community.storage.matching import MISSING, compile_filter, resolve
from community.storage.planner import SCALAR_TYPES, Plan, choose_plan
from community.storage.shaping import SortSpec, sort_docs


@dataclass(slots=True)
class Stats:
    """What the last query did, for ``explain``: its plan and how much it read."""

    stage: str = "EOF"
    index: str | None = None
    direction: str = "forward"
    ranges: int = 0
    keys_examined: int = 0
    docs_examined: int = 0
    returned: int = 0
    sort_in_memory: bool = False
    covered: bool = False

    def explain(self, namespace: str) -> dict[str, Any]:
        if self.stage == "IXSCAN":
            plan: dict[str, Any] = {
                "stage": "PROJECTION_COVERED" if self.covered else "FETCH",
                "inputStage": {"stage": "IXSCAN", "indexName": self.index, "direction": self.direction},
            }
        else:
            plan = {"stage": self.stage}
        if self.sort_in_memory:
            plan = {"stage": "SORT", "inputStage": plan}
        return {
            "queryPlanner": {"namespace": namespace, "winningPlan": plan},
            "executionStats": {
                "nReturned": self.returned,
                "totalKeysExamined": self.keys_examined,
                "totalDocsExamined": self.docs_examined,
            },
        }



@dataclass(slots=True)
class Scan:
    """A query and how far it has got: what it reads, in which order, and where its last batch
    stopped (``Context.fetch``). Each batch runs on whichever connection runs its job, so a
    cursor outside a transaction sees, batch by batch, what was committed meanwhile (as
    MongoDB's ``getMore`` does), and one inside a transaction sees the transaction's writes."""

    filter_: Mapping[str, Any] | None
    sort: SortSpec
    skip: int = 0
    limit: int = 0
    plan: Plan | None = None
    predicate: Callable[[Any], bool] | None = None
    needed: frozenset[str] | None = None
    """Every field the query reads (``planner.needed_fields``): an index holding them all answers it from its keys."""
    coll_id: int | None = None
    """The collection read, fixed by the first batch (``None`` until then)."""
    dedupe: bool = False
    seen: set[int] = field(default_factory=set)
    """Rowids returned so far when one document may appear under several keys (multikey, or several ranges)."""
    range_pos: int = 0
    after: Any = None
    """The last rowid (collection scan), index key (unique index) or ``(key, rowid)`` read."""
    skipped: int = 0
    returned: int = 0
    sorted_rows: list[tuple[int, dict[str, Any]]] | None = None
    """For a sort no index gives: every match, sorted, skipped and limited, handed out in batches."""
    handed_out: int = 0
    done: bool = False


class OverBudget(Exception):
    """A read examined more rows than its ``Context.budget`` allows (it is run again elsewhere)."""


class Context:
    """One unit of work on one connection: a read, a write transaction, or a session's transaction.

    A write works on its own copy of the catalog, published only when its transaction commits.
    """

    def __init__(self, conn: sqlite3.Connection, catalog: Catalog) -> None:
        self.conn = conn
        self.catalog = catalog
        self.catalog_changed = False
        self.stats = Stats()
        self.written = 0
        self.budget = 0
        """The rows a read may examine before it gives up with ``OverBudget`` (0: no limit): an
        inline read on the event loop must stay short."""

    def coll(self, db: str, name: str) -> CollInfo | None:
        return self.catalog.get((db, name))

    def _set(self, info: CollInfo) -> None:
        if not self.catalog_changed:
            self.catalog = dict(self.catalog)
            self.catalog_changed = True
        self.catalog[(info.db, info.name)] = info

    # Catalog changes --------------------------------------------------------------------

    def ensure_coll(self, db: str, name: str) -> CollInfo:
        info = self.coll(db, name)
        if info is not None:
            return info
        check_name(db, name)
        cur = self.conn.execute("INSERT INTO _collections (db, name) VALUES (?, ?)", (db, name))
        coll_id = cur.lastrowid
        assert coll_id is not None
        self.conn.execute(f"CREATE TABLE c{coll_id} (id INTEGER PRIMARY KEY, doc BLOB NOT NULL)")
        info = CollInfo(coll_id, db, name)
        self._set(info)
        return self.add_index(info, IndexInfo(id=0, name="_id_", key=(("_id", 1),), unique=True))

    def add_index(self, info: CollInfo, index: IndexInfo) -> CollInfo:
        cur = self.conn.execute(
            "INSERT INTO _indexes (coll, name, spec, multikey) VALUES (?, ?, ?, 0)",
            (info.id, index.name, bson.encode(index.spec())),
        )
        assert cur.lastrowid is not None
        index = replace(index, id=cur.lastrowid, arrays=0)
        if index.unique:
            self.conn.execute(f"CREATE TABLE {index.table} (k BLOB PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID")
        else:
            self.conn.execute(
                f"CREATE TABLE {index.table} (k BLOB NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (k, id)) WITHOUT ROWID"
            )
        info = replace(info, indexes=info.indexes + (index,))
        self._set(info)
        arrays = 0
        rows = self.conn.execute(f"SELECT id, doc FROM {info.table}").fetchall()
        self.written += len(rows)
        for rowid, blob in rows:
            doc = bson.decode(blob)
            entries, multi = index_keys(index, doc)
            arrays |= multi
            self._insert_keys(info, index, rowid, entries, doc)
        if arrays:
            info = self._mark_multikey(info, index, arrays)
        return info

    def drop_index(self, info: CollInfo, index: IndexInfo) -> None:
        self.conn.execute("DELETE FROM _indexes WHERE id = ?", (index.id,))
        self.conn.execute(f"DROP TABLE {index.table}")
        self._set(replace(info, indexes=tuple(i for i in info.indexes if i.id != index.id)))

    def drop_coll(self, info: CollInfo) -> None:
        for index in info.indexes:
            self.conn.execute(f"DROP TABLE {index.table}")
        self.conn.execute("DELETE FROM _indexes WHERE coll = ?", (info.id,))
        self.conn.execute("DELETE FROM _collections WHERE id = ?", (info.id,))
        self.conn.execute(f"DROP TABLE {info.table}")
        if not self.catalog_changed:
            self.catalog = dict(self.catalog)
            self.catalog_changed = True
        del self.catalog[(info.db, info.name)]

    def _mark_multikey(self, info: CollInfo, index: IndexInfo, arrays: int) -> CollInfo:
        """Note that the fields of ``arrays`` (``index_keys``' mask) have held an array."""
        marked = replace(index, arrays=index.arrays | arrays)
        self.conn.execute("UPDATE _indexes SET multikey = ? WHERE id = ?", (marked.arrays_column(), index.id))
        info = replace(info, indexes=tuple(marked if i.id == index.id else i for i in info.indexes))
        self._set(info)
        return info

    # Documents --------------------------------------------------------------------------

    def _insert_keys(self, info: CollInfo, index: IndexInfo, rowid: int, entries: list[bytes], doc: dict[str, Any]) -> None:
        sql = f"INSERT INTO {index.table} (k, id) VALUES (?, ?)"
        for entry in entries:
            try:
                self.conn.execute(sql, (entry, rowid))
            except sqlite3.IntegrityError:
                raise duplicate_key(info, index, doc) from None

    def insert(self, info: CollInfo, doc: dict[str, Any]) -> CollInfo:
        """Insert one document (``_id`` already set); the caller holds a savepoint."""
        if isinstance(doc.get("_id"), list):
            raise WriteError("The '_id' value cannot be of type array", code=53)
        check_id(doc["_id"])
        self.written += 1
        blob = encode_doc(doc)
        rowid = self.conn.execute(f"INSERT INTO {info.table} (doc) VALUES (?)", (blob,)).lastrowid
        assert rowid is not None
        for index in info.indexes:
            entries, multi = index_keys(index, doc)
            if multi & ~index.arrays:
                info = self._mark_multikey(info, index, multi)
            self._insert_keys(info, index, rowid, entries, doc)
        return info

    def replace_doc(self, info: CollInfo, rowid: int, old: dict[str, Any], new: dict[str, Any],
                    blob: bytes | None = None) -> CollInfo:
        self.written += 1
        self.conn.execute(f"UPDATE {info.table} SET doc = ? WHERE id = ?", (blob or encode_doc(new), rowid))
        for index in info.indexes:
            before, _ = index_keys(index, old)
            after, multi = index_keys(index, new)
            if before == after:
                continue
            if multi & ~index.arrays:
                info = self._mark_multikey(info, index, multi)
            gone = set(before) - set(after)
            if gone:
                self.conn.executemany(
                    f"DELETE FROM {index.table} WHERE k = ? AND id = ?", [(k, rowid) for k in gone]
                )
            self._insert_keys(info, index, rowid, [k for k in after if k not in set(before)], new)
        return info

    def delete(self, info: CollInfo, rowid: int, doc: dict[str, Any]) -> None:
        self.written += 1
        self.conn.execute(f"DELETE FROM {info.table} WHERE id = ?", (rowid,))
        for index in info.indexes:
            entries, _ = index_keys(index, doc)
            self.conn.executemany(f"DELETE FROM {index.table} WHERE k = ? AND id = ?", [(k, rowid) for k in entries])

    # Queries ----------------------------------------------------------------------------

    def scan(self, info: CollInfo | None, filter_: Mapping[str, Any] | None, sort: SortSpec,
             skip: int = 0, limit: int = 0, plan: Plan | None = None,
             predicate: Callable[[Any], bool] | None = None) -> list[tuple[int, dict[str, Any]]]:
        """Matching ``(rowid, document)`` pairs in the requested order, after skip and limit."""
        return self.fetch(info, Scan(filter_, sort, skip, limit, plan, predicate))

    def fetch(self, info: CollInfo | None, scan: Scan, size: int = 0) -> list[tuple[int, dict[str, Any]]]:
        """The next ``size`` matches of ``scan`` (0: all the rest), from where its last batch stopped.

        ``info`` is the collection as this unit of work's catalog has it. A batch resumes after
        the last index key (or rowid) the previous one read, so each batch reads only its own
        rows; a sort that no index gives is the exception: its first batch reads and sorts every
        match, as MongoDB's blocking sort does, and later batches hand out the rest."""
        if scan.done:
            return []
        if scan.coll_id is None:
            if info is None:
                if scan.predicate is None:
                    scan.predicate = compile_filter(scan.filter_)
                scan.done = True
                return []
            plan = scan.plan
            if plan is None or plan.index is None or plan.index not in info.indexes:
                plan = choose_plan(info, scan.filter_ or {}, scan.sort, scan.needed)
            if scan.predicate is None:
                scan.predicate = _every_document if plan.decides else compile_filter(scan.filter_)
            scan.plan, scan.coll_id = plan, info.id
            scan.dedupe = plan.index is not None and (plan.index.multikey or len(plan.ranges) > 1)
            if plan.point:
                scan.done = True
                return self._point(info, plan, scan.predicate, scan.skip)
        elif info is None or info.id != scan.coll_id:
            scan.done = True  # the collection was dropped since the last batch
            return []
        plan = scan.plan
        assert plan is not None
        if plan.index is not None:
            current = next((index for index in info.indexes if index.id == plan.index.id), None)
            if current is None:
                raise OperationFailure(f"index {plan.index.name!r} was dropped while a cursor read it", code=175)
            if plan.covered and current.arrays:
                # An array was written since the last batch: its keys are elements now, so the rest is read from documents.
                plan = scan.plan = replace(plan, covered=False)
                scan.dedupe = True
        try:
            if plan.sorts or not scan.sort:
                out = self._stream(info, scan, size)
            else:
                out = self._sorted(info, scan, size)
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            scan.done = True
            return []
        self.stats.returned = len(out)
        return out

    def _stream(self, info: CollInfo, scan: Scan, size: int) -> list[tuple[int, dict[str, Any]]]:
        out: list[tuple[int, dict[str, Any]]] = []
        matches = self._matches(info, scan)
        try:
            for match in matches:
                if scan.skipped < scan.skip:
                    scan.skipped += 1
                    continue
                out.append(match)
                scan.returned += 1
                if scan.limit and scan.returned >= scan.limit:
                    scan.done = True
                    break
                if size and len(out) >= size:
                    break
            else:
                scan.done = True
        finally:
            matches.close()
        return out

    def _sorted(self, info: CollInfo, scan: Scan, size: int) -> list[tuple[int, dict[str, Any]]]:
        if scan.sorted_rows is None:
            self.stats.sort_in_memory = True
            found = list(self._matches(info, scan))
            docs = sort_docs([doc for _, doc in found], scan.sort)
            position = {id(doc): rowid for rowid, doc in found}
            rows = [(position[id(doc)], doc) for doc in docs]
            skip, limit = scan.skip, scan.limit
            scan.sorted_rows = rows[skip:skip + limit] if limit else rows[skip:]
        rows, start = scan.sorted_rows, scan.handed_out
        end = start + size if size else len(rows)
        out = rows[start:end]
        scan.handed_out = end
        if end >= len(rows):
            scan.done = True
            scan.sorted_rows = []
        return out

    def _matches(self, info: CollInfo, scan: Scan) -> Generator[tuple[int, dict[str, Any]], None, None]:
        """Every match from where ``scan`` stopped, in the plan's order, noting in ``scan`` the
        position of each row read."""
        plan, predicate, stats = scan.plan, scan.predicate, self.stats
        assert plan is not None and predicate is not None
        rows: Iterator[tuple[int, bytes]]
        if plan.index is None:
            stats.stage = "COLLSCAN"
            rows = self._collection_rows(info, scan)
        else:
            stats.stage = "IXSCAN"
            stats.index = plan.index.name
            stats.direction = "backward" if plan.backward else "forward"
            stats.ranges = len(plan.ranges)
            stats.covered = plan.covered
            rows = self._index_rows(info, plan, scan)
        dedupe, seen = scan.dedupe, scan.seen
        budget, examined = self.budget, 0
        names = tuple(path for path, _ in plan.index.key) if plan.covered and plan.index is not None else None
        for rowid, blob in rows:
            examined += 1
            if budget and examined > budget:
                raise OverBudget
            if dedupe:
                if rowid in seen:
                    continue
                seen.add(rowid)
            found = keys.decode_exact(blob, names) if names is not None else None
            if found is None:
                found = bson.decode(blob if names is None else self._document(info, rowid))
                stats.docs_examined += 1
            if predicate(found):
                yield rowid, found

    def _document(self, info: CollInfo, rowid: int) -> bytes:
        """The stored document of one row a covered scan's key could not answer for."""
        return self.conn.execute(f"SELECT doc FROM {info.table} WHERE id = ?", (rowid,)).fetchone()[0]

    def count_keys(self, index: IndexInfo, prefix: bytes) -> int:
        """How many of ``index``'s keys start with ``prefix`` (one per document: see ``counting_index``)."""
        try:
            row = self.conn.execute(f"SELECT count(*) FROM {index.table} WHERE k >= ? AND k < ?",
                                    (prefix, keys.successor(prefix))).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return 0
        return int(row[0])

    def _point(self, info: CollInfo, plan: Plan, predicate: Any, skip: int) -> list[tuple[int, dict[str, Any]]]:
        assert plan.index is not None
        stats = self.stats
        stats.stage, stats.index, stats.ranges = "IXSCAN", plan.index.name, 1
        try:
            row = self.conn.execute(
                f"SELECT i.id, d.doc FROM {plan.index.table} AS i JOIN {info.table} AS d ON d.id = i.id "
                f"WHERE i.k = ?", (plan.ranges[0][0],),
            ).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return []
        if row is None:
            return []
        stats.keys_examined = stats.docs_examined = 1
        doc = bson.decode(row[1])
        if skip or not predicate(doc):
            return []
        stats.returned = 1
        return [(row[0], doc)]

    def insert_batch(self, info: CollInfo, docs: list[dict[str, Any]]) -> CollInfo:
        """Insert many documents with one statement per table; raises ``sqlite3.IntegrityError``
        (the caller then retries one by one to find and report the offending document)."""
        first = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {info.table}").fetchone()[0] + 1
        rowids = range(first, first + len(docs))
        for doc in docs:
            if type(doc.get("_id")) is list or _dollar_field(doc.get("_id")) is not None:
                raise sqlite3.IntegrityError("array or $-prefixed _id")
        rows = list(zip(rowids, map(bson.encode, docs)))
        self.conn.executemany(f"INSERT INTO {info.table} (id, doc) VALUES (?, ?)", rows)
        self.written += len(rows)
        for index in info.indexes:
            fast = _fast_key(index.key)
            entries: list[tuple[bytes, int]] = []
            append = entries.append
            for rowid, doc in zip(rowids, docs):
                key = fast(doc)
                if key is not None:
                    append((key, rowid))
                    continue
                found, multi = index_keys(index, doc)
                if multi & ~index.arrays:
                    info = self._mark_multikey(info, index, multi)
                    index = next(i for i in info.indexes if i.id == index.id)
                entries.extend((k, rowid) for k in found)
            # Inserting in key order touches each B-tree page once instead of at random.
            entries.sort()
            self.conn.executemany(f"INSERT INTO {index.table} (k, id) VALUES (?, ?)", entries)
        return info

    def _collection_rows(self, info: CollInfo, scan: Scan) -> Iterator[tuple[int, bytes]]:
        if scan.after is None:
            rows = self.conn.execute(f"SELECT id, doc FROM {info.table} ORDER BY id")
        else:
            rows = self.conn.execute(f"SELECT id, doc FROM {info.table} WHERE id > ? ORDER BY id", (scan.after,))
        for rowid, blob in rows:
            scan.after = rowid
            yield rowid, blob

    def _index_rows(self, info: CollInfo, plan: Plan, scan: Scan) -> Iterator[tuple[int, bytes]]:
        """The rows of ``plan``'s ranges from where ``scan`` stopped: after its last ``(key,
        rowid)`` (the key alone on a unique index) in its current range, then the later ranges."""
        assert plan.index is not None
        stats = self.stats
        order = "DESC" if plan.backward else "ASC"
        if plan.covered:  # the key stands for the document; the few it cannot answer for are read one by one
            select = f"SELECT i.k, i.id, i.k FROM {plan.index.table} AS i"
        else:
            select = f"SELECT i.k, i.id, d.doc FROM {plan.index.table} AS i JOIN {info.table} AS d ON d.id = i.id"
        if plan.exact and len(plan.ranges) > 1:
            # Each range is one key of a unique index: one statement for all of them, in key order.
            points = [low for low, _ in plan.ranges]
            if scan.after is not None:
                if plan.backward:
                    points = points[:bisect.bisect_left(points, scan.after)]
                else:
                    points = points[bisect.bisect_right(points, scan.after):]
            marks = ", ".join("?" * len(points))
            for key, rowid, blob in self.conn.execute(f"{select} WHERE i.k IN ({marks}) ORDER BY i.k {order}", points):
                stats.keys_examined += 1
                scan.after = key
                yield rowid, blob
            return
        unique = plan.index.unique
        position, marks = ("i.k", "?") if unique else ("(i.k, i.id)", "(?, ?)")
        ordering = f"i.k {order}" if unique else f"i.k {order}, i.id {order}"
        ranges = plan.ranges[::-1] if plan.backward else plan.ranges
        while scan.range_pos < len(ranges):
            low, high = ranges[scan.range_pos]
            if scan.after is None:
                rows = self.conn.execute(f"{select} WHERE i.k >= ? AND i.k < ? ORDER BY {ordering}", (low, high))
            else:
                after = (scan.after,) if unique else scan.after
                if plan.backward:
                    sql, args = f"{select} WHERE i.k >= ? AND {position} < {marks}", (low, *after)
                else:
                    sql, args = f"{select} WHERE {position} > {marks} AND i.k < ?", (*after, high)
                rows = self.conn.execute(f"{sql} ORDER BY {ordering}", args)
            for key, rowid, blob in rows:
                stats.keys_examined += 1
                scan.after = key if unique else (key, rowid)
                yield rowid, blob
            scan.range_pos += 1
            scan.after = None


def _every_document(doc: Any) -> bool:
    """The filter of a plan whose keys decide it (``Plan.decides``): whatever they found matches."""
    return True


def encode_doc(doc: Mapping[str, Any]) -> bytes:
    """BSON, or PyMongo's own ``OverflowError`` for an integer beyond 64 bits."""
    return bson.encode(doc)


def _dollar_field(value: Any) -> str | None:
    """The first ``$``-prefixed field name anywhere inside ``value``, if any."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.startswith("$"):
                return key
            found = _dollar_field(item)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = _dollar_field(item)
            if found is not None:
                return found
    return None


def check_id(value: Any) -> None:
    """MongoDB refuses an ``_id`` holding a ``$``-prefixed field, at any depth."""
    name = _dollar_field(value)
    if name is not None:
        raise WriteError(f"_id fields may not contain '$'-prefixed fields: {name} is not valid for storage.", code=52)


def duplicate_key(info: CollInfo, index: IndexInfo, doc: dict[str, Any]) -> DuplicateKeyError:
    shown = ", ".join(f"{field}: {_show(_first(doc, field))}" for field, _ in index.key)
    message = (
        f"E11000 duplicate key error collection: {info.namespace} index: {index.name} dup key: {{ {shown} }}"
    )
    key_value = {field: (None if (v := _first(doc, field)) is MISSING else v) for field, _ in index.key}
    return DuplicateKeyError(
        message, code=11000,
        details={"index": 0, "code": 11000, "errmsg": message, "keyPattern": dict(index.key), "keyValue": key_value},
    )


def _first(doc: Any, path: str) -> Any:
    for value in resolve(doc, path.split(".")):
        return value
    return MISSING


def _show(value: Any) -> str:
    if value is MISSING or value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, bson.ObjectId):
        return f"ObjectId('{value}')"
    return repr(value)


_NULL_KEY = keys.encode(None)


def component_keys(doc: Any, path: str) -> tuple[list[bytes], bool, bool]:
    """One indexed field's keys for a document: (keys, multikey, missing-everywhere)."""
    if "." not in path:
        value = doc.get(path, MISSING)
        if value is MISSING:
            return [_NULL_KEY], False, True
        if type(value) in SCALAR_TYPES:
            return [keys.encode(value)], False, False
        found = [value]
    else:
        found = list(resolve(doc, path.split(".")))
    out: list[bytes] = []
    multi = len(found) > 1
    for item in found:
        if item is MISSING:
            out.append(keys.encode(None))
        elif isinstance(item, list):
            multi = True
            if item:
                out.extend(keys.encode(element) for element in item)
            else:
                out.append(bytes([keys.EMPTY_ARRAY]))
        else:
            out.append(keys.encode(item))
    if not found:
        return [_NULL_KEY], True, True
    absent = all(item is MISSING for item in found)
    return sorted(set(out)), multi, absent


_FAST: dict[tuple[tuple[str, int], ...], Callable[[dict[str, Any]], bytes | None]] = {}
"""Per process, not per store: a key function depends on nothing but the index's key, its key here."""


def _fast_key(key: tuple[tuple[str, int], ...]) -> Callable[[dict[str, Any]], bytes | None]:
    """For an index on top-level fields: the key of a document whose indexed fields are all
    present scalars, or None (the general path then handles arrays, paths and missing fields)."""
    found = _FAST.get(key)
    if found is not None:
        return found
    fields = [(name, direction == -1) for name, direction in key]
    encoders = keys.scalar_encoders()
    invert = keys.invert

    def single(doc: dict[str, Any]) -> bytes | None:
        value = doc.get(fields[0][0], MISSING)
        encoder = encoders.get(type(value))
        if encoder is None:
            return None
        encoded = encoder(value)
        return invert(encoded) if fields[0][1] else encoded

    def compound(doc: dict[str, Any]) -> bytes | None:
        out = []
        for name, descending in fields:
            value = doc.get(name, MISSING)
            encoder = encoders.get(type(value))
            if encoder is None:
                return None
            encoded = encoder(value)
            out.append(invert(encoded) if descending else encoded)
        return b"".join(out)

    fast = single if len(fields) == 1 else compound
    if any("." in name for name, _ in fields):
        fast = _no_fast_key
    _FAST[key] = fast
    return fast


def _no_fast_key(doc: dict[str, Any]) -> None:
    return None


def _array_prefix(doc: Any, path: str) -> str:
    """The part of ``path`` up to the first array on it: fields under one array (``a.x`` and
    ``a.y`` of ``a: [...]``) may share a compound index; fields under different arrays may not."""
    value = doc
    parts = path.split(".")
    for depth, part in enumerate(parts):
        if isinstance(value, list):
            return ".".join(parts[:depth])
        if not isinstance(value, dict) or part not in value:
            return path
        value = value[part]
    return path


def index_keys(index: IndexInfo, doc: dict[str, Any]) -> tuple[list[bytes], int]:
    """Every key ``doc`` has in ``index`` (several for a multikey index) and which of the index's
    fields hold an array in it (bit ``i`` for ``index.key[i]``, as ``IndexInfo.arrays``)."""
    fast = _fast_key(index.key)(doc)
    if fast is not None:
        return [fast], 0
    parts: list[list[bytes]] = []
    multi_fields: list[str] = []
    arrays = 0
    absent_all = True
    for position, (path, direction) in enumerate(index.key):
        entries, multi, absent = component_keys(doc, path)
        absent_all = absent_all and absent
        if multi:
            multi_fields.append(path)
            arrays |= 1 << position
        parts.append([keys.invert(k) for k in entries] if direction == -1 else entries)
    if index.sparse and absent_all:
        return [], 0
    if len(multi_fields) > 1 and len({_array_prefix(doc, path) for path in multi_fields}) > 1:
        raise WriteError(
            "cannot index parallel arrays " + " ".join(f"[{name}]" for name in reversed(multi_fields)), code=171
        )
    if len(parts) == 1:
        return parts[0], arrays
    if not multi_fields:
        return [b"".join(part[0] for part in parts)], 0
    return [b"".join(combo) for combo in itertools.product(*parts)], arrays


# Writes -------------------------------------------------------------------------------------


def expire(ctx: Context, now: datetime.datetime) -> int:
    """One TTL pass: delete documents whose indexed date (earliest, for arrays) has expired."""
    removed = 0
    for info in list(ctx.catalog.values()):
        for index in info.indexes:
            if index.expire_after is None:
                continue
            current = ctx.coll(info.db, info.name)
            if current is None:
                break
            cutoff = now - datetime.timedelta(seconds=float(index.expire_after))
            low, _ = keys.bracket(keys.DATE)
            high = keys.encode(cutoff)
            if index.key[0][1] == -1:
                low, high = keys.successor(keys.invert(high)), keys.invert(low)
            path = index.key[0][0]
            rows = ctx.conn.execute(
                f"SELECT DISTINCT d.id, d.doc FROM {index.table} AS i JOIN {current.table} AS d ON d.id = i.id "
                f"WHERE i.k >= ? AND i.k < ?", (low, high),
            ).fetchall()
            for rowid, blob in rows:
                doc = bson.decode(blob)
                dates = [v for v in _flat(resolve(doc, path.split("."))) if isinstance(v, datetime.datetime)]
                if dates and min(keys.datetime_ms(d) for d in dates) < keys.datetime_ms(cutoff):
                    ctx.delete(current, rowid, doc)
                    removed += 1
    return removed


def _flat(values: Iterator[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from value
        else:
            yield value
