"""Who is available for mentoring now, and in what: the directory's filter and cards and For
you's experts ask this (it reads no profile, so the profiles feature can import it without a
cycle). Each read is a few batched reads however many people it is asked about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId

from community.accounts import people
from community.mentoring import queries
from community.storage.api import Database

MENTORS_ON_TOPIC = 20
"""Open offers on one competency ``mentors_on`` looks at, at most: For you shows two experts a
competency, and each offer looked at costs an account read and a directory point (50 doubled
the experts part's CPU time at 100,000 profiles with 3,334 offers)."""


@dataclass(frozen=True, slots=True)
class Available:
    """An expert's open offer with a place left this month."""

    topics: tuple[str, ...]
    """The competency ids the offer lists, in the expert's order."""
    places_left: int


async def offers_among(db: Database, person_ids: Iterable[ObjectId], now: datetime | None = None) -> dict[ObjectId, Available]:
    """Those of ``person_ids`` who are experts (still) with a mentoring offer open and a place left
    this month, whom a request would reach, with what they offer."""
    offering = await queries.open_offers_among(db, person_ids, queries.month_of(now or datetime.now(UTC)))
    found = await people.people_by_id(db, offering)
    return {uid: Available(tuple(offering[uid]["competencies"]), offering[uid]["places_left"])
            for uid, person in found.items() if not person["deleted"] and "expert" in person["roles"]}


async def available_among(db: Database, person_ids: Iterable[ObjectId], now: datetime | None = None) -> set[ObjectId]:
    """Those of ``person_ids`` available for mentoring (``offers_among``)."""
    return set(await offers_among(db, person_ids, now))


async def mentors_on(db: Database, competency_id: str, now: datetime) -> dict[ObjectId, Available]:
    """Experts available for mentoring in ``competency_id``: an open offer listing it as a topic,
    with a place left this month (of the first ``MENTORS_ON_TOPIC`` such offers the index gives)."""
    return await offers_among(db, await queries.open_offers_on(db, competency_id, MENTORS_ON_TOPIC), now)
