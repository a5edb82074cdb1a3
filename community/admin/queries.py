"""Look-ups the administration pages need to label what they list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bson import ObjectId

from community.storage.api import Database


async def user_names(db: Database, ids: Iterable[Any]) -> dict[ObjectId, str]:
    wanted = list({i for i in ids if isinstance(i, ObjectId)})
    if not wanted:
        return {}
    return {doc["_id"]: doc["name"] async for doc in db.users.find({"_id": {"$in": wanted}}, {"name": 1})}


async def org_names(db: Database, ids: Iterable[Any]) -> dict[ObjectId, str]:
    wanted = list({i for i in ids if isinstance(i, ObjectId)})
    if not wanted:
        return {}
    return {doc["_id"]: doc["name"] async for doc in db.organisations.find({"_id": {"$in": wanted}}, {"name": 1})}
