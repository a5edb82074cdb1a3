"""Accept an answer in a question thread: shown first, and its author earns Karma Points."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit, policy
from community.errors import Invalid
from community.actions import Action
from community.forums import notices, queries
from community.forums.access import access_thread
from community.forums.limits import LIMITS, ForumLimits
from community.forums.queries import POSTS, THREADS
from community.forums.writes import thread_room
from community.i18n import gettext as _
from community.karma import service as karma
from community.notifications.intents import person
from community.storage.api import Database

ACCEPTED_REASON = "forum_accepted_answer"


async def award_accepted(db: Database, limits: ForumLimits, post: dict[str, Any], thread: dict[str, Any],
                         session: Any = None) -> bool:
    """No points for accepting one's own answer to one's own question."""
    if post["author_id"] == thread["author_id"]:
        return False
    return await karma.award(db, user_id=post["author_id"], points=limits.accepted_answer_points,
                             reason=ACCEPTED_REASON, object_type="forum_post", object_id=post["_id"], session=session)


async def reverse_accepted(db: Database, post: dict[str, Any], session: Any = None) -> bool:
    return await karma.reverse(db, user_id=post["author_id"], reason=ACCEPTED_REASON, object_type="forum_post",
                               object_id=post["_id"], session=session)


async def set_accepted(tx: Action, *, thread_id: ObjectId, number: int | None) -> bool:
    """Accept reply ``number`` (None: withdraw acceptance); replaces an earlier accepted answer.
    Returns whether anything changed. The answer's author is told (unless they accepted it)."""
    db, actor, limits = tx.db, tx.actor, tx.app[LIMITS]
    thread, category = await access_thread(db, actor, thread_id)
    policy.require(actor, policy.can_accept_answer(actor, category, thread), _("You cannot accept an answer here."))
    chosen = None
    if number is not None:
        chosen = await queries.post_by_number(db, thread_id, number)
        if chosen is None or chosen["number"] < 2 or chosen["deleted"] or chosen["hidden"]:
            raise Invalid({"number": _("Choose a reply in this thread.")})
        if thread["accepted_post_id"] == chosen["_id"]:
            return False
    elif thread["accepted_post_id"] is None:
        return False
    previous = await queries.post(db, thread["accepted_post_id"]) if thread["accepted_post_id"] else None
    session = await tx.start()
    if previous is not None:
        await db[POSTS].update_one({"_id": previous["_id"]}, {"$set": {"accepted": False}}, session=session)
        await reverse_accepted(db, previous, session)
    if chosen is not None:
        await db[POSTS].update_one({"_id": chosen["_id"]}, {"$set": {"accepted": True}}, session=session)
        await award_accepted(db, limits, chosen, thread, session)
    await db[THREADS].update_one({"_id": thread_id},
                                 {"$set": {"accepted_post_id": chosen["_id"] if chosen else None},
                                  "$inc": {"version": 1}}, session=session)
    if actor.user_id != thread["author_id"]:
        await audit.record(db, actor=actor, action="forum.answer.accept" if chosen else "forum.answer.unaccept",
                           target_type="forum_thread", target_id=thread_id, org_id=category.get("org_id"),
                           details={"number": number}, session=session)
    if chosen is not None:
        await tx.notify("accepted_answer", to=person(chosen["author_id"]), subject=("forum_post", chosen["_id"]),
                        params=notices.post_params(thread, chosen))
    tx.emit("forum:answer_accepted", {"thread_id": str(thread_id), "number": number}, room=thread_room(thread_id))
    return True
