"""The Atom feed (RFC 4287) of upcoming events open to everyone: a feed reader is no one, so
organisation and invitation-only events never appear in it."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from community.accounts import people
from community.events import queries
from community.events.access import event_path, utc
from community.storage.api import Database

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50


def _stamp(value: datetime) -> str:
    return utc(value).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> None:
    ET.SubElement(parent, tag, attrs).text = text


async def upcoming_feed(db: Database, base_url: str, now: datetime, *, title: str) -> bytes:
    events = await queries.listed(db, {"status": "published", "audience": "everyone", "end_at": {"$gte": now}},
                                  limit=ENTRIES)
    hosts = await people.names_by_id(db, [event["host_id"] for event in events])
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "id", base_url + "/events")
    _text(feed, "title", title)
    _text(feed, "updated", _stamp(max((event["updated_at"] for event in events), default=now)))
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base_url + "/events"})
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base_url + "/events/feed.atom"})
    for event in events:
        entry = ET.SubElement(feed, "entry")
        link = base_url + event_path(event["_id"])
        _text(entry, "id", link)
        _text(entry, "title", event["title"])
        _text(entry, "updated", _stamp(event["updated_at"]))
        _text(entry, "published", _stamp(event["published_at"] or event["created_at"]))
        author = ET.SubElement(entry, "author")
        _text(author, "name", hosts.get(event["host_id"]) or "Karmayogi Community")
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": link})
        _text(entry, "summary", f"{_stamp(event['start_at'])} – {_stamp(event['end_at'])}")
        _text(entry, "content", event["description_html"], type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
