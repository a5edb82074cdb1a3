"""Karma Points: an append-only ledger that every feature awards through.

Each (person, reason, object) is one *award key*. Its entries are numbered 1, 2, 3, ... and a
unique index on (key, seq) makes the numbering the lock: an award appends the next entry only
when the last one is not already an award, a reversal appends a compensating entry only when it
is. Two concurrent awards both try to write the same ``seq``; the index lets one through, so a
reason on an object never counts twice, and nothing is ever updated or deleted.

The people search index carries each person's total, so every entry written also records a
search outbox entry for that person, through the caller's session (in the caller's transaction).

Each person's total is kept in ``karma_totals`` beside the ledger, changed in the same
transaction as each entry, so reading it is one document however long the ledger grows. A
person's first entry since the totals began starts their total from their whole ledger, so
a ledger older than the totals is counted in full.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community.accounts import people
from community.storage import in_transaction
from community.storage.api import Database
from search import outbox

LEDGER = "karma_ledger"
TOTALS = "karma_totals"


async def _append(db: Database, entry: dict[str, Any], session: Any) -> bool:
    """Write ``entry`` and the person's new total unless a concurrent write took its ``seq``.

    Without the caller's session the two writes get a transaction of their own: the total must
    never count an entry the ledger does not hold, or miss one it does."""
    try:
        if session is None:
            await in_transaction(db, lambda own: _write(db, entry, own))
        else:
            await _write(db, entry, session)
    except DuplicateKeyError:
        return False
    return True


async def _write(db: Database, entry: dict[str, Any], session: Any) -> None:
    await db[LEDGER].insert_one(entry, session=session)
    user_id = entry["user_id"]
    counted = await db[TOTALS].update_one({"_id": user_id}, {"$inc": {"points": entry["points"]}}, session=session)
    if not counted.matched_count:
        await db[TOTALS].insert_one({"_id": user_id, "points": await _ledger_sum(db, user_id, session)},
                                    session=session)
    await outbox.record(db, session, "people", user_id)


async def _ledger_sum(db: Database, user_id: ObjectId, session: Any = None) -> int:
    rows = await (await db[LEDGER].aggregate([
        {"$match": {"user_id": user_id}},
        {"$group": {"_id": None, "points": {"$sum": "$points"}}},
    ], session=session)).to_list(None)
    return rows[0]["points"] if rows else 0


def award_key(user_id: ObjectId, reason: str, object_type: str, object_id: Any) -> str:
    return f"{user_id}|{reason}|{object_type}|{object_id}"


async def _last_entry(db: Database, key: str, session: Any) -> dict[str, Any] | None:
    return await db[LEDGER].find_one({"key": key}, sort=[("seq", -1)], session=session)


async def award(db: Database, *, user_id: ObjectId, points: int, reason: str, object_type: str, object_id: Any,
                session: Any = None) -> bool:
    """Credit ``points`` for ``reason`` on an object; returns whether anything was written.

    A repeated award for the same key is a no-op until the earlier one has been reversed.
    """
    if points <= 0:
        raise ValueError("an award is a positive number of points; use reverse() to take points back")
    key = award_key(user_id, reason, object_type, object_id)
    last = await _last_entry(db, key, session)
    if last is not None and last["kind"] == "award":
        return False
    person = await people.person_by_id(db, user_id, session=session)
    entry = {
        "key": key,
        "seq": (last["seq"] if last else 0) + 1,
        "kind": "award",
        "user_id": user_id,
        "org_id": person.get("org_id") if person else None,
        "points": points,
        "reason": reason,
        "object_type": object_type,
        "object_id": object_id,
        "at": datetime.now(UTC),
    }
    return await _append(db, entry, session)


async def reverse(db: Database, *, user_id: ObjectId, reason: str, object_type: str, object_id: Any,
                  session: Any = None) -> bool:
    """Append a compensating entry for a standing award; returns whether anything was written."""
    key = award_key(user_id, reason, object_type, object_id)
    last = await _last_entry(db, key, session)
    if last is None or last["kind"] != "award":
        return False
    entry = {**{k: last[k] for k in ("key", "user_id", "org_id", "reason", "object_type", "object_id")},
             "seq": last["seq"] + 1, "kind": "reversal", "points": -last["points"], "at": datetime.now(UTC)}
    return await _append(db, entry, session)


async def total(db: Database, user_id: ObjectId) -> int:
    """The person's Karma Points: their kept total (one document), or, for someone with no entry
    since the totals began, the sum of their ledger (usually empty)."""
    kept = await db[TOTALS].find_one({"_id": user_id}, {"points": 1})
    return kept["points"] if kept else await _ledger_sum(db, user_id)


async def points_today(db: Database, user_id: ObjectId, reason: str) -> int:
    """Points credited for ``reason`` since midnight UTC, for features that cap daily awards."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = await (await db[LEDGER].aggregate([
        {"$match": {"user_id": user_id, "reason": reason, "at": {"$gte": midnight}}},
        {"$group": {"_id": None, "points": {"$sum": "$points"}}},
    ])).to_list(None)
    return rows[0]["points"] if rows else 0
