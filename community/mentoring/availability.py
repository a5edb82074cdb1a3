"""Who is available for mentoring now: the directory's filter asks this (it reads no profile, so
the profiles feature can import it without a cycle)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from bson import ObjectId

from community.accounts import people
from community.mentoring import queries
from community.storage.api import Database


async def available_among(db: Database, person_ids: Iterable[ObjectId], now: datetime | None = None) -> set[ObjectId]:
    """Those of ``person_ids`` who are experts (still) with a mentoring offer open and a place left
    this month: whom a request would reach."""
    offering = await queries.open_offers_among(db, person_ids, queries.month_of(now or datetime.now(UTC)))
    found = await people.people_by_id(db, offering)
    return {uid for uid, person in found.items() if not person["deleted"] and "expert" in person["roles"]}
