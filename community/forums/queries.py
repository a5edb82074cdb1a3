"""Reads for the forums, in MongoDB's query language. Writes live in the verb modules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.accounts import people as accounts_people
from community.accounts.people import Person
from community.forums.schemas import Sort, TopPeriod
from community.storage.api import Database

CATEGORIES = "forum_categories"
THREADS = "forum_threads"
POSTS = "forum_posts"
REVISIONS = "forum_revisions"
VOTES = "forum_votes"
FOLLOWS = "forum_follows"
READS = "forum_reads"
FLAGS = "forum_flags"

POST_LIST_FIELDS = {"body_hash": 0}


async def category(db: Database, category_id: ObjectId) -> dict[str, Any] | None:
    return await db[CATEGORIES].find_one({"_id": category_id})


async def category_by_slug(db: Database, slug: str) -> dict[str, Any] | None:
    return await db[CATEGORIES].find_one({"slug": slug})


async def categories(db: Database, org_ids: Sequence[ObjectId | None] | None) -> list[dict[str, Any]]:
    """Categories visible to readers of ``org_ids`` (None: all), in display order."""
    query: dict[str, Any] = {} if org_ids is None else {"org_id": {"$in": list(org_ids)}}
    return await db[CATEGORIES].find(query, sort=[("position", 1), ("name", 1)]).to_list(None)


async def category_names(db: Database, category_ids: Iterable[ObjectId]) -> dict[ObjectId, str]:
    rows = db[CATEGORIES].find({"_id": {"$in": list(category_ids)}}, {"name": 1})
    return {row["_id"]: row["name"] async for row in rows}


async def thread(db: Database, thread_id: ObjectId) -> dict[str, Any] | None:
    return await db[THREADS].find_one({"_id": thread_id})


async def post(db: Database, post_id: ObjectId) -> dict[str, Any] | None:
    return await db[POSTS].find_one({"_id": post_id})


async def post_by_number(db: Database, thread_id: ObjectId, number: int) -> dict[str, Any] | None:
    return await db[POSTS].find_one({"thread_id": thread_id, "number": number})


def _period_start(period: TopPeriod, now: datetime) -> datetime | None:
    if period is TopPeriod.WEEK:
        return now - timedelta(days=7)
    if period is TopPeriod.MONTH:
        return now - timedelta(days=30)
    return None


def thread_list_query(*, category_ids: Sequence[ObjectId] | None, org_ids: Sequence[ObjectId | None] | None,
                      sort: Sort, period: TopPeriod, tag: str | None, include_hidden: bool,
                      now: datetime | None = None) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The filter and sort order of a thread list; the last sort key is always ``_id`` so that
    cursors are total."""
    query: dict[str, Any] = {"deleted": False}
    if not include_hidden:
        query["hidden"] = False
    if category_ids is not None:
        query["category_id"] = {"$in": list(category_ids)} if len(category_ids) != 1 else category_ids[0]
    if org_ids is not None:
        query["org_id"] = {"$in": list(org_ids)}
    if tag:
        query["tags"] = tag
    if sort is Sort.NEWEST:
        order = [("created_at", -1), ("_id", -1)]
    elif sort is Sort.TOP:
        start = _period_start(period, now or datetime.now(UTC))
        if start is not None:
            query["created_at"] = {"$gte": start}
        order = [("votes", -1), ("_id", -1)]
    elif sort is Sort.UNANSWERED:
        # An accepted answer answers a question even while a moderator hides it (its thread row
        # still says "Answered"), though the hidden reply no longer counts in ``reply_count``.
        query["reply_count"] = 0
        query["accepted_post_id"] = None
        order = [("created_at", -1), ("_id", -1)]
    else:
        order = [("last_activity_at", -1), ("_id", -1)]
    return query, order


def after_cursor(order: list[tuple[str, int]], position: dict[str, Any]) -> dict[str, Any]:
    """The filter for rows strictly after ``position`` in ``order`` (keyset pagination)."""
    branches: list[dict[str, Any]] = []
    for index, (name, direction) in enumerate(order):
        branch = {prior: position[prior] for prior, _ in order[:index]}
        branch[name] = {"$lt" if direction < 0 else "$gt": position[name]}
        branches.append(branch)
    return {"$or": branches}


async def threads(db: Database, query: dict[str, Any], order: list[tuple[str, int]], limit: int,
                  pinned_first: bool = False) -> list[dict[str, Any]]:
    sort = ([("pinned", -1)] if pinned_first else []) + order
    return await db[THREADS].find(query, sort=sort, limit=limit).to_list(None)


TAGGED_READ = 4
"""``threads_tagged`` reads this many times ``limit`` of a competency's threads, to keep the readable ones."""


async def threads_tagged(db: Database, competency_id: str, category_ids: Sequence[ObjectId], limit: int) -> list[dict[str, Any]]:
    """Threads tagged with a competency in these categories, neither deleted nor hidden, most
    recently active first.

    Read through the competency-tag index and the categories kept here: with the categories in
    the filter the embedded engine reads them through the category index instead, about forty
    times slower at 5,000 threads. With the tag fixed, the index gives the order, so only the
    first ``limit * TAGGED_READ`` are read, however many threads the competency has."""
    wanted = set(category_ids)
    if not wanted:
        return []
    rows = await db[THREADS].find({"competency_tags": competency_id, "deleted": False, "hidden": False},
                                  sort=[("last_activity_at", -1), ("_id", -1)], limit=limit * TAGGED_READ).to_list(None)
    return [row for row in rows if row["category_id"] in wanted][:limit]


async def posts_after(db: Database, thread_id: ObjectId, after_number: int, limit: int, *,
                      include_hidden: bool, exclude: ObjectId | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"thread_id": thread_id, "number": {"$gt": after_number}}
    if not include_hidden:
        query["hidden"] = False
    if exclude is not None:
        query["_id"] = {"$ne": exclude}
    return await db[POSTS].find(query, POST_LIST_FIELDS, sort=[("number", 1)], limit=limit).to_list(None)


async def recent_posts_by(db: Database, author_id: ObjectId, limit: int) -> list[dict[str, Any]]:
    """A person's latest posts that still show (neither deleted nor hidden), newest first:
    ``{_id, thread_id}`` each."""
    return await db[POSTS].find({"author_id": author_id, "deleted": False, "hidden": False}, {"thread_id": 1},
                                sort=[("created_at", -1)], limit=limit).to_list(None)


async def live_threads(db: Database, thread_ids: Sequence[ObjectId]) -> list[dict[str, Any]]:
    """Those of the threads that are neither deleted nor hidden: ``{_id, category_id}`` each."""
    return await db[THREADS].find({"_id": {"$in": list(thread_ids)}, "deleted": False, "hidden": False},
                                  {"category_id": 1}).to_list(None)


async def latest_posters(db: Database, thread_id: ObjectId, limit: int) -> list[ObjectId]:
    """Who wrote the thread's latest ``limit`` posts that still show (an author may repeat)."""
    rows = await db[POSTS].find({"thread_id": thread_id, "deleted": False, "hidden": False}, {"author_id": 1},
                                sort=[("number", -1)], limit=limit).to_list(None)
    return [row["author_id"] for row in rows if row.get("author_id") is not None]


async def page_anchor(db: Database, thread_id: ObjectId, number: int, per_page: int) -> int | None:
    """The number of the post just before the page that shows post ``number`` (the page's cursor),
    or None when that post is on the first page. Hidden posts count, as they take a place on a page
    for those who may see them."""
    before = await db[POSTS].count_documents({"thread_id": thread_id, "number": {"$lt": number}})
    start = before // per_page * per_page
    if start == 0:
        return None
    anchor = await db[POSTS].find({"thread_id": thread_id, "number": {"$lt": number}}, {"number": 1},
                                  sort=[("number", 1)], skip=start - 1, limit=1).to_list(None)
    return anchor[0]["number"] if anchor else None


async def people(db: Database, ids: Iterable[ObjectId | None]) -> dict[ObjectId, Person]:
    """The authors, editors and reporters a page names (erased ones say so)."""
    return await accounts_people.people_by_id(db, ids)


def vote_id(post_id: ObjectId, user_id: ObjectId) -> str:
    """A vote's ``_id``: one per person per post."""
    return f"{post_id}|{user_id}"


async def voted_posts(db: Database, user_id: ObjectId, post_ids: Sequence[ObjectId]) -> set[ObjectId]:
    """Which of these posts the person upvoted; by ``_id``, so for one post (a reply's or an
    edit's response) it is one B-tree probe on the loop instead of a trip to a reader thread."""
    if not post_ids:
        return set()
    rows = db[VOTES].find({"_id": {"$in": [vote_id(post_id, user_id) for post_id in post_ids]}}, {"post_id": 1})
    return {row["post_id"] async for row in rows}


async def read_positions(db: Database, user_id: ObjectId, thread_ids: Sequence[ObjectId]) -> dict[ObjectId, int]:
    if not thread_ids:
        return {}
    rows = db[READS].find({"user_id": user_id, "thread_id": {"$in": list(thread_ids)}}, {"thread_id": 1, "last_read": 1})
    return {row["thread_id"]: row["last_read"] async for row in rows}


async def read_position(db: Database, user_id: ObjectId, thread_id: ObjectId) -> int | None:
    row = await db[READS].find_one({"_id": f"{user_id}|{thread_id}"}, {"last_read": 1})
    return row["last_read"] if row else None


async def category_visit(db: Database, user_id: ObjectId, category_id: ObjectId) -> datetime | None:
    row = await db[READS].find_one({"_id": f"{user_id}|category|{category_id}"}, {"at": 1})
    return row["at"] if row else None


async def is_following(db: Database, user_id: ObjectId, target_type: str, target_id: ObjectId) -> bool:
    return await db[FOLLOWS].find_one({"_id": f"{user_id}|{target_type}|{target_id}"}, {"_id": 1}) is not None


async def followers(db: Database, target_type: str, target_id: ObjectId, *, since_before: Any = None) -> list[ObjectId]:
    """Who follows the target; with ``since_before``, only those who followed it by then."""
    query: dict[str, Any] = {"target_type": target_type, "target_id": target_id}
    if since_before is not None:
        query["at"] = {"$lte": since_before}
    rows = db[FOLLOWS].find(query, {"user_id": 1})
    return [row["user_id"] async for row in rows]


async def posts_by_id(db: Database, post_ids: Iterable[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    return {row["_id"]: row async for row in db[POSTS].find({"_id": {"$in": list(dict.fromkeys(post_ids))}})}


async def follows_by(db: Database, target_type: str, target_id: ObjectId, by: Any) -> list[tuple[ObjectId, Any]]:
    """Who had followed the target by ``by``, each with when they began."""
    rows = db[FOLLOWS].find({"target_type": target_type, "target_id": target_id, "at": {"$lte": by}}, {"user_id": 1, "at": 1})
    return [(row["user_id"], row["at"]) async for row in rows]


async def revisions(db: Database, post_id: ObjectId) -> list[dict[str, Any]]:
    return await db[REVISIONS].find({"post_id": post_id}, sort=[("number", -1)]).to_list(None)


async def open_flags(db: Database, category_ids: Sequence[ObjectId] | None, limit: int = 100) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"status": "open"}
    if category_ids is not None:
        query["category_id"] = {"$in": list(category_ids)}
    return await db[FLAGS].find(query, sort=[("created_at", 1)], limit=limit).to_list(None)

