"""Storage of notifications, preferences and digest records, in MongoDB's query language.

A notification is ``{_id, user_id, kind, subject_type, subject_id, actor_id, params, url, count,
read, created_at, updated_at, intents, actors}``: the words are rendered from ``kind`` and ``params``
when it is shown (``render``); ``intents`` holds the last intents folded into it and ``actors``
who acted in the last ones (oldest first; ``ACTOR_MEMORY``). While unread it also holds ``open_key`` (unique), the person,
kind and subject it stands for, so the next notification about the same thing is folded into it
instead of listed again; marking it read removes the key, and the next one starts a new entry.
``digest_pending`` is set while it waits for the person's next e-mail digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import InsertOne, ReturnDocument, UpdateMany
from pymongo.errors import DuplicateKeyError

from community.storage.api import Database

NOTIFICATIONS = "notifications"
PREFERENCES = "notification_preferences"
DIGESTS = "notification_digests"
ACTOR_MEMORY = 10
"""Actors a notification remembers, repeats included: enough to name the latest few people."""


def open_key(user_id: ObjectId, kind: str, subject_type: str, subject_id: Any) -> str:
    return f"{user_id}|{kind}|{subject_type}|{subject_id}"


@dataclass(frozen=True, slots=True)
class Fold:
    """The occurrences for the open notification ``key``: the fields it sets (the latest
    occurrence's), those a new entry starts with, and each occurrence's intent and actor, oldest first."""

    key: str
    set_fields: dict[str, Any]
    on_insert: dict[str, Any]
    occurrences: tuple[tuple[ObjectId, ObjectId | None], ...]


async def fold_in_many(db: Database, folds: list[Fold], *, memory: int, session: Any) -> list[dict[str, Any]]:
    """Add each fold's occurrences to its open notification, creating those that do not exist,
    in ``session``'s transaction; returns the notifications it added to. The open entries are
    read first: an occurrence whose intent an entry holds already (a replay) is left out, the
    rest of each entry's get one ``UpdateMany`` per set of fields and occurrences (the filter
    repeats the intent check) and the missing entries an ``InsertOne`` each, all in one
    ``bulk_write``. An entry opened by someone else between the read and the write makes its
    insert fail on the unique ``open_key``, which aborts the transaction (nothing of the batch
    is written) and is raised."""
    keys = [fold.key for fold in folds]
    found = {row["open_key"]: set(row.get("intents", [])) async for row in db[NOTIFICATIONS].find(
        {"open_key": {"$in": keys}}, {"open_key": 1, "intents": 1}, session=session)}
    requests: list[Any] = []
    groups: list[tuple[dict[str, Any], tuple[tuple[ObjectId, ObjectId | None], ...], list[str]]] = []
    told: list[str] = []
    for fold in folds:
        held = found.get(fold.key)
        if held is None:
            intents = [intent for intent, _actor in fold.occurrences]
            requests.append(InsertOne({"open_key": fold.key, **fold.on_insert, **fold.set_fields,
                                       "count": len(intents), "intents": intents[-memory:],
                                       "actors": _actors(fold.occurrences)}))
            told.append(fold.key)
            continue
        new = tuple(occurrence for occurrence in fold.occurrences if occurrence[0] not in held)
        if not new:
            continue
        group = next((members for fields, occurrences, members in groups
                      if occurrences == new and fields == fold.set_fields), None)
        if group is None:
            groups.append((fold.set_fields, new, group := []))
        group.append(fold.key)
        told.append(fold.key)
    if not requests and not groups:
        return []
    for fields, occurrences, group in groups:
        intents = [intent for intent, _actor in occurrences]
        push: dict[str, Any] = {"intents": {"$each": intents, "$slice": -memory}}
        if actors := _actors(occurrences):
            push["actors"] = {"$each": actors, "$slice": -ACTOR_MEMORY}
        requests.append(UpdateMany({"open_key": {"$in": group}, "intents": {"$nin": intents}},
                                   {"$set": fields, "$inc": {"count": len(intents)}, "$push": push}))
    await db[NOTIFICATIONS].bulk_write(requests, ordered=True, session=session)
    return await db[NOTIFICATIONS].find({"open_key": {"$in": told}}, session=session).to_list(None)


def _actors(occurrences: Sequence[tuple[ObjectId, ObjectId | None]]) -> list[ObjectId]:
    return [actor for _intent, actor in occurrences if actor is not None][-ACTOR_MEMORY:]


async def deliveries(db: Database, people: list[ObjectId], kind: str) -> dict[ObjectId, str]:
    """Each person's chosen delivery for ``kind``, for those who chose one."""
    rows = db[PREFERENCES].find({"_id": {"$in": people}}, {f"kinds.{kind}": 1})
    return {row["_id"]: row["kinds"][kind] async for row in rows if kind in row.get("kinds", {})}


async def unread_counts(db: Database, people: list[ObjectId]) -> dict[ObjectId, int]:
    """Each person's unread count, for those with any: one count each, which an index answers
    by its keys (grouping them in one read would read every unread notification of them all)."""
    counts = {person: await unread_count(db, person) for person in people}
    return {person: n for person, n in counts.items() if n}


async def unread_count(db: Database, user_id: ObjectId, *, session: Any = None) -> int:
    return await db[NOTIFICATIONS].count_documents({"user_id": user_id, "read": False}, session=session)


async def page(db: Database, user_id: ObjectId, *, unread_only: bool, before: tuple[datetime, ObjectId] | None,
               limit: int) -> list[dict[str, Any]]:
    """Newest activity first; ``before`` is the (updated_at, _id) of the last row already shown."""
    query: dict[str, Any] = {"user_id": user_id}
    if unread_only:
        query["read"] = False
    if before is not None:
        at, last_id = before
        query["$or"] = [{"updated_at": {"$lt": at}}, {"updated_at": at, "_id": {"$lt": last_id}}]
    # Not the ids of the intents folded in (up to INTENT_MEMORY of them): only the notifier reads those.
    return await db[NOTIFICATIONS].find(query, {"intents": 0}, sort=[("updated_at", -1), ("_id", -1)],
                                        limit=limit).to_list(None)


async def mark_read(db: Database, user_id: ObjectId, notification_id: ObjectId, now: datetime, *,
                    session: Any = None) -> bool:
    result = await db[NOTIFICATIONS].update_one(
        {"_id": notification_id, "user_id": user_id, "read": False},
        {"$set": {"read": True, "read_at": now}, "$unset": {"open_key": "", "digest_pending": ""}},
        session=session,
    )
    return result.modified_count == 1


async def exists(db: Database, user_id: ObjectId, notification_id: ObjectId) -> bool:
    return await db[NOTIFICATIONS].count_documents({"_id": notification_id, "user_id": user_id}, limit=1) == 1


async def mark_all_read(db: Database, user_id: ObjectId, now: datetime, *, session: Any = None) -> int:
    result = await db[NOTIFICATIONS].update_many(
        {"user_id": user_id, "read": False},
        {"$set": {"read": True, "read_at": now}, "$unset": {"open_key": "", "digest_pending": ""}},
        session=session,
    )
    return result.modified_count


def _about(user_id: ObjectId, subjects: Sequence[tuple[str, ObjectId]]) -> dict[str, Any] | None:
    """The person's unread notifications about any of ``subjects`` (None for no subjects)."""
    by_type: dict[str, list[ObjectId]] = {}
    for subject_type, subject_id in subjects:
        by_type.setdefault(subject_type, []).append(subject_id)
    if not by_type:
        return None
    return {"user_id": user_id, "read": False,
            "$or": [{"subject_type": kind, "subject_id": {"$in": ids}} for kind, ids in by_type.items()]}


async def any_unread_about(db: Database, user_id: ObjectId, subjects: Sequence[tuple[str, ObjectId]]) -> bool:
    filter_ = _about(user_id, subjects)
    return filter_ is not None and await db[NOTIFICATIONS].find_one(filter_, {"_id": 1}) is not None


async def mark_subjects_read(db: Database, user_id: ObjectId, subjects: Sequence[tuple[str, ObjectId]], now: datetime, *,
                             session: Any = None) -> int:
    """Mark the person's unread notifications about any of ``subjects`` read; how many were."""
    filter_ = _about(user_id, subjects)
    if filter_ is None:
        return 0
    result = await db[NOTIFICATIONS].update_many(
        filter_, {"$set": {"read": True, "read_at": now}, "$unset": {"open_key": "", "digest_pending": ""}},
        session=session,
    )
    return result.modified_count


async def preferences(db: Database, user_id: ObjectId) -> dict[str, str]:
    doc = await db[PREFERENCES].find_one({"_id": user_id})
    return dict(doc["kinds"]) if doc else {}


async def save_preferences(db: Database, user_id: ObjectId, kinds: dict[str, str], now: datetime) -> None:
    await db[PREFERENCES].update_one({"_id": user_id}, {"$set": {"kinds": kinds, "updated_at": now}}, upsert=True)


async def people_awaiting_digest(db: Database) -> list[ObjectId]:
    return await db[NOTIFICATIONS].distinct("user_id", {"digest_pending": True, "read": False})


async def digest_items(db: Database, user_id: ObjectId, limit: int) -> list[dict[str, Any]]:
    return await db[NOTIFICATIONS].find({"user_id": user_id, "digest_pending": True, "read": False},
                                        sort=[("updated_at", -1)], limit=limit).to_list(None)


async def clear_digest_pending(db: Database, user_id: ObjectId, ids: list[ObjectId]) -> None:
    await db[NOTIFICATIONS].update_many({"user_id": user_id, "_id": {"$in": ids}}, {"$unset": {"digest_pending": ""}})


async def claim_digest(db: Database, user_id: ObjectId, day: str, now: datetime) -> tuple[bool, dict[str, Any] | None]:
    """Record that the person's digest for ``day`` is being sent, in one atomic step.

    Returns (False, None) when that day's digest was already claimed (by an earlier run or
    another process), else (True, the previous record or None) so a failed send can restore it.
    """
    try:
        previous = await db[DIGESTS].find_one_and_update(
            {"_id": user_id, "day": {"$ne": day}}, {"$set": {"day": day, "sent_at": now}},
            upsert=True, return_document=ReturnDocument.BEFORE,
        )
    except DuplicateKeyError:
        return False, None
    return True, previous


async def record_digest(db: Database, user_id: ObjectId, count: int) -> None:
    await db[DIGESTS].update_one({"_id": user_id}, {"$set": {"items": count}})


async def release_digest(db: Database, user_id: ObjectId, previous: dict[str, Any] | None) -> None:
    if previous is None:
        await db[DIGESTS].delete_one({"_id": user_id})
    else:
        await db[DIGESTS].replace_one({"_id": user_id}, previous)


async def last_digest(db: Database, user_id: ObjectId) -> dict[str, Any] | None:
    return await db[DIGESTS].find_one({"_id": user_id})
