"""Follow a thread or a category; followers hear about replies and new threads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from bson import ObjectId

from community import policy
from community.forums import mentions, queries
from community.forums.access import access_category, access_thread
from community.forums.markdown import plain_text
from community.forums.queries import FOLLOWS
from community.forums.urls import post_path, thread_path
from community.i18n import gettext as _
from community.notifications.service import notify
from community.policy import Actor

Target = Literal["thread", "category"]


async def follow_quietly(db: Any, user_id: ObjectId, target_type: Target, target_id: ObjectId,
                         session: Any = None) -> bool:
    """Follow without a permission check (callers have made it); returns whether it is new.
    An upsert rather than an insert, so it can join the caller's transaction without failing it."""
    result = await db[FOLLOWS].update_one(
        {"_id": f"{user_id}|{target_type}|{target_id}"},
        {"$setOnInsert": {"user_id": user_id, "target_type": target_type, "target_id": target_id,
                          "at": datetime.now(UTC)}},
        upsert=True, session=session)
    return result.upserted_id is not None


async def set_following(db: Any, actor: Actor, target_type: Target, target_id: ObjectId, following: bool) -> bool:
    """Follow or stop following; returns whether anything changed."""
    if target_type == "thread":
        _thread, category = await access_thread(db, actor, target_id)
    else:
        category = await access_category(db, actor, target_id)
    policy.require(actor, policy.can_follow(actor, category))
    if following:
        return await follow_quietly(db, actor.user_id, target_type, target_id)
    result = await db[FOLLOWS].delete_one({"_id": f"{actor.user_id}|{target_type}|{target_id}"})
    return result.deleted_count == 1


async def _tell(db: Any, emitter: Any, recipients: Iterable[ObjectId], *, category: Mapping[str, Any], actor: Actor,
                kind: str, subject_type: str, subject_id: ObjectId, text: str, url: str) -> set[ObjectId]:
    told: set[ObjectId] = set()
    for person in await mentions.readers(db, recipients, category, exclude=actor.user_id):
        await notify(db, emitter, user_id=person, kind=kind, actor_id=actor.user_id, subject_type=subject_type,
                     subject_id=subject_id, text=text, url=url)
        told.add(person)
    return told


async def notify_reply(db: Any, emitter: Any, *, actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any],
                       post: Mapping[str, Any], replied_to: Mapping[str, Any] | None, skip: set[ObjectId]) -> None:
    """The author of the post replied to, then the thread's followers, each once."""
    recipients = [replied_to["author_id"]] if replied_to else []
    recipients += await queries.followers(db, "thread", thread["_id"])
    wanted = [person for person in dict.fromkeys(recipients) if person not in skip]
    await _tell(db, emitter, wanted, category=category, actor=actor, kind="reply", subject_type="forum_post",
                subject_id=post["_id"],
                text=_("New reply in \u201c%(title)s\u201d: %(excerpt)s", title=thread["title"],
                       excerpt=plain_text(post["body"], 120)),
                url=post_path(thread["_id"], post["number"]))


async def notify_category_followers(db: Any, emitter: Any, *, actor: Actor, category: Mapping[str, Any],
                                    thread: Mapping[str, Any]) -> None:
    followers = await queries.followers(db, "category", category["_id"])
    await _tell(db, emitter, followers, category=category, actor=actor, kind="new_thread", subject_type="forum_thread",
                subject_id=thread["_id"],
                text=_("New thread in %(category)s: \u201c%(title)s\u201d", category=category["name"], title=thread["title"]),
                url=thread_path(thread["_id"]))
