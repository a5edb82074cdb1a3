"""Leaderboards over the Karma ledger: this week, this month, all time; overall or per organisation.

Weeks and months follow Indian Standard Time, so a week starts at Monday 00:00 IST for everyone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId

from community.karma.service import LEDGER

IST = ZoneInfo("Asia/Kolkata")


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


def period_start(period: Period, now: datetime | None = None) -> datetime | None:
    local = (now or datetime.now(UTC)).astimezone(IST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.WEEK:
        return (midnight - timedelta(days=midnight.weekday())).astimezone(UTC)
    if period is Period.MONTH:
        return midnight.replace(day=1).astimezone(UTC)
    return None


async def leaderboard(db: Any, *, period: Period, org_id: ObjectId | None = None, limit: int = 20,
                      now: datetime | None = None) -> list[dict[str, Any]]:
    """The people with most points in the period: ``[{"user_id", "name", "points", "rank"}]``."""
    match: dict[str, Any] = {}
    start = period_start(period, now)
    if start is not None:
        match["at"] = {"$gte": start}
    if org_id is not None:
        match["org_id"] = org_id
    rows = await (await db[LEDGER].aggregate([
        {"$match": match},
        {"$group": {"_id": "$user_id", "points": {"$sum": "$points"}}},
        {"$match": {"points": {"$gt": 0}}},
        {"$sort": {"points": -1, "_id": 1}},
        {"$limit": limit},
    ])).to_list(None)
    people = {
        person["_id"]: person
        async for person in db.users.find({"_id": {"$in": [row["_id"] for row in rows]}}, {"name": 1, "deleted": 1})
    }
    board = []
    for rank, row in enumerate(rows, start=1):
        person = people.get(row["_id"], {})
        board.append({"user_id": row["_id"], "name": None if person.get("deleted") else person.get("name"),
                      "points": row["points"], "rank": rank})
    return board
