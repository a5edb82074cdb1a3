"""Mentoring's MongoDB language: offers, mentorships and the monthly places an offer gives.

An offer is one document per expert, keyed by their id: ``{_id, competencies, offer, slots,
monthly_cap, open, updated_at}``, each slot ``{weekday, start, minutes}`` in Indian Standard
Time. A mentorship is ``{_id, mentor_id, mentee_id, competency_id, competency, goal, status, note,
requested_at, answered_at, ended_at, ended_by, month, conversation_id, sessions, feedback,
completed, open_key}``; ``status`` is ``requested``, ``accepted``, ``declined``, ``withdrawn`` or
``expired`` (unanswered in time) or ``ended``; ``open_key`` (mentee|mentor, under a unique index) is set only while it is requested or
accepted, so a pair has one open mentorship at a time. A place is ``{_id: "mentor|YYYY-MM",
mentor_id, month, taken}``: the requests a mentor took in a month, counted up only below the
offer's cap inside the request's transaction, so two requests at once never pass it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database
from community.timezones import IST

OFFERS = "mentoring_offers"
MENTORSHIPS = "mentorships"
PLACES = "mentoring_places"

OPEN_STATES = ("requested", "accepted")
PAGE_SIZE = 50


def month_of(moment: datetime) -> str:
    """The calendar month (in Indian Standard Time) a request counts in: ``2026-12``."""
    return moment.astimezone(IST).strftime("%Y-%m")


def place_key(mentor_id: ObjectId, month: str) -> str:
    return f"{mentor_id}|{month}"


def open_key(mentee_id: ObjectId, mentor_id: ObjectId) -> str:
    return f"{mentee_id}|{mentor_id}"


async def offer(db: Database, mentor_id: ObjectId) -> dict[str, Any] | None:
    return await db[OFFERS].find_one({"_id": mentor_id})


async def places_taken(db: Database, mentor_id: ObjectId, month: str) -> int:
    row = await db[PLACES].find_one({"_id": place_key(mentor_id, month)}, {"taken": 1})
    return int(row["taken"]) if row else 0


async def open_offers_among(db: Database, person_ids: Iterable[ObjectId], month: str) -> dict[ObjectId, dict[str, Any]]:
    """Those of ``person_ids`` whose offer is open with a place left in ``month``, each with its
    topics and places left: ``{competencies, places_left}``. Two reads however many people."""
    ids = list(person_ids)
    if not ids:
        return {}
    offers = {row["_id"]: row async for row in
              db[OFFERS].find({"_id": {"$in": ids}, "open": True}, {"monthly_cap": 1, "competencies": 1})}
    if not offers:
        return {}
    taken = {row["mentor_id"]: row["taken"] async for row in
             db[PLACES].find({"_id": {"$in": [place_key(uid, month) for uid in offers]}}, {"mentor_id": 1, "taken": 1})}
    left = {uid: row["monthly_cap"] - taken.get(uid, 0) for uid, row in offers.items()}
    return {uid: {"competencies": list(row["competencies"]), "places_left": left[uid]}
            for uid, row in offers.items() if left[uid] > 0}


async def open_offers_on(db: Database, competency_id: str, limit: int) -> list[ObjectId]:
    """Up to ``limit`` experts whose offer is open and lists ``competency_id`` as a topic (places
    left or not), in the index's order: no sort, so a popular topic costs ``limit`` index entries,
    not all of its offers."""
    rows = db[OFFERS].find({"competencies": competency_id, "open": True}, {"_id": 1}, limit=limit)
    return [row["_id"] async for row in rows]


async def mentorship(db: Database, mentorship_id: ObjectId) -> dict[str, Any] | None:
    return await db[MENTORSHIPS].find_one({"_id": mentorship_id})


async def open_between(db: Database, mentee_id: ObjectId, mentor_id: ObjectId) -> dict[str, Any] | None:
    """The pair's requested or accepted mentorship, if any."""
    return await db[MENTORSHIPS].find_one({"open_key": open_key(mentee_id, mentor_id)})


async def as_mentor(db: Database, mentor_id: ObjectId, states: tuple[str, ...], limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    return await db[MENTORSHIPS].find({"mentor_id": mentor_id, "status": {"$in": list(states)}},
                                      sort=[("requested_at", -1), ("_id", -1)], limit=limit).to_list(None)


async def as_mentee(db: Database, mentee_id: ObjectId, states: tuple[str, ...], limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    return await db[MENTORSHIPS].find({"mentee_id": mentee_id, "status": {"$in": list(states)}},
                                      sort=[("requested_at", -1), ("_id", -1)], limit=limit).to_list(None)


async def any_mentorship(db: Database) -> bool:
    return await db[MENTORSHIPS].find_one({}, {"_id": 1}) is not None
