"""Edit a post, keeping every earlier version in a visible history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from community import audit, policy
from community.errors import Invalid
from community.actions import Action
from community.forums import abuse, notices
from community.forums.access import access_post
from community.forums.limits import LIMITS
from community.forums.markdown import render
from community.forums.queries import POSTS, REVISIONS, THREADS
from community.forums.schemas import EditIn
from community.forums.writes import reindex, reindex_whole_thread, thread_room
from community.i18n import gettext as _
from community.validation import validate


async def edit_post(tx: Action, *, post_id: ObjectId, data: Mapping[str, Any]) -> bool:
    """Returns whether anything changed. An edit by someone other than the author is a
    moderator action and goes to the audit log. Only people the edit newly mentions are told."""
    db, actor, limits = tx.db, tx.actor, tx.app[LIMITS]
    post, thread, category = await access_post(db, actor, post_id)
    policy.require(actor, policy.can_edit_post(actor, category, thread, post), _("You cannot edit this post."))
    form = validate(EditIn, data)
    title = form.title if post["number"] == 1 and form.title is not None else thread["title"]
    if form.body == post["body"] and title == thread["title"]:
        return False
    rendered = render(form.body)
    if await abuse.is_new_member(db, actor, limits, tx.now):
        allowed = limits.new_member_links_per_post
    else:
        allowed = limits.links_per_post
    if rendered.links > allowed:
        raise Invalid({"body": _("Use at most %(n)s links in a post for now.", n=allowed)})
    before = set(render(post["body"]).mentions)
    now = tx.now
    by_moderator = post["author_id"] != actor.user_id
    revision = post["edit_count"] + 1
    session = await tx.start()
    await db[REVISIONS].insert_one({
        "post_id": post_id, "thread_id": thread["_id"], "number": revision,
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
        await reindex_whole_thread(tx, thread["_id"])
    else:
        await reindex(tx, thread["_id"] if post["number"] == 1 else post_id)
    if by_moderator:
        await audit.record(db, actor=actor, action="forum.post.edit", target_type="forum_post", target_id=post_id,
                           org_id=category.get("org_id"), reason=form.reason or None,
                           details={"thread_id": str(thread["_id"]), "number": post["number"]}, session=session)
    if any(person not in before for person in rendered.mentions):
        await tx.notify("mention", to=notices.mentioned(post_id, since_revision=revision),
                        subject=("forum_post", post_id),
                        params=notices.post_params({**thread, "title": title}, {**post, "body": form.body, "html": rendered.html}))
    tx.emit("forum:post_edited", {"thread_id": str(thread["_id"]), "post_id": str(post_id), "number": post["number"]},
            room=thread_room(thread["_id"]))
    return True
