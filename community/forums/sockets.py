"""Forum messages on the shared socket namespace: replying from a live thread page.

The handler goes through the same service as the page and the API, so the same checks apply:
a suspended member, or one who cannot read the category, is refused with the same error. The
person is re-read from their session for every message, so a suspension takes effect at once.
"""

from __future__ import annotations

from typing import Any

from community.forums import reply
from community.forums.limits import limits_from_env
from community.forums.schemas import object_id
from community.realtime.emitter import Emitter


async def post_reply(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """``{"thread_id", "body", "reply_to"?}`` -> ``{"number", "post_id"}``. Limits come from the
    environment, as the app's own do (``community.forums.limits.limits_from_env``)."""
    actor = await namespace.fresh_actor(session)
    thread_id = object_id(str(data.get("thread_id", "")))
    post = await reply.reply(session["db"], Emitter(namespace.server), actor, limits_from_env(), thread_id=thread_id,
                             data={key: data[key] for key in ("body", "reply_to") if key in data})
    return {"number": post["number"], "post_id": str(post["_id"])}
