"""Each standing application keeps its match score (``score``, ``essentials_met``) and its place
in the ranking (``rank``), so any page of a department's applicants is one index range however
many applied.

The score is the one rule's (``matching.match``) and is worked out again whenever it could
change: when the person applies, when their Network directory rows are rebuilt (their profile,
results or endorsements changed; ``profiles.directory.LEVEL_LISTENERS``), and when the vacancy's
requirements are edited. A withdrawn application has ``standing`` false and leaves the ranking.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community.profiles import directory
from community.storage.api import Database
from community.vacancies.matching import Held, Match, match
from community.vacancies.queries import APPLICATIONS, VACANCIES, WITHDRAWN


def rank_key(score: int, applied_at: datetime, application_id: str) -> str:
    """Sorts best score first, then the earliest application, then by id: a department's pages
    are ranges of one index on it, and a page's cursor is its last key."""
    moment = int(applied_at.replace(tzinfo=applied_at.tzinfo or UTC).timestamp() * 1_000_000)
    return f"{100 - score:03d}{moment:017d}{application_id}"


def stored(found: Match, applied_at: datetime, application_id: str) -> dict[str, Any]:
    return {"score": found.score, "essentials_met": found.essentials_met,
            "rank": rank_key(found.score, applied_at, application_id)}


async def held_by(db: Database, person_ids: list[ObjectId],
                  competency_ids: list[str] | None = None) -> dict[ObjectId, dict[str, Held]]:
    levels = await directory.held_levels(db, person_ids, competency_ids)
    return {person: {cid: Held(verified, best) for cid, (verified, best) in held.items()}
            for person, held in levels.items()}


async def rescore_vacancy(db: Database, vacancy: dict[str, Any], session: Any = None) -> None:
    """Every application of the vacancy, against its requirements as they now are."""
    rows = await db[APPLICATIONS].find({"vacancy_id": vacancy["_id"]}, {"user_id": 1, "applied_at": 1, "rank": 1},
                                       session=session).to_list(None)
    held = await held_by(db, [row["user_id"] for row in rows], vacancy["required_ids"])
    for row in rows:
        score = stored(match(held.get(row["user_id"], {}), vacancy["required"]), row["applied_at"], row["_id"])
        if score["rank"] != row.get("rank"):
            await db[APPLICATIONS].update_one({"_id": row["_id"]}, {"$set": score}, session=session)


async def rescore_person(db: Database, user_id: ObjectId) -> None:
    """The person's applications, after their levels changed."""
    rows = await db[APPLICATIONS].find({"user_id": user_id, "status": {"$ne": WITHDRAWN}},
                                       {"vacancy_id": 1, "applied_at": 1, "rank": 1}).to_list(None)
    if not rows:
        return
    held = (await held_by(db, [user_id])).get(user_id, {})
    vacancies = {row["_id"]: row async for row in db[VACANCIES].find(
        {"_id": {"$in": [row["vacancy_id"] for row in rows]}}, {"required": 1})}
    for row in rows:
        vacancy = vacancies.get(row["vacancy_id"])
        if vacancy is None:
            continue
        score = stored(match(held, vacancy["required"]), row["applied_at"], row["_id"])
        if score["rank"] != row.get("rank"):
            await db[APPLICATIONS].update_one({"_id": row["_id"]}, {"$set": score})


directory.LEVEL_LISTENERS.append(rescore_person)
