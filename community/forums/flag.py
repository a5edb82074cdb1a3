"""Flag a post for the moderators, with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from community import policy, ratelimit
from community.actions import Action
from community.errors import Conflict
from community.forums.access import access_post
from community.forums.queries import FLAGS
from community.forums.schemas import FlagIn
from community.i18n import gettext as _
from community.validation import validate

FLAGS_PER_HOUR = 30


async def flag_post(tx: Action, *, post_id: ObjectId, data: Mapping[str, Any]) -> dict[str, Any]:
    """One open flag per person per post; the flag waits in its category's moderation queue."""
    db, actor = tx.db, tx.actor
    post, thread, category = await access_post(db, actor, post_id)
    policy.require(actor, policy.can_flag(actor, category), _("You cannot flag this post."))
    form = validate(FlagIn, data)
    if await db[FLAGS].find_one({"post_id": post_id, "reporter_id": actor.user_id, "status": "open"}, {"_id": 1}):
        raise Conflict(_("You have already flagged this post; a moderator will look at it."))
    await ratelimit.hit(db, f"forum-flag:{actor.user_id}", limit=FLAGS_PER_HOUR, window_seconds=3600)
    flag = {
        "_id": ObjectId(), "post_id": post_id, "thread_id": thread["_id"], "category_id": category["_id"],
        "org_id": category.get("org_id"), "number": post["number"], "reporter_id": actor.user_id,
        "reason": form.reason.value, "note": form.note, "status": "open", "created_at": tx.now,
    }
    await db[FLAGS].insert_one(flag, session=await tx.start())
    return flag
