"""The profile feature's MongoDB language: profiles, endorsements, verifications."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.profiles.verification import RESULT_SOURCES
from community.storage.api import Database


PROFILES = "profiles"
ENDORSEMENTS = "endorsements"
VERIFICATIONS = "verifications"


async def profile(db: Database, user_id: ObjectId) -> dict[str, Any]:
    return await db[PROFILES].find_one({"_id": user_id}) or {"_id": user_id}


async def profiles(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    return {row["_id"]: row async for row in db[PROFILES].find({"_id": {"$in": user_ids}})}


async def verified_levels(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, dict[str, list[dict[str, Any]]]]:
    """Per person, per competency: every piece of evidence (endorsements, assessments, courses)."""
    evidence: dict[ObjectId, dict[str, list[dict[str, Any]]]] = {uid: {} for uid in user_ids}
    async for row in db[ENDORSEMENTS].find({"user_id": {"$in": user_ids}}):
        evidence[row["user_id"]].setdefault(row["competency_id"], []).append(
            {"source": "endorsement", "level": row["level"], "endorser_id": row["endorser_id"], "at": row["at"]})
    async for row in db[VERIFICATIONS].find({"user_id": {"$in": user_ids}}):
        evidence[row["user_id"]].setdefault(row["competency_id"], []).append(
            {"source": row["source"], "level": row["level"], "reference": row.get("reference"), "at": row["at"],
             "endorser_id": row.get("endorser_id")})
    return evidence


async def endorsements_given(db: Database, endorser_id: ObjectId, user_id: ObjectId) -> dict[str, int]:
    """The competencies (and levels) one person has endorsed of another."""
    return {row["competency_id"]: row["level"] async for row in
            db[ENDORSEMENTS].find({"user_id": user_id, "endorser_id": endorser_id}, {"competency_id": 1, "level": 1})}


async def results_of(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Per person, their assessment and course results (``competency_id``, ``source``, ``level``);
    a session's confirmed attendance, which vouches like an endorsement, is not a result."""
    found: dict[ObjectId, list[dict[str, Any]]] = {}
    async for row in db[VERIFICATIONS].find({"user_id": {"$in": user_ids}, "source": {"$in": list(RESULT_SOURCES)}},
                                            {"user_id": 1, "competency_id": 1, "source": 1, "level": 1}):
        found.setdefault(row["user_id"], []).append(row)
    return found


async def holders_of(db: Database, competency_id: str) -> list[ObjectId]:
    """Everyone who declares a competency; the caller keeps the experts among them."""
    return [row["_id"] async for row in db[PROFILES].find({"competencies.competency_id": competency_id}, {"_id": 1})]


async def anyone_holds(db: Database, competency_id: str) -> bool:
    return await db[PROFILES].find_one({"competencies.competency_id": competency_id}, {"_id": 1}) is not None


async def anyone_in_position(db: Database, position_id: str) -> bool:
    return await db[PROFILES].find_one({"position_id": position_id}, {"_id": 1}) is not None
