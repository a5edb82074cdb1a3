"""Leaderboards over the Karma ledger: this week, this month, all time; overall or per organisation.

Weeks and months follow Indian Standard Time, so a week starts at Monday 00:00 IST for everyone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bson import ObjectId

from community.accounts import people as accounts_people
from community.karma.service import LEDGER
from community.timezones import IST
from community.storage.api import Database


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


Listed = Callable[[list[ObjectId]], Awaitable[set[ObjectId]]]
"""Given a batch of ranked people, returns those the viewer may see listed."""


def _ranking(period: Period, org_id: ObjectId | None, now: datetime | None) -> list[dict[str, Any]]:
    match: dict[str, Any] = {}
    start = period_start(period, now)
    if start is not None:
        match["at"] = {"$gte": start}
    if org_id is not None:
        match["org_id"] = org_id
    return [
        {"$match": match},
        {"$group": {"_id": "$user_id", "points": {"$sum": "$points"}}},
        {"$match": {"points": {"$gt": 0}}},
        {"$sort": {"points": -1, "_id": 1}},
    ]


async def _top(db: Database, pipeline: list[dict[str, Any]], limit: int, listed: Listed | None) -> list[dict[str, Any]]:
    """The first ``limit`` ranked rows that ``listed`` keeps, read a batch at a time so that people
    left out do not shorten the board."""
    kept: list[dict[str, Any]] = []
    skip = 0
    while len(kept) < limit:
        batch = await (await db[LEDGER].aggregate([*pipeline, {"$skip": skip}, {"$limit": limit}])).to_list(None)
        allowed = await listed([row["_id"] for row in batch]) if listed and batch else None
        kept += [row for row in batch if allowed is None or row["_id"] in allowed]
        if len(batch) < limit:
            break
        skip += limit
    return kept[:limit]


async def leaderboard(db: Database, *, period: Period, org_id: ObjectId | None = None, limit: int = 20,
                      now: datetime | None = None, listed: Listed | None = None) -> list[dict[str, Any]]:
    """The people with most points in the period: ``[{"user_id", "name", "points", "rank"}]``.

    ``listed`` leaves people out (an organisation's board hides those whose organisation the
    viewer may not see); ranks count only the people shown.
    """
    rows = await _top(db, _ranking(period, org_id, now), limit, listed)
    people = await accounts_people.people_by_id(db, [row["_id"] for row in rows])
    board = []
    for rank, row in enumerate(rows, start=1):
        board.append({"user_id": row["_id"], "name": accounts_people.shown_name(people.get(row["_id"])),
                      "points": row["points"], "rank": rank})
    return board
