"""Reply to a thread: flat, optionally to one earlier post (which may be quoted in the body)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from community import policy
from community.actions import Action
from community.errors import Invalid
from community.forums import abuse, follow, notices, polls, queries, unread
from community.forums.access import access_thread
from community.forums.create_thread import new_post
from community.forums.limits import LIMITS
from community.forums.markdown import render
from community.forums.queries import CATEGORIES, POSTS, THREADS
from community.forums.reads import PostView, ThreadActivity
from community.forums.schemas import ReplyIn
from community.forums.writes import category_room, reindex, thread_room
from community.i18n import gettext as _
from community.validation import validate


async def reply(tx: Action, *, thread_id: ObjectId, data: Mapping[str, Any]) -> PostView:
    """Add a reply; returns the new post with its thread (as the reply left it) and category.
    The post's number is taken from the thread's counter inside the transaction, so concurrent
    replies get distinct, increasing numbers. Those the reply mentions, the author of the post
    replied to and the thread's followers are told by the notifier, after the commit and outside
    the request."""
    db, actor = tx.db, tx.actor
    thread, category = await access_thread(db, actor, thread_id)
    if thread["locked"] and not policy.can_moderate_category(actor, category):
        policy.require(actor, False, _("This thread is locked: it takes no more replies."))
    policy.require(actor, policy.can_post(actor, category, thread), _("You cannot reply here."))
    actor = policy.require_member(actor)
    form = validate(ReplyIn, data)
    target = None
    if form.reply_to is not None:
        target = await queries.post_by_number(db, thread_id, form.reply_to)
        if target is None or target["deleted"] or target["hidden"]:
            raise Invalid({"reply_to": _("The post you are replying to does not exist.")})
    rendered = render(form.body)
    poll_specs = polls.check_new(form.body, tx.now)
    session = await tx.start()
    digest = await abuse.check_post(db, actor, tx.app[LIMITS], body=form.body, rendered=rendered, now=tx.now,
                                    session=session)
    now = tx.now
    counted = await db[THREADS].find_one_and_update(
        {"_id": thread_id},
        {"$inc": {"last_number": 1, "reply_count": 1, "version": 1},
         "$set": {"last_activity_at": now, "last_poster_id": actor.user_id}},
        return_document=ReturnDocument.AFTER, session=session)
    post = new_post(thread_id=thread_id, category=category, number=counted["last_number"], author_id=actor.user_id,
                    body=form.body, html=rendered.html, digest=digest, now=now,
                    reply_to=form.reply_to, reply_to_post_id=target["_id"] if target else None)
    await db[POSTS].insert_one(post, session=session)
    await polls.create(tx, post["_id"], poll_specs)
    await db[CATEGORIES].update_one({"_id": category["_id"]},
                                    {"$inc": {"post_count": 1}, "$set": {"last_activity_at": now}}, session=session)
    await reindex(tx, post["_id"])
    await unread.mark_read(db, actor.user_id, thread_id, post["number"], session)
    await follow.follow_quietly(db, actor.user_id, "thread", thread_id, session, now=now)
    params = notices.post_params(counted, post)
    if rendered.mentions:
        await tx.notify("mention", to=notices.mentioned(post["_id"]), subject=("forum_post", post["_id"]), params=params)
    await tx.notify("reply", to=notices.reply_audience(post["_id"], rendered.mentions), subject=("forum_thread", thread_id),
                    params=params)
    tx.emit("forum:post_created", {"thread_id": str(thread_id), "post_id": str(post["_id"]), "number": post["number"]},
            room=thread_room(thread_id))
    tx.emit("forum:thread_activity", ThreadActivity.of(counted).payload(), room=category_room(category["_id"]))
    return PostView(post=post, thread=counted, category=category)
