"""The forums' part of the home page: what is active in the spaces the person may read, the
threads they have read that have new replies, and this week's top threads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from community.forums import queries
from community.forums.reads import decorate_threads, readable_categories
from community.forums.schemas import Sort, TopPeriod
from community.requests import actor_of, db_of

LATEST = 8
TOP = 5
RECENT = 50
"""The most recently active threads looked through for ones with replies the person has not read."""


async def home_section(request: web.Request) -> dict[str, Any] | None:
    db, actor = db_of(request), actor_of(request)
    readable = [c["_id"] for c in await readable_categories(db, actor)]
    if not readable:
        return None
    active, order = queries.thread_list_query(category_ids=readable, org_ids=None, sort=Sort.LATEST,
                                              period=TopPeriod.WEEK, tag=None, include_hidden=False)
    recent = await queries.threads(db, active, order, RECENT if actor.user_id is not None else LATEST)
    if not recent:
        return None
    top_filter, top_order = queries.thread_list_query(category_ids=readable, org_ids=None, sort=Sort.TOP,
                                                      period=TopPeriod.WEEK, tag=None, include_hidden=False)
    top = [thread for thread in await queries.threads(db, top_filter, top_order, TOP) if thread["votes"] > 0]
    reads = await queries.read_positions(db, actor.user_id, [t["_id"] for t in recent]) if actor.user_id else {}
    unread = [t for t in recent if t["_id"] in reads and t["last_number"] > reads[t["_id"]]][:LATEST]
    shown = recent[:LATEST]
    people = await queries.people(db, [t.get("last_poster_id") for t in shown + top + unread]
                                  + [t["author_id"] for t in shown + top + unread])
    decorate_threads(shown + top + unread, people, reads, actor.is_authenticated, None)
    return {"latest": shown, "top": top, "unread": unread}
