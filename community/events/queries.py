"""The events' reads and the names of their collections, in MongoDB's query language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database

EVENTS = "events"
"""The name ``community.realtime.queries`` loads an event room's resource from."""
RSVPS = "event_rsvps"
CALENDAR_TOKENS = "event_calendar_tokens"
FEEDBACK = "event_feedback"

RSVP_STATES = ("going", "waitlisted", "interested", "not_going")


def rsvp_key(event_id: ObjectId, user_id: ObjectId) -> str:
    """One answer per person and event: the key makes a second one impossible, however many
    arrive at once."""
    return f"{event_id}:{user_id}"


async def event(db: Database, event_id: ObjectId, *, session: Any = None) -> dict[str, Any] | None:
    return await db[EVENTS].find_one({"_id": event_id}, session=session)


async def rsvp(db: Database, event_id: ObjectId, user_id: ObjectId, *, session: Any = None) -> dict[str, Any] | None:
    return await db[RSVPS].find_one({"_id": rsvp_key(event_id, user_id)}, session=session)


async def first_waitlisted(db: Database, event_id: ObjectId, *, session: Any) -> dict[str, Any] | None:
    rows = await db[RSVPS].find({"event_id": event_id, "status": "waitlisted"}, session=session) \
        .sort([("waitlisted_at", 1), ("_id", 1)]).limit(1).to_list(1)
    return rows[0] if rows else None


async def people_of(db: Database, event_id: ObjectId, statuses: Iterable[str]) -> list[ObjectId]:
    rows = await db[RSVPS].find({"event_id": event_id, "status": {"$in": list(statuses)}}, {"user_id": 1}).to_list(None)
    return [row["user_id"] for row in rows]


async def rsvp_list(db: Database, event_id: ObjectId) -> list[dict[str, Any]]:
    """Everyone who answered, going first, then the waitlist in its order."""
    rows = await db[RSVPS].find({"event_id": event_id}).sort([("answered_at", 1), ("_id", 1)]).to_list(None)
    order = {state: n for n, state in enumerate(RSVP_STATES)}
    return sorted(rows, key=lambda row: (order[row["status"]], row.get("waitlisted_at") or row["answered_at"]))


async def listed(db: Database, condition: dict[str, Any], *, ascending: bool = True, limit: int = 100) -> list[dict[str, Any]]:
    return await db[EVENTS].find(condition).sort([("start_at", 1 if ascending else -1), ("_id", 1)]) \
        .limit(limit).to_list(limit)


async def upcoming_on(db: Database, competency_id: str, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Published events on a competency that have not started, soonest first.

    The status is checked here rather than in the filter: with it there, the embedded engine
    reads every published event through the (status, start) index instead of the competency's
    few through the (competencies, start) one. Drafts and cancelled events are few among the
    soonest, so twice ``limit`` is read."""
    rows = await db[EVENTS].find({"competencies": competency_id, "start_at": {"$gte": now}}) \
        .sort([("start_at", 1), ("_id", 1)]).limit(limit * 2).to_list(None)
    return [row for row in rows if row["status"] == "published"][:limit]


async def going_event_ids(db: Database, user_id: ObjectId, limit: int = 1000) -> list[ObjectId]:
    rows = await db[RSVPS].find({"user_id": user_id, "status": "going"}, {"event_id": 1}).limit(limit).to_list(limit)
    return [row["event_id"] for row in rows]


async def statuses_of(db: Database, user_id: ObjectId, event_ids: Iterable[ObjectId]) -> dict[ObjectId, str]:
    rows = await db[RSVPS].find({"user_id": user_id, "event_id": {"$in": list(event_ids)}},
                                {"event_id": 1, "status": 1}).to_list(None)
    return {row["event_id"]: row["status"] for row in rows}


IN_CHUNK = 50
"""Ids asked for at once: the embedded engine answers an ``$in`` of hundreds of ids in time that
grows with their square (500 ids: 110 ms at once, 17 ms in chunks of 50)."""


async def by_ids(db: Database, event_ids: Iterable[ObjectId]) -> list[dict[str, Any]]:
    """The events, earliest first."""
    wanted = list(event_ids)
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), IN_CHUNK):
        found += await db[EVENTS].find({"_id": {"$in": wanted[start:start + IN_CHUNK]}}).to_list(None)
    return sorted(found, key=lambda event: (event["start_at"], event["_id"]))


async def calendar_owner(db: Database, token_hash: str) -> ObjectId | None:
    row = await db[CALENDAR_TOKENS].find_one({"token_hash": token_hash}, {"user_id": 1})
    return row["user_id"] if row is not None else None


async def calendar_token_exists(db: Database, user_id: ObjectId) -> bool:
    return await db[CALENDAR_TOKENS].find_one({"_id": user_id}, {"_id": 1}) is not None


def between(start: datetime, end: datetime) -> dict[str, Any]:
    return {"start_at": {"$gte": start, "$lt": end}}
