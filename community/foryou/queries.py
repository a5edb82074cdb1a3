"""The For-you page's own data, in MongoDB's query language.

- ``foryou_choices``: one document per person, ``{_id: user_id, target_position_id, digest,
  updated_at}``: the position they want to move to (``None``: the one on their profile) and
  whether new suggestions go into their e-mail digest.
- ``foryou_dismissals``: ``{_id: "user|key", user_id, key, at}``, one per suggestion or
  competency the person said "not for me now" to; ``key`` is :func:`suggestion_key`.
- ``foryou_sent``: ``{_id: "user|key", user_id, key, at}``, one per suggestion an e-mail digest
  carried, so the next digest tells only what is new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database

CHOICES = "foryou_choices"
DISMISSALS = "foryou_dismissals"
SENT = "foryou_sent"


def suggestion_key(kind: str, ref: str) -> str:
    """``thread:<id>``, ``expert:<id>``, ``event:<id>``, ``vacancy:<id>`` or ``competency:<id>``."""
    return f"{kind}:{ref}"


def _row_id(user_id: ObjectId, key: str) -> str:
    return f"{user_id}|{key}"


async def choices(db: Database, user_id: ObjectId) -> dict[str, Any]:
    return await db[CHOICES].find_one({"_id": user_id}) or {"_id": user_id}


async def set_choice(db: Database, user_id: ObjectId, fields: dict[str, Any], now: datetime, *, session: Any) -> None:
    await db[CHOICES].update_one({"_id": user_id}, {"$set": {**fields, "updated_at": now}}, upsert=True, session=session)


async def digest_readers(db: Database) -> list[ObjectId]:
    """Everyone who asked for new suggestions in their e-mail digest."""
    return [row["_id"] async for row in db[CHOICES].find({"digest": True}, {"_id": 1})]


async def dismissed(db: Database, user_id: ObjectId) -> set[str]:
    return {row["key"] async for row in db[DISMISSALS].find({"user_id": user_id}, {"key": 1})}


async def dismiss(db: Database, user_id: ObjectId, key: str, now: datetime, *, session: Any) -> bool:
    """Record the dismissal; False when it was recorded already."""
    result = await db[DISMISSALS].update_one({"_id": _row_id(user_id, key)},
                                             {"$setOnInsert": {"user_id": user_id, "key": key, "at": now}},
                                             upsert=True, session=session)
    return result.upserted_id is not None


async def undismiss(db: Database, user_id: ObjectId, key: str, *, session: Any) -> bool:
    result = await db[DISMISSALS].delete_one({"_id": _row_id(user_id, key)}, session=session)
    return result.deleted_count == 1


async def already_sent(db: Database, user_id: ObjectId, keys: Iterable[str]) -> set[str]:
    wanted = [_row_id(user_id, key) for key in keys]
    if not wanted:
        return set()
    return {row["key"] async for row in db[SENT].find({"_id": {"$in": wanted}}, {"key": 1})}


async def record_sent(db: Database, user_id: ObjectId, keys: Iterable[str], now: datetime) -> None:
    for key in keys:
        await db[SENT].update_one({"_id": _row_id(user_id, key)},
                                  {"$setOnInsert": {"user_id": user_id, "key": key, "at": now}}, upsert=True)
