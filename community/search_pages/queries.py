"""Labels for facet values: organisation and competency names."""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId
from bson.errors import InvalidId

from community.competencies.queries import COMPETENCIES
from community.storage.api import Database


async def organisation_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    wanted = []
    for value in ids:
        try:
            wanted.append(ObjectId(value))
        except (InvalidId, TypeError):
            continue
    if not wanted:
        return {}
    return {str(row["_id"]): row.get("name", "") async for row in db.organisations.find({"_id": {"$in": wanted}},
                                                                                        {"name": 1})}


async def competency_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {str(row["_id"]): row.get("name", "") async for row in db[COMPETENCIES].find({"_id": {"$in": wanted}},
                                                                                         {"name": 1})}
