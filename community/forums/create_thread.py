"""Start a thread: its opening post is post number 1, so votes, edits, flags and hiding work the
same on the opening post as on replies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId

from community import policy
from community.actions import Action
from community.forums import abuse, follow, notices, polls
from community.forums.access import access_category
from community.forums.categories import check_competencies
from community.forums.limits import LIMITS
from community.forums.markdown import render
from community.forums.queries import CATEGORIES, POSTS, THREADS
from community.forums.schemas import ThreadIn
from community.forums.writes import category_room, reindex
from community.i18n import gettext as _
from community.network import notices as network_notices
from community.validation import validate


def new_post(*, thread_id: ObjectId, category: Mapping[str, Any], number: int, author_id: ObjectId, body: str,
             html: str, digest: str, now: datetime, reply_to: int | None = None,
             reply_to_post_id: ObjectId | None = None) -> dict[str, Any]:
    return {
        "_id": ObjectId(), "thread_id": thread_id, "category_id": category["_id"], "org_id": category.get("org_id"),
        "number": number, "author_id": author_id, "body": body, "html": html, "body_hash": digest,
        "reply_to": reply_to, "reply_to_post_id": reply_to_post_id, "created_at": now, "edited_at": None,
        "edit_count": 0, "votes": 0, "accepted": False, "hidden": False, "hidden_reason": None, "deleted": False,
    }


async def create_thread(tx: Action, *, category_id: ObjectId, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, check limits, write thread + opening post + category counters in one
    transaction, and record the announcement and the notifications. Returns the thread."""
    db, actor = tx.db, tx.actor
    category = await access_category(db, actor, category_id)
    policy.require(actor, policy.can_post(actor, category), _("You cannot start a thread here."))
    actor = policy.require_member(actor)
    form = validate(ThreadIn, data)
    await check_competencies(db, form.competency_tags)
    rendered = render(form.body)
    poll_specs = polls.check_new(form.body, tx.now)
    session = await tx.start()
    digest = await abuse.check_post(db, actor, tx.app[LIMITS], body=form.body, rendered=rendered, now=tx.now,
                                    session=session)
    now = tx.now
    thread_id = ObjectId()
    opening = new_post(thread_id=thread_id, category=category, number=1, author_id=actor.user_id, body=form.body,
                       html=rendered.html, digest=digest, now=now)
    thread = {
        "_id": thread_id, "category_id": category["_id"], "org_id": category.get("org_id"), "author_id": actor.user_id,
        "title": form.title, "kind": form.kind.value, "tags": form.tags,
        "competency_tags": form.competency_tags or list(category.get("competency_tags", [])),
        "first_post_id": opening["_id"], "created_at": now, "last_activity_at": now, "last_poster_id": actor.user_id,
        "last_number": 1, "reply_count": 0, "votes": 0, "accepted_post_id": None, "pinned": False, "locked": False,
        "hidden": False, "deleted": False, "version": 0,
    }
    await db[THREADS].insert_one(thread, session=session)
    await db[POSTS].insert_one(opening, session=session)
    await polls.create(tx, opening["_id"], poll_specs)
    await db[CATEGORIES].update_one(
        {"_id": category["_id"]},
        {"$inc": {"thread_count": 1, "post_count": 1}, "$set": {"last_activity_at": now}}, session=session)
    await reindex(tx, thread_id)
    await follow.follow_quietly(db, actor.user_id, "thread", thread_id, session, now=now)
    if rendered.mentions:
        await tx.notify("mention", to=notices.mentioned(opening["_id"]), subject=("forum_post", opening["_id"]),
                        params=notices.post_params(thread, opening))
    await tx.notify("new_thread", to=notices.category_followers(category["_id"], as_of=now),
                    subject=("forum_thread", thread_id), params={"title": thread["title"], "category": category["name"], "thread_id": str(thread_id)})
    await tx.notify("followed_thread", to=notices.author_followers(actor.user_id, category["_id"], as_of=now),
                    subject=("forum_thread", thread_id), params=network_notices.thread_params(thread))
    tx.emit("forum:thread_created", {"thread_id": str(thread_id), "category_id": str(category["_id"])},
            room=category_room(category["_id"]))
    return thread
