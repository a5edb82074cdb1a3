"""Per-person read positions: the highest post number seen in each thread, and category visits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community.forums.queries import READS
from community.storage.api import Database


async def mark_read(db: Database, user_id: ObjectId, thread_id: ObjectId, number: int, session: Any = None) -> None:
    """Move the person's read position forward to ``number``; never backwards."""
    await db[READS].update_one(
        {"_id": f"{user_id}|{thread_id}"},
        {"$max": {"last_read": number}, "$set": {"at": datetime.now(UTC)},
         "$setOnInsert": {"user_id": user_id, "thread_id": thread_id}},
        upsert=True, session=session)


async def mark_category_visit(db: Database, user_id: ObjectId, category_id: ObjectId, now: datetime) -> datetime | None:
    """Record this visit and return the previous one, which marks what is new since then."""
    previous = await db[READS].find_one_and_update(
        {"_id": f"{user_id}|category|{category_id}"},
        {"$set": {"at": now}, "$setOnInsert": {"user_id": user_id, "category_id": category_id}},
        upsert=True)
    return previous["at"] if previous else None
