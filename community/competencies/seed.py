"""Put the shipped starting dictionary into storage the first time the server starts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from community.competencies import queries
from community.competencies.dictionary import Competency, Dictionary, Position, load_dictionary
from community.storage.api import Database


def competency_document(competency: Competency, now: datetime) -> dict[str, Any]:
    data = competency.model_dump(mode="python")
    return {"_id": data.pop("id"), **data, "levels": list(data["levels"]), "updated_at": now}


def position_document(position: Position, now: datetime) -> dict[str, Any]:
    data = position.model_dump(mode="python")
    roles = [{"name": role["name"], "activities": [
        {"name": activity["name"], "competencies": [dict(item) for item in activity["competencies"]]}
        for activity in role["activities"]]} for role in data["roles"]]
    return {"_id": data["id"], "title": data["title"], "organisation": data["organisation"], "roles": roles,
            "updated_at": now}


async def seed_dictionary(db: Database, dictionary: Dictionary | None = None) -> int:
    """Store the starting dictionary if storage holds no competencies yet; returns entries added.

    Once anything is stored the administrators own the dictionary: a restart never brings back
    an entry they deleted or overwrites one they edited. Each entry is an upsert that only
    inserts, so two processes starting together cannot duplicate anything.
    """
    if await db[queries.COMPETENCIES].find_one({}, {"_id": 1}) is not None:
        return 0
    dictionary = dictionary or load_dictionary()
    now = datetime.now(UTC)
    added = 0
    for document in [competency_document(item, now) for item in dictionary.competencies]:
        result = await db[queries.COMPETENCIES].update_one({"_id": document.pop("_id")}, {"$setOnInsert": document}, upsert=True)
        added += result.upserted_id is not None
    for document in [position_document(item, now) for item in dictionary.positions]:
        result = await db[queries.POSITIONS].update_one({"_id": document.pop("_id")}, {"$setOnInsert": document}, upsert=True)
        added += result.upserted_id is not None
    return added
