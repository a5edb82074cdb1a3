"""Upvotes: one per person per post, idempotent; each earns the author Karma Points, capped per day."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from community import policy
from community.actions import Action
from community.forums.access import access_post
from community.forums.limits import LIMITS, ForumLimits
from community.forums.queries import POSTS, THREADS, VOTES, vote_id
from community.forums.writes import reindex, thread_room
from community.i18n import gettext as _
from community.karma import service as karma
from community.storage.api import Database

UPVOTE_REASON = "forum_upvote_received"


async def award_upvote(db: Database, limits: ForumLimits, author_id: ObjectId, vote: str, session: Any = None) -> bool:
    """Karma for one upvote received, unless the author has reached today's cap."""
    if await karma.points_today(db, author_id, UPVOTE_REASON) + limits.upvote_points > limits.upvote_points_per_day:
        return False
    return await karma.award(db, user_id=author_id, points=limits.upvote_points, reason=UPVOTE_REASON,
                             object_type="forum_vote", object_id=vote, session=session)


async def reverse_upvote(db: Database, author_id: ObjectId, vote: str, session: Any = None) -> bool:
    return await karma.reverse(db, user_id=author_id, reason=UPVOTE_REASON, object_type="forum_vote",
                               object_id=vote, session=session)


async def set_vote(tx: Action, *, post_id: ObjectId, up: bool) -> tuple[bool, int]:
    """Vote or withdraw a vote; returns (changed, the post's vote count). Repeating either is a no-op.

    The vote document's id is (post, person), so a vote already there is found inside the
    transaction (writes are serialised there) and a racing second insert fails on the unique
    ``_id`` and rolls its transaction back rather than counting twice.
    """
    db, actor, limits = tx.db, tx.actor, tx.app[LIMITS]
    post, thread, category = await access_post(db, actor, post_id)
    policy.require(actor, policy.can_vote(actor, category, post), _("You cannot vote on this post."))
    actor = policy.require_member(actor)
    key = vote_id(post_id, actor.user_id)
    step = 1 if up else -1
    session = await tx.start()
    if up:
        if await db[VOTES].find_one({"_id": key}, {"_id": 1}, session=session) is not None:
            return False, post["votes"]
        await db[VOTES].insert_one({"_id": key, "post_id": post_id, "user_id": actor.user_id,
                                    "thread_id": thread["_id"], "at": tx.now}, session=session)
    elif (await db[VOTES].delete_one({"_id": key}, session=session)).deleted_count == 0:
        return False, post["votes"]
    counted = await db[POSTS].find_one_and_update({"_id": post_id}, {"$inc": {"votes": step}}, {"votes": 1},
                                                  return_document=ReturnDocument.AFTER, session=session)
    await db[THREADS].update_one({"_id": thread["_id"]},
                                 {"$inc": {"votes": step, "version": 1} if post["number"] == 1 else {"version": 1}},
                                 session=session)
    await reindex(tx, thread["_id"] if post["number"] == 1 else post_id)
    if up:
        await award_upvote(db, limits, post["author_id"], key, session)
    else:
        await reverse_upvote(db, post["author_id"], key, session)
    tx.emit("forum:post_voted", {"thread_id": str(thread["_id"]), "post_id": str(post_id), "votes": counted["votes"]},
            room=thread_room(thread["_id"]))
    return True, counted["votes"]
