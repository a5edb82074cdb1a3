"""The search outbox: what the index must learn, written in the same transaction as the change.

A feature that changes something searchable calls ``record`` with the session of its storage
transaction, so the entry exists exactly when the change does; ``search.indexer`` reads the
entries and brings the engine up to date, however long after and however often it restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pymongo import ASCENDING

from community.storage.api import Database
from search.definitions import definition

OUTBOX = "search_outbox"
"""Its index is declared in ``community.storage.indexes`` (search outbox block)."""

Op = Literal["upsert", "delete"]


async def record(db: Database, session: Any, index: str, doc_id: Any, op: Op = "upsert") -> None:
    """Note that ``doc_id`` of ``index`` changed (``op="delete"``: is gone for good).

    ``doc_id`` is the stored document's ``_id`` (any type; it is kept as a string): a thread or
    post id for ``threads_posts``, a user id for ``people``, an event or vacancy id. The indexer
    reads the current stored state, so one entry per change is enough and repeats are harmless.
    Pass the session of the transaction that makes the change (``None`` outside one).
    """
    definition(index)
    if op not in ("upsert", "delete"):
        raise ValueError("op is 'upsert' or 'delete'")
    now = datetime.now(UTC)
    await db[OUTBOX].insert_one({"index": index, "doc_id": str(doc_id), "op": op, "created_at": now,
                                 "next_attempt_at": now, "attempts": 0}, session=session)


@dataclass(frozen=True, slots=True)
class Lag:
    pending: int
    oldest_seconds: float
    """Age of the oldest entry not yet indexed (0 when none)."""
    failing: int
    """Entries that failed at least once and wait for a retry."""


async def lag(db: Database) -> Lag:
    """How far the index is behind storage."""
    pending = await db[OUTBOX].count_documents({})
    if not pending:
        return Lag(0, 0.0, 0)
    oldest = await db[OUTBOX].find_one({}, sort=[("_id", ASCENDING)])
    created = oldest["created_at"] if oldest else datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    failing = await db[OUTBOX].count_documents({"attempts": {"$gt": 0}})
    return Lag(pending, max(0.0, (datetime.now(UTC) - created).total_seconds()), failing)
