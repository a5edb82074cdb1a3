"""The embedded engine's catalog: which collections and indexes one SQLite file holds.

Layout of one SQLite file:

- ``_collections(id, db, name)`` and ``_indexes(id, coll, name, spec, multikey)``: the catalog.
- ``c<id>(id INTEGER PRIMARY KEY, doc BLOB)``: one table per collection, documents as BSON.
- ``x<id>(k BLOB, id INTEGER)``: one ``WITHOUT ROWID`` table per index, ``k`` the
  order-preserving encoding of the indexed values (``keys.py``) - the primary key is ``k`` for
  a unique index (SQLite enforces it) and ``(k, id)`` otherwise.

The catalog is read once into immutable ``CollInfo``/``IndexInfo`` values; a write changes a
copy (``tables.Context``) that the runtime publishes when the write commits.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import bson
from pymongo.errors import OperationFailure


@dataclass(frozen=True, slots=True)
class IndexInfo:
    id: int
    name: str
    key: tuple[tuple[str, int], ...]
    unique: bool = False
    sparse: bool = False
    expire_after: float | None = None
    arrays: int = 0
    """Which of ``key``'s fields some document has held an array in (bit ``i`` for ``key[i]``):
    such a field has a key per element, so a document may appear under several keys."""

    @property
    def multikey(self) -> bool:
        return self.arrays != 0

    def arrays_column(self) -> int:
        """``arrays`` as the ``multikey`` column keeps it: 0 for none, otherwise the mask shifted
        left with the low bit set (a store written before the mask was kept holds 1: every field)."""
        return self.arrays << 1 | 1 if self.arrays else 0

    @property
    def table(self) -> str:
        return f"x{self.id}"

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": [list(part) for part in self.key]}
        if self.unique:
            out["unique"] = True
        if self.sparse:
            out["sparse"] = True
        if self.expire_after is not None:
            out["expireAfterSeconds"] = self.expire_after
        return out

    def same_options(self, other: IndexInfo) -> bool:
        return (self.key, self.unique, self.sparse, self.expire_after) == (
            other.key, other.unique, other.sparse, other.expire_after
        )


@dataclass(frozen=True, slots=True)
class CollInfo:
    id: int
    db: str
    name: str
    indexes: tuple[IndexInfo, ...] = ()

    @property
    def table(self) -> str:
        return f"c{self.id}"

    @property
    def namespace(self) -> str:
        return f"{self.db}.{self.name}"


Catalog = dict[tuple[str, str], CollInfo]



def open_connection(path: str, synchronous: str, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA mmap_size=1073741824")
    if readonly:
        conn.execute("PRAGMA query_only=1")
    return conn


def create_schema(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _collections (id INTEGER PRIMARY KEY, db TEXT NOT NULL, "
        "name TEXT NOT NULL, UNIQUE (db, name))"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _indexes (id INTEGER PRIMARY KEY, coll INTEGER NOT NULL, "
        "name TEXT NOT NULL, spec BLOB NOT NULL, multikey INTEGER NOT NULL DEFAULT 0)"
    )


def load_catalog(conn: sqlite3.Connection) -> Catalog:
    catalog: Catalog = {}
    indexes: dict[int, list[IndexInfo]] = {}
    for index_id, coll, name, spec_blob, multikey in conn.execute(
        "SELECT id, coll, name, spec, multikey FROM _indexes ORDER BY id"
    ):
        spec = bson.decode(spec_blob)
        indexes.setdefault(coll, []).append(IndexInfo(
            id=index_id, name=name, key=tuple((f, int(d)) for f, d in spec["key"]),
            unique=bool(spec.get("unique")), sparse=bool(spec.get("sparse")),
            expire_after=spec.get("expireAfterSeconds"),
            arrays=(1 << len(spec["key"])) - 1 if multikey == 1 else multikey >> 1,
        ))
    for coll_id, db, name in conn.execute("SELECT id, db, name FROM _collections"):
        catalog[(db, name)] = CollInfo(coll_id, db, name, tuple(indexes.get(coll_id, [])))
    return catalog


def check_name(db: str, name: str) -> None:
    if not name or "$" in name or name.startswith(".") or name.endswith(".") or "\x00" in name:
        raise OperationFailure(f"Invalid collection name: {name!r}", code=73)
    if not db or any(ch in db for ch in '/\\. "$\x00'):
        raise OperationFailure(f"Invalid database name: {db!r}", code=73)
