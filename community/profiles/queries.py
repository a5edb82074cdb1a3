"""The profile feature's MongoDB language: profiles, endorsements, verifications, connections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bson import ObjectId

from community.storage.api import Database


PROFILES = "profiles"
ENDORSEMENTS = "endorsements"
VERIFICATIONS = "verifications"
CONNECTIONS = "connections"


async def is_connected(db: Database, a: ObjectId | None, b: ObjectId | None) -> bool:
    """Whether two people have an accepted connection, in either direction."""
    if a is None or b is None or a == b:
        return False
    return await db[CONNECTIONS].find_one({"$or": [{"a": a, "b": b}, {"a": b, "b": a}], "status": "accepted"},
                                          {"_id": 1}) is not None


async def connected_among(db: Database, viewer: ObjectId | None, others: Iterable[ObjectId]) -> set[ObjectId]:
    """Which of ``others`` the viewer is connected to, in two queries whatever the list's length."""
    ids = list(others)
    if viewer is None or not ids:
        return set()
    found: set[ObjectId] = set()
    async for row in db[CONNECTIONS].find({"a": viewer, "b": {"$in": ids}, "status": "accepted"}, {"b": 1}):
        found.add(row["b"])
    async for row in db[CONNECTIONS].find({"b": viewer, "a": {"$in": ids}, "status": "accepted"}, {"a": 1}):
        found.add(row["a"])
    return found


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
            {"source": row["source"], "level": row["level"], "reference": row.get("reference"), "at": row["at"]})
    return evidence


async def holders_of(db: Database, competency_id: str) -> list[ObjectId]:
    """Everyone who declares a competency; the caller keeps the experts among them."""
    return [row["_id"] async for row in db[PROFILES].find({"competencies.competency_id": competency_id}, {"_id": 1})]


async def anyone_holds(db: Database, competency_id: str) -> bool:
    return await db[PROFILES].find_one({"competencies.competency_id": competency_id}, {"_id": 1}) is not None


async def anyone_in_position(db: Database, position_id: str) -> bool:
    return await db[PROFILES].find_one({"position_id": position_id}, {"_id": 1}) is not None
