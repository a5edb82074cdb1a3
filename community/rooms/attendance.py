"""Attendance from presence: when each person's first socket entered a room and their last left,
and each person's present share of the subject's start..end.

A person present through two processes at once has two open spans; spans are merged before they
are measured, so being in two tabs never counts twice. A host's correction (audited, in
``community.rooms.service``) overrides what presence recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.rooms.storage import ATTENDANCE, CORRECTIONS
from community.rooms.subjects import RoomAccess
from community.timezones import as_utc as utc


@dataclass(frozen=True, slots=True)
class Attendance:
    user_id: ObjectId
    seconds: float
    share: float
    """Present seconds within start..end over the span's length, 0 to 1."""
    attended: bool
    corrected: bool


async def joined(db: Any, kind: str, subject_id: ObjectId, user_id: ObjectId, now: datetime) -> None:
    await db[ATTENDANCE].insert_one({"_id": ObjectId(), "kind": kind, "subject_id": subject_id, "user_id": user_id,
                                     "joined_at": now, "left_at": None})


async def left(db: Any, kind: str, subject_id: ObjectId, user_id: ObjectId, now: datetime) -> None:
    """Close the person's newest open span here."""
    span = await db[ATTENDANCE].find_one({"kind": kind, "subject_id": subject_id, "user_id": user_id,
                                          "left_at": None}, sort=[("joined_at", -1)])
    if span is not None:
        await db[ATTENDANCE].update_one({"_id": span["_id"]}, {"$set": {"left_at": now}})


def present_seconds(spans: list[tuple[datetime, datetime]], starts_at: datetime, ends_at: datetime) -> float:
    """Seconds covered by the union of ``spans``, clipped to ``starts_at``..``ends_at``."""
    clipped = sorted((max(start, starts_at), min(end, ends_at)) for start, end in spans)
    total, reach = 0.0, starts_at
    for start, end in clipped:
        start = max(start, reach)
        if end > start:
            total += (end - start).total_seconds()
            reach = end
    return total


async def report(db: Any, found: RoomAccess, threshold: float, *, now: datetime) -> dict[ObjectId, Attendance]:
    """Everyone who was present or whose attendance a host corrected, by person."""
    where = {"kind": found.kind, "subject_id": found.subject_id}
    spans: dict[ObjectId, list[tuple[datetime, datetime]]] = {}
    async for row in db[ATTENDANCE].find(where):
        spans.setdefault(row["user_id"], []).append((utc(row["joined_at"]), utc(row["left_at"] or now)))
    corrections = {row["user_id"]: row["attended"] async for row in db[CORRECTIONS].find(where)}
    starts_at, ends_at = utc(found.starts_at), utc(found.ends_at)
    length = max((ends_at - starts_at).total_seconds(), 1.0)
    result = {}
    for person in spans.keys() | corrections.keys():
        seconds = present_seconds(spans.get(person, []), starts_at, ends_at)
        share = min(1.0, seconds / length)
        corrected = person in corrections
        result[person] = Attendance(person, seconds, share, corrections[person] if corrected else share >= threshold,
                                    corrected)
    return result
