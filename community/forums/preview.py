"""A draft post rendered as it would be shown, by the renderer and sanitiser a saved post gets;
nothing is written. The composer's Preview button (without JavaScript) and its live preview
(``static/js/forums.js``, through ``POST /api/v1/forums/preview``) both come here."""

from __future__ import annotations

import html

from community import policy, ratelimit
from community.forums import markdown
from community.polls.blocks import SLOT
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database

PREVIEWS_PER_MINUTE = 60
"""The live preview asks at most once per pause in typing; this leaves room for fast typists."""


async def render_draft(db: Database, actor: Actor, body: str) -> str:
    """The draft's HTML. A poll block shows as a note: the poll exists only once the post does."""
    policy.require(actor, policy.can_preview_post(actor))
    await ratelimit.hit(db, f"forum-preview:{actor.user_id}", limit=PREVIEWS_PER_MINUTE, window_seconds=60)
    said = _("A poll appears here once the post is published.")
    note = f'<p class="poll-placeholder">{html.escape(said)}</p>'
    return SLOT.sub(note, markdown.render(body).html)
