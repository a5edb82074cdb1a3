"""The Atom feed (RFC 4287) of open vacancies, newest published first."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from aiohttp import web

from community.i18n import gettext as _
from community.organisations import queries as organisations
from community.storage.api import Database
from community.vacancies.queries import VACANCIES

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 30


def _stamp(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> None:
    ET.SubElement(parent, tag, attrs).text = text


async def open_vacancies_feed(db: Database, base_url: str) -> web.Response:
    rows = await db[VACANCIES].find({"status": "open"}, sort=[("published_at", -1), ("_id", -1)],
                                    limit=ENTRIES).to_list(None)
    names = await organisations.names(db, [row["org_id"] for row in rows])
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "id", base_url + "/vacancies")
    _text(feed, "title", _("Vacancies"))
    _text(feed, "updated", _stamp(max((row["updated_at"] for row in rows), default=None)))
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base_url + "/vacancies"})
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base_url + "/vacancies/feed.atom"})
    for row in rows:
        path = f"/vacancies/{row['_id']}"
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", base_url + path)
        _text(entry, "title", row["title"])
        _text(entry, "updated", _stamp(row["updated_at"]))
        _text(entry, "published", _stamp(row["published_at"]))
        _text(ET.SubElement(entry, "author"), "name", names.get(row["org_id"], ""))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": base_url + path})
        _text(entry, "content", row["description_html"], type="html")
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")
