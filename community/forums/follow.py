"""Follow a thread or a category; followers hear about replies and new threads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from bson import ObjectId

from community import policy
from community.actions import Action
from community.forums.access import access_category, access_thread
from community.forums.queries import FOLLOWS
from community.storage.api import Database

Target = Literal["thread", "category"]


async def follow_quietly(db: Database, user_id: ObjectId, target_type: Target, target_id: ObjectId,
                         session: Any = None, *, now: datetime | None = None) -> bool:
    """Follow without a permission check (callers have made it); returns whether it is new.
    An upsert rather than an insert, so it can join the caller's transaction without failing it."""
    result = await db[FOLLOWS].update_one(
        {"_id": f"{user_id}|{target_type}|{target_id}"},
        {"$setOnInsert": {"user_id": user_id, "target_type": target_type, "target_id": target_id,
                          "at": now or datetime.now(UTC)}},
        upsert=True, session=session)
    return result.upserted_id is not None


async def set_following(tx: Action, target_type: Target, target_id: ObjectId, following: bool) -> bool:
    """Follow or stop following; returns whether anything changed."""
    actor = tx.actor
    if target_type == "thread":
        _thread, category = await access_thread(tx.db, actor, target_id)
    else:
        category = await access_category(tx.db, actor, target_id)
    policy.require(actor, policy.can_follow(actor, category))
    actor = policy.require_member(actor)
    session = await tx.start()
    if following:
        return await follow_quietly(tx.db, actor.user_id, target_type, target_id, session, now=tx.now)
    result = await tx.db[FOLLOWS].delete_one({"_id": f"{actor.user_id}|{target_type}|{target_id}"}, session=session)
    return result.deleted_count == 1
