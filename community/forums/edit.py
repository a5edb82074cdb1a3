"""Edit a post, keeping every earlier version in a visible history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community import audit, policy
from community.errors import Invalid
from community.forums import abuse, mentions
from community.forums.access import access_post
from community.forums.limits import ForumLimits
from community.forums.markdown import render
from community.forums.queries import POSTS, REVISIONS, THREADS
from community.forums.schemas import EditIn
from community.forums.writes import Events, reindex, reindex_whole_thread, thread_room
from community.i18n import gettext as _
from community.policy import Actor
from community.storage import in_transaction
from community.validation import validate


async def edit_post(db: Any, emitter: Any, actor: Actor, limits: ForumLimits, *, post_id: ObjectId,
                    data: Mapping[str, Any]) -> bool:
    """Returns whether anything changed. An edit by someone other than the author is a
    moderator action and goes to the audit log."""
    post, thread, category = await access_post(db, actor, post_id)
    policy.require(actor, policy.can_edit_post(actor, category, thread, post), _("You cannot edit this post."))
    form = validate(EditIn, data)
    title = form.title if post["number"] == 1 and form.title is not None else thread["title"]
    if form.body == post["body"] and title == thread["title"]:
        return False
    rendered = render(form.body)
    if await abuse.is_new_member(db, actor, limits, datetime.now(UTC)):
        allowed = limits.new_member_links_per_post
    else:
        allowed = limits.links_per_post
    if rendered.links > allowed:
        raise Invalid({"body": _("Use at most %(n)s links in a post for now.", n=allowed)})
    before = render(post["body"]).mentions
    now = datetime.now(UTC)
    by_moderator = post["author_id"] != actor.user_id

    async def write(session: Any) -> None:
        await db[REVISIONS].insert_one({
            "post_id": post_id, "thread_id": thread["_id"], "number": post["edit_count"] + 1,
            "body": post["body"], "html": post["html"], "title": thread["title"] if post["number"] == 1 else None,
            "edited_at": now, "editor_id": actor.user_id, "reason": form.reason,
        }, session=session)
        await db[POSTS].update_one(
            {"_id": post_id},
            {"$set": {"body": form.body, "html": rendered.html, "body_hash": abuse.body_hash(form.body),
                      "edited_at": now, "editor_id": actor.user_id}, "$inc": {"edit_count": 1}},
            session=session)
        await db[THREADS].update_one({"_id": thread["_id"]}, {"$set": {"title": title}, "$inc": {"version": 1}},
                                     session=session)
        if title != thread["title"]:
            await reindex_whole_thread(db, session, thread["_id"])
        else:
            await reindex(db, session, thread["_id"] if post["number"] == 1 else post_id)
        if by_moderator:
            await audit.record(db, actor=actor, action="forum.post.edit", target_type="forum_post", target_id=post_id,
                               org_id=category.get("org_id"), reason=form.reason or None,
                               details={"thread_id": str(thread["_id"]), "number": post["number"]}, session=session)

    await in_transaction(db, write)
    events = Events()
    events.add("forum:post_edited", {"thread_id": str(thread["_id"]), "post_id": str(post_id), "number": post["number"]},
               room=thread_room(thread["_id"]))
    await events.send(emitter)
    added = [person for person in rendered.mentions if person not in before]
    await mentions.notify_mentions(db, emitter, actor=actor, category=category, thread={**thread, "title": title},
                                   post={**post, "body": form.body}, mentioned=added)
    return True
