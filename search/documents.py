"""Search documents built from what storage holds, one builder per index.

The indexer never trusts an outbox entry's payload: it reads the current stored state through
``load`` and writes that (or deletes), so replaying an entry any number of times, in any order,
ends in the same index. Collections read here:

- ``forum_threads`` / ``forum_posts`` / ``users`` (forums): a thread's document holds its title and
  opening post; every later post has its own document.
- ``users`` / ``profiles`` (profiles) / ``karma_ledger`` (karma): one document per searchable copy
  of a profile (``community.policy.profile_search_copies``), with only the fields that copy's
  audience may see, and the person's Karma total.
- ``events``: ``title``, ``description``, ``org_id`` (None: open to everyone), ``host_id``,
  ``starts_at``, ``competency_ids``, ``status``, ``deleted``.
- ``vacancies``: ``title``, ``description``, ``org_id`` (the posting organisation), ``location``,
  ``closes_at``, ``created_at``, ``competencies`` (ids or ``{"competency_id": ...}``),
  ``status`` (only ``open`` and ``closed`` are searchable), ``deleted``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import policy
from community.karma import service as karma_service
from community.profiles.schemas import DEFAULT_PRIVACY
from community.storage.api import Database

THREADS = "forum_threads"
POSTS = "forum_posts"
LOCATION_FIELDS = ("state", "district")


@dataclass(slots=True)
class Changes:
    """What the index must do for one outbox entry: documents to write, ids to remove."""

    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def _epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _month(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m") if moment is not None else None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _competency_ids(items: Any) -> list[str]:
    out = []
    for item in items or ():
        value = item.get("competency_id") if isinstance(item, Mapping) else item
        if value:
            out.append(str(value))
    return list(dict.fromkeys(out))


def _object_id(doc_id: str) -> ObjectId | None:
    try:
        return ObjectId(doc_id)
    except (InvalidId, TypeError):
        return None


def thread_document(thread: Mapping[str, Any], opening: Mapping[str, Any] | None,
                    author: Mapping[str, Any] | None) -> dict[str, Any]:
    created = thread.get("created_at")
    return {
        "id": str(thread["_id"]), "kind": "thread", "title": thread.get("title", ""),
        "body": (opening or {}).get("body", ""), "author_name": (author or {}).get("name"),
        "category_id": _str(thread.get("category_id")), "thread_id": str(thread["_id"]),
        "author_id": _str(thread.get("author_id")), "org_id": _str(thread.get("org_id")),
        "competencies": [str(c) for c in thread.get("competency_tags", [])], "month": _month(created),
        "date": _epoch(created), "votes": int(thread.get("votes", 0)),
        "access": policy.search_audience(thread.get("org_id")),
        "hidden": bool(thread.get("hidden") or thread.get("deleted")),
    }


def post_document(post: Mapping[str, Any], thread: Mapping[str, Any],
                  author: Mapping[str, Any] | None) -> dict[str, Any]:
    created = post.get("created_at")
    return {
        "id": str(post["_id"]), "kind": "post", "body": post.get("body", ""),
        "author_name": (author or {}).get("name"), "thread_title": thread.get("title", ""),
        "number": int(post.get("number", 0)), "category_id": _str(post.get("category_id")),
        "thread_id": str(thread["_id"]), "author_id": _str(post.get("author_id")),
        "org_id": _str(thread.get("org_id")), "competencies": [str(c) for c in thread.get("competency_tags", [])],
        "month": _month(created), "date": _epoch(created), "votes": int(post.get("votes", 0)),
        "access": policy.search_audience(thread.get("org_id")),
        "hidden": bool(post.get("hidden") or post.get("deleted") or thread.get("hidden") or thread.get("deleted")),
    }


def person_documents(user: Mapping[str, Any], profile: Mapping[str, Any] | None, karma: int) -> list[dict[str, Any]]:
    """One document per copy the policy allows; each holds only the fields its audience may see.
    ``karma`` is the person's total (``community.karma.service.total``), shown to every member."""
    profile = profile or {}
    privacy = {**DEFAULT_PRIVACY, **profile.get("privacy", {})}
    location = ", ".join(str(v) for v in (profile.get(k) for k in LOCATION_FIELDS) if v) or None
    fields: dict[str, tuple[str, Any]] = {
        "designation": ("designation", user.get("designation")),
        "service": ("service", profile.get("service")),
        "location": ("location", location),
        "bio": ("bio", profile.get("bio")),
        "expertise": ("expertise", list(profile.get("expertise", []))),
        "languages": ("languages", list(profile.get("languages", []))),
        "competencies": ("competencies", _competency_ids(profile.get("competencies"))),
        "org_id": ("organisation", _str(user.get("org_id"))),
    }
    docs = []
    for copy, access, except_org in policy.profile_search_copies(user):
        allowed = policy.SEARCHABLE_PRIVACY[copy]
        doc: dict[str, Any] = {
            "id": f"{user['_id']}.{copy}", "kind": "person", "person_id": str(user["_id"]),
            "name": user.get("name", ""), "date": _epoch(user.get("created_at")),
            "karma": karma,
            "access": access, "except_org": except_org, "hidden": False,
        }
        for name, (privacy_field, value) in fields.items():
            if value and privacy.get(privacy_field, "me") in allowed:
                doc[name] = value
        docs.append(doc)
    return docs


def event_document(event: Mapping[str, Any]) -> dict[str, Any]:
    starts = event.get("starts_at")
    return {
        "id": str(event["_id"]), "kind": "event", "title": event.get("title", ""),
        "body": event.get("description", ""), "host_name": event.get("host_name"),
        "host_id": _str(event.get("host_id")), "status": _str(event.get("status")),
        "org_id": _str(event.get("org_id")), "competencies": _competency_ids(event.get("competency_ids")),
        "month": _month(starts), "date": _epoch(starts),
        "access": policy.search_audience(event.get("org_id")),
        "hidden": bool(event.get("deleted") or event.get("hidden") or event.get("status") == "draft"),
    }


def vacancy_document(vacancy: Mapping[str, Any]) -> dict[str, Any]:
    created = vacancy.get("created_at")
    return {
        "id": str(vacancy["_id"]), "kind": "vacancy", "title": vacancy.get("title", ""),
        "body": vacancy.get("description", ""), "location": vacancy.get("location"),
        "status": _str(vacancy.get("status")), "org_id": _str(vacancy.get("org_id")),
        "competencies": _competency_ids(vacancy.get("competencies")),
        "month": _month(created), "date": _epoch(created), "closes": _epoch(vacancy.get("closes_at")),
        "access": policy.search_audience(None),
        "hidden": bool(vacancy.get("deleted") or vacancy.get("status") not in ("open", "closed")),
    }


async def _load_threads_posts(db: Database, doc_id: str) -> Changes:
    oid = _object_id(doc_id)
    if oid is None:
        return Changes(deletes=[doc_id])
    thread = await db[THREADS].find_one({"_id": oid})
    post = None if thread is not None else await db[POSTS].find_one({"_id": oid})
    if post is not None:
        thread = await db[THREADS].find_one({"_id": post.get("thread_id")})
        if thread is None:
            return Changes(deletes=[doc_id])
        if post["_id"] != thread.get("first_post_id"):
            author = await db.users.find_one({"_id": post.get("author_id")}, {"name": 1})
            return Changes(upserts=[post_document(post, thread, author)])
    if thread is None:
        return Changes(deletes=[doc_id])
    opening = await db[POSTS].find_one({"_id": thread.get("first_post_id")}, {"body": 1})
    author = await db.users.find_one({"_id": thread.get("author_id")}, {"name": 1})
    changes = Changes(upserts=[thread_document(thread, opening, author)])
    if doc_id != str(thread["_id"]):
        changes.deletes.append(doc_id)
    return changes


async def _load_people(db: Database, doc_id: str) -> Changes:
    person_id = doc_id.split(".", 1)[0]
    every_copy = [f"{person_id}.{copy}" for copy in policy.SEARCHABLE_PRIVACY]
    oid = _object_id(person_id)
    user = await db.users.find_one({"_id": oid}, {"password_hash": 0}) if oid is not None else None
    if oid is None or user is None:
        return Changes(deletes=every_copy)
    docs = person_documents(user, await db.profiles.find_one({"_id": oid}), await karma_service.total(db, oid))
    kept = {d["id"] for d in docs}
    return Changes(upserts=docs, deletes=[i for i in every_copy if i not in kept])


def _single(collection: str, build: Callable[[Mapping[str, Any]], dict[str, Any]]
            ) -> Callable[[Any, str], Awaitable[Changes]]:
    async def load(db: Database, doc_id: str) -> Changes:
        oid = _object_id(doc_id)
        found = await db[collection].find_one({"_id": oid}) if oid is not None else None
        return Changes(upserts=[build(found)]) if found is not None else Changes(deletes=[doc_id])
    return load


LOADERS: dict[str, Callable[[Any, str], Awaitable[Changes]]] = {
    "threads_posts": _load_threads_posts,
    "people": _load_people,
    "events": _single("events", event_document),
    "vacancies": _single("vacancies", vacancy_document),
}


async def load(db: Database, index: str, doc_id: str) -> Changes:
    """The index changes that bring ``doc_id`` of ``index`` in line with storage."""
    try:
        loader = LOADERS[index]
    except KeyError:
        raise ValueError(f"unknown search index {index!r}") from None
    return await loader(db, doc_id)


SOURCES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "threads_posts": [(THREADS, {}), (POSTS, {"number": {"$gt": 1}})],
    "people": [("users", {})],
    "events": [("events", {})],
    "vacancies": [("vacancies", {})],
}
"""Where ``reindex`` finds every source of an index (opening posts come with their thread)."""


async def source_ids(db: Database, index: str) -> AsyncIterator[str]:
    for collection, query in SOURCES[index]:
        async for row in db[collection].find(query, {"_id": 1}):
            yield str(row["_id"])


async def source_count(db: Database, index: str) -> int:
    return sum([await db[collection].count_documents(query) for collection, query in SOURCES[index]])
