"""The documents a room stands for, loaded so the policy module can judge a join."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.forums import queries as forums
from community.organisations import queries as organisations
from community.storage.api import Database

EVENTS = "events"


async def room_resource(db: Database, kind: str, ident: ObjectId) -> dict[str, Any] | None:
    """The resource ``policy.can_join_room`` judges: for a thread, the category it lives in."""
    if kind == "user":
        return {"_id": ident}
    if kind == "org":
        return await organisations.by_id(db, ident)
    if kind == "category":
        return await forums.category(db, ident)
    if kind == "thread":
        thread = await forums.thread(db, ident)
        if thread is None or thread.get("deleted"):
            return None
        return await forums.category(db, thread["category_id"])
    return await db[EVENTS].find_one({"_id": ident}, {"org_id": 1, "audience": 1, "status": 1, "host_id": 1,
                                                      "cohost_ids": 1, "invited_ids": 1})
