"""Atom feeds (RFC 4287) for public categories and threads; private spaces have none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web
from bson import ObjectId

from community.accounts.people import shown_name
from community.errors import NotFound
from community.forums import queries
from community.forums.urls import category_path, post_path, thread_path
from community.i18n import gettext as _
from community.storage.api import Database

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 30


def _stamp(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _feed(*, base_url: str, feed_id: str, title: str, path: str, self_path: str, updated: datetime | None,
          entries: list[dict[str, Any]]) -> web.Response:
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "id", base_url + feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", _stamp(updated))
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base_url + path})
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base_url + self_path})
    for item in entries:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", base_url + item["path"])
        _text(entry, "title", item["title"])
        _text(entry, "updated", _stamp(item["updated"]))
        _text(entry, "published", _stamp(item["published"]))
        author = ET.SubElement(entry, "author")
        _text(author, "name", item["author"] or _("Deleted member"))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": base_url + item["path"]})
        _text(entry, "content", item["html"], type="html")
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


async def _public_category(db: Database, category_id: ObjectId) -> dict[str, Any]:
    category = await queries.category(db, category_id)
    if category is None or category.get("org_id") is not None:
        raise NotFound(_("There is no feed here."))
    return category


async def category_feed(db: Database, base_url: str, slug: str) -> web.Response:
    """The category's newest threads, each with its opening post."""
    found = await queries.category_by_slug(db, slug)
    if found is None:
        raise NotFound(_("There is no feed here."))
    category = await _public_category(db, found["_id"])
    threads = await queries.threads(db, {"category_id": category["_id"], "deleted": False, "hidden": False},
                                    [("created_at", -1), ("_id", -1)], ENTRIES)
    openings = {p["thread_id"]: p async for p in db[queries.POSTS].find(
        {"_id": {"$in": [t["first_post_id"] for t in threads]}}, {"html": 1, "thread_id": 1, "edited_at": 1})}
    people = await queries.people(db, [t["author_id"] for t in threads])
    entries = [{
        "path": thread_path(t["_id"]), "title": t["title"], "published": t["created_at"],
        "updated": openings.get(t["_id"], {}).get("edited_at") or t["created_at"],
        "author": shown_name(people.get(t["author_id"])),
        "html": openings.get(t["_id"], {}).get("html", ""),
    } for t in threads]
    return _feed(base_url=base_url, feed_id=category_path(category["slug"]), title=category["name"],
                 path=category_path(category["slug"]), self_path=category_path(category["slug"]) + "/feed.atom",
                 updated=category.get("last_activity_at"), entries=entries)


async def thread_feed(db: Database, base_url: str, thread_id: ObjectId) -> web.Response:
    """The thread's newest visible posts."""
    thread = await queries.thread(db, thread_id)
    if thread is None or thread["deleted"] or thread["hidden"]:
        raise NotFound(_("There is no feed here."))
    await _public_category(db, thread["category_id"])
    posts = await db[queries.POSTS].find({"thread_id": thread_id, "deleted": False, "hidden": False},
                                         sort=[("number", -1)], limit=ENTRIES).to_list(None)
    people = await queries.people(db, [p["author_id"] for p in posts])
    entries = [{
        "path": post_path(thread_id, p["number"]),
        "title": thread["title"] if p["number"] == 1 else f"#{p['number']} · {thread['title']}",
        "published": p["created_at"], "updated": p.get("edited_at") or p["created_at"],
        "author": shown_name(people.get(p["author_id"])),
        "html": p["html"],
    } for p in posts]
    return _feed(base_url=base_url, feed_id=thread_path(thread_id), title=thread["title"], path=thread_path(thread_id),
                 self_path=thread_path(thread_id) + "/feed.atom", updated=thread["last_activity_at"], entries=entries)
