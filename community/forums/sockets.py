"""Forum messages on the shared socket namespace: replying from a live thread page.

The handler goes through the same service as the page and the API, so the same checks apply:
a suspended member, or one who cannot read the category, is refused with the same error. The
person is re-read from their session for every message, so a suspension takes effect at once.
"""

from __future__ import annotations

from typing import Any

from community import actions
from community.forums import reply
from community.forums.schemas import object_id


async def post_reply(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """``{"thread_id", "body", "reply_to"?}`` -> ``{"number", "post_id"}``, in an action of the
    app the socket belongs to (its limits, its emitter)."""
    actor = await namespace.fresh_actor(session)
    thread_id = object_id(str(data.get("thread_id", "")))
    post = (await actions.run(session["app"], actor, reply.reply, thread_id=thread_id,
                              data={key: data[key] for key in ("body", "reply_to") if key in data})).post
    return {"number": post["number"], "post_id": str(post["_id"])}
