"""Limits on posting: tighter for new members; flood control and duplicates for everyone."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from community import ratelimit
from community.accounts import people
from community.errors import Conflict, Invalid
from community.forums import queries
from community.forums.limits import ForumLimits
from community.forums.markdown import Rendered
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database


def body_hash(body: str) -> str:
    """Equal for bodies that differ only in case, spacing or Unicode normal form."""
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", body).casefold()).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


async def is_new_member(db: Database, actor: Actor, limits: ForumLimits, now: datetime) -> bool:
    person = await people.person_by_id(db, actor.user_id)
    created = person["created_at"] if person else None
    if created is None or created.replace(tzinfo=created.tzinfo or UTC) > now - timedelta(days=limits.new_member_days):
        return True
    if limits.new_member_min_posts == 0:
        return False
    posts = await db[queries.POSTS].find({"author_id": actor.user_id, "deleted": False, "hidden": False}, {"_id": 1},
                                         limit=limits.new_member_min_posts).to_list(None)
    return len(posts) < limits.new_member_min_posts


async def check_post(db: Database, actor: Actor, limits: ForumLimits, *, body: str, rendered: Rendered,
                     session: Any, field: str = "body", now: datetime | None = None) -> str:
    """Refuse a post that breaks a limit; returns the body's duplicate-detection hash.

    Checks that only read come first; the post is counted against the person's allowance in
    the post's own transaction (``session``), so a post refused or failing after this check
    does not use it up either.
    """
    now = now or datetime.now(UTC)
    new_member = await is_new_member(db, actor, limits, now)
    allowed_links = limits.new_member_links_per_post if new_member else limits.links_per_post
    if rendered.links > allowed_links:
        raise Invalid({field: _("Use at most %(n)s links in a post for now.", n=allowed_links)})
    digest = body_hash(body)
    since = now - timedelta(seconds=limits.duplicate_window_seconds)
    duplicate = await db[queries.POSTS].find_one(
        {"author_id": actor.user_id, "body_hash": digest, "created_at": {"$gte": since}, "deleted": False}, {"_id": 1})
    if duplicate is not None:
        raise Conflict(_("You have already posted this. Edit your earlier post instead of posting it again."))
    if limits.flood_seconds:
        await ratelimit.hit(db, f"forum-flood:{actor.user_id}", limit=1, window_seconds=limits.flood_seconds, now=now,
                            session=session)
    hourly = limits.new_member_posts_per_hour if new_member else limits.posts_per_hour
    await ratelimit.hit(db, f"forum-hourly:{actor.user_id}", limit=hourly, window_seconds=3600, now=now,
                        session=session)
    return digest
