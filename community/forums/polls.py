"""The forum side of polls: a post is a poll subject, its Markdown holds the poll blocks, and
its page shows each poll where its block stood.

- Subject ``forum_post``: whoever may read the post sees its polls; whoever could reply in the
  thread votes; the category's moderators are the polls' staff; the thread's room gets the live
  results (``community.polls.subjects``).
- Writing: creating or editing a post reads its blocks first (a bad block refuses the whole
  post, with nothing written) and keeps its polls in step inside the post's own transaction.
- Showing: the stored HTML holds an empty slot per block (``community.polls.blocks``); a page is
  rendered (and, for readers who are not signed in, kept) with the slots empty, and each slot
  is filled for its viewer on the way out, so a cached page never shows old counts.
"""

from __future__ import annotations

import re
from datetime import datetime

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId

from community import keys, policy
from community.actions import Action
from community.errors import Invalid
from community.forums import queries
from community.forums.access import cached_category
from community.forums.urls import post_path
from community.forums.writes import thread_room
from community.policy import Actor
from community.polls import blocks, results, service, subjects
from community.polls.blocks import BlockError, PollSpec
from community.polls.subjects import Access
from community.requests import actor_of, db_of
from community.storage.api import Database

SUBJECT = "forum_post"
_POST_OR_SLOT = re.compile(r'data-post-id="([0-9a-f]{24})"|' + blocks.SLOT.pattern)


async def post_access(db: Database, actor: Actor, post_id: ObjectId) -> Access | None:
    post = await queries.post(db, post_id)
    thread = await queries.thread(db, post["thread_id"]) if post is not None else None
    category = await cached_category(db, thread["category_id"]) if thread is not None else None
    if post is None or thread is None or category is None:
        return None
    return Access(can_see=policy.can_see_post_poll(actor, category, thread, post),
                  can_vote=policy.can_take_part_in_post_poll(actor, category, thread, post),
                  is_staff=policy.can_moderate_category(actor, category), owner_id=post.get("author_id"),
                  room=thread_room(thread["_id"]), url=post_path(thread["_id"], post["number"]))


subjects.register(SUBJECT, post_access)


def check_new(body: str, now: datetime, kept: frozenset[datetime] = frozenset()) -> list[PollSpec]:
    """The polls a new post's body asks for; Invalid on its body for a bad block."""
    try:
        return blocks.parse(body, now, kept)
    except BlockError as error:
        raise Invalid({"body": str(error)}) from None


async def check_edit(db: Database, post_id: ObjectId, body: str, now: datetime) -> service.SyncPlan:
    """The edited post's polls, checked against the votes its polls already have; closing
    times the post's polls already had may have passed."""
    specs = check_new(body, now, await service.close_times(db, SUBJECT, post_id))
    try:
        return await service.check_sync(db, SUBJECT, post_id, specs)
    except BlockError as error:
        raise Invalid({"body": str(error)}) from None


async def create(tx: Action, post_id: ObjectId, specs: list[PollSpec]) -> None:
    """Within the new post's transaction."""
    if specs:
        await service.apply_sync(tx, service.SyncPlan(SUBJECT, post_id, tuple(specs), {}))


async def sync(tx: Action, plan: service.SyncPlan) -> None:
    """Within the edit's transaction."""
    if plan.specs or plan.existing:
        await service.apply_sync(tx, plan)


async def fill(request: web.Request, html: str, csrf_token: str) -> str:
    """``html`` (a page or a post fragment) with each poll slot replaced by its poll as the
    request's viewer may see it. A slot belongs to the post whose ``data-post-id`` comes before
    it; a slot whose poll is gone (or that the viewer may not see) is left empty."""
    if 'class="poll-slot"' not in html:
        return html
    db, actor = db_of(request), actor_of(request)
    now = request.app[keys.CLOCK]()
    wanted: dict[ObjectId, set[str]] = {}
    current: ObjectId | None = None
    for match in _POST_OR_SLOT.finditer(html):
        if match.group(1):
            current = ObjectId(match.group(1))
        elif current is not None:
            wanted.setdefault(current, set()).add(match.group(2))
    shown: dict[tuple[ObjectId, str], str] = {}
    for post_id in wanted:
        access = await post_access(db, actor, post_id)
        if access is None or not access.can_see:
            continue
        views = await results.subject_polls(db, actor, SUBJECT, post_id, access, now)
        for name, view in views.items():
            shown[(post_id, name)] = aiohttp_jinja2.render_string(
                "polls/partials/poll.html", request, {"poll": view, "csrf_token": csrf_token, "back": access.url})

    def replace(match: re.Match[str]) -> str:
        nonlocal current
        if match.group(1):
            current = ObjectId(match.group(1))
            return match.group(0)
        return shown.get((current, match.group(2)), "") if current is not None else ""

    current = None
    return _POST_OR_SLOT.sub(replace, html)
