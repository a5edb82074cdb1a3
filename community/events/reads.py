"""The events' reads: one event as its page and the API show it, the lists, the host's list
of people and its CSV; times shown in the viewer's zone."""

from __future__ import annotations

import calendar as month_calendar
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from bson import ObjectId

from community import policy
from community.accounts import people
from community.errors import NotFound
from community.events import queries
from community.events.access import EventAccess, actor_orgs, event_path, judge, utc
from community.i18n import current_locale, gettext as _, language_name
from community.policy import Actor
from community.storage.api import Database
from community.timezones import INDIA_ZONE, known_zones, zone_words

DEFAULT_ZONE = INDIA_ZONE
LISTED = 100


def viewer_zone(name: str | None) -> str:
    """The zone the viewer asked to see times in, or India's."""
    return name if name and name in known_zones() else DEFAULT_ZONE


SPOKEN = ("en", "hi", "as", "bn", "brx", "doi", "gu", "kn", "ks", "kok", "mai", "ml", "mni", "mr", "ne", "or", "pa",
          "sa", "sat", "sd", "ta", "te", "ur")
"""The languages an event form offers: English, and the 22 of the Eighth Schedule."""


def language_choices(keep: str = "") -> list[tuple[str, str]]:
    """``(code, name)`` in the reader's language: English and Hindi first, then the others by name;
    ``keep``, a code the event already has that is not among them, is offered too."""
    rest = sorted(((code, language_name(code)) for code in SPOKEN[2:]), key=lambda pair: pair[1])
    extra = [(keep, language_name(keep))] if keep and keep not in SPOKEN else []
    return [(code, language_name(code)) for code in SPOKEN[:2]] + rest + extra


def zone_label(zone: str) -> str:
    """How a zone reads in a sentence: by the name people know it by, not by its IANA id (an
    unnamed zone by the id the viewer or the host chose it by)."""
    return _("Indian Standard Time (IST)") if zone == DEFAULT_ZONE else zone_words(zone)


def shown_time(value: datetime, zone: str) -> str:
    """``20 Dec 2026, 10:00 IST`` as on the rest of the site, or ``20 Dec 2026, 04:30 (UK Time)``
    in another zone, in the reader's language."""
    local = utc(value).astimezone(ZoneInfo(zone))
    named = "IST" if zone == DEFAULT_ZONE else f"({zone_words(zone)})"
    return f"{format_datetime(local, 'd MMM y, HH:mm', locale=current_locale.get())} {named}"


async def visible_event(db: Database, actor: Actor, event_id: ObjectId) -> EventAccess:
    event = await queries.event(db, event_id)
    if event is None:
        raise NotFound(_("There is no such event."))
    answer = await queries.rsvp(db, event_id, actor.user_id) if actor.user_id is not None else None
    seen = judge(actor, event, await actor_orgs(db, actor), answer["status"] if answer else "none")
    if not seen.can_see:
        raise NotFound(_("There is no such event."))
    return seen


def event_out(event: Mapping[str, Any], rsvp: str, now: datetime, *, host: bool) -> dict[str, Any]:
    """The API's event; ``host``: the reader is one of its hosts, who alone learn whom it invites."""
    return {"id": str(event["_id"]), "title": event["title"], "description_html": event["description_html"],
            "status": event["status"], "start_at": utc(event["start_at"]), "end_at": utc(event["end_at"]),
            "zone": event["zone"], "capacity": event["capacity"], "going": event["going"],
            "waitlisted": event["waitlisted"], "interested": event["interested"], "audience": event["audience"],
            "competencies": event["competencies"], "language": event["language"], "place": event["place"]["kind"],
            "venue": event["place"].get("address"), "host_id": str(event["host_id"]), "cohost_ids": [str(i) for i in event["cohost_ids"]],
            "invited_ids": [str(i) for i in event.get("invited_ids", [])] if host else None, "rsvp": rsvp,
            "rsvp_open": policy.rsvp_is_open(event, now), "url": event_path(event["_id"]),
            "calendar_url": event_path(event["_id"]) + "/calendar.ics", "recording_url": event.get("recording_url"),
            "summary_html": event.get("summary_html", "")}


@dataclass(frozen=True, slots=True)
class Listing:
    events: list[dict[str, Any]]
    statuses: dict[ObjectId, str]


def _window(when: str, now: datetime) -> tuple[dict[str, Any], bool]:
    if when == "past":
        return {"status": "published", "end_at": {"$lt": now}}, False
    if when == "week":
        return {"status": "published", "end_at": {"$gte": now}, "start_at": {"$lt": now + timedelta(days=7)}}, True
    return {"status": "published", "end_at": {"$gte": now}}, True


async def listing(db: Database, actor: Actor, *, when: str, now: datetime, competency: str | None = None,
                  organisation: ObjectId | None = None) -> Listing:
    """Published events the actor may see; ``mine`` is every event the actor answered or hosts."""
    orgs = await actor_orgs(db, actor)
    if when == "mine":
        if actor.user_id is None:
            return Listing([], {})
        answered = await db[queries.RSVPS].find({"user_id": actor.user_id, "status": {"$ne": "not_going"}},
                                                {"event_id": 1}).to_list(None)
        condition: dict[str, Any] = {"$or": [{"_id": {"$in": [row["event_id"] for row in answered]}},
                                             {"host_id": actor.user_id}, {"cohost_ids": actor.user_id}]}
        ascending = True
    else:
        condition, ascending = _window(when, now)
    if competency:
        condition["competencies"] = competency
    if organisation is not None:
        condition["organiser_org_id"] = organisation
    rows = await queries.listed(db, condition, ascending=ascending, limit=LISTED * 3)
    shown = [row for row in rows if policy.can_see_event(actor, row, orgs)][:LISTED]
    statuses = await queries.statuses_of(db, actor.user_id, [row["_id"] for row in shown]) if actor.user_id else {}
    return Listing(shown, statuses)


async def upcoming_with_seats(db: Database, actor: Actor, competency_id: str, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Events on the competency that the actor may still answer (in their audience, RSVP open)
    with a seat left, soonest first, leaving out those they answered already. Each has its
    ``url`` and ``seats_left``."""
    orgs = await actor_orgs(db, actor)
    rows = [row for row in await queries.upcoming_on(db, competency_id, now, limit * 3)
            if policy.can_rsvp(actor, row, orgs, now) and row["going"] < row["capacity"]]
    answered = await queries.statuses_of(db, actor.user_id, [row["_id"] for row in rows]) if actor.user_id and rows else {}
    shown = [row for row in rows if row["_id"] not in answered][:limit]
    for row in shown:
        row["url"] = event_path(row["_id"])
        row["seats_left"] = row["capacity"] - row["going"]
    return shown


def month_grid(year: int, month: int, events: Sequence[Mapping[str, Any]], zone: str) -> list[list[dict[str, Any]]]:
    """Weeks of days (Monday first) with the events starting on each, in the viewer's zone."""
    by_day: dict[date, list[Mapping[str, Any]]] = {}
    for event in events:
        by_day.setdefault(utc(event["start_at"]).astimezone(ZoneInfo(zone)).date(), []).append(event)
    return [[{"day": day, "in_month": day.month == month, "events": by_day.get(day, [])} for day in week]
            for week in month_calendar.Calendar().monthdatescalendar(year, month)]


async def month_events(db: Database, actor: Actor, year: int, month: int, zone: str) -> list[dict[str, Any]]:
    tz = ZoneInfo(zone)
    start = datetime(year, month, 1, tzinfo=tz).astimezone(UTC) - timedelta(days=7)
    end = start + timedelta(days=50)
    orgs = await actor_orgs(db, actor)
    rows = await queries.listed(db, {"status": {"$in": ["published", "cancelled"]}, **queries.between(start, end)},
                                limit=1000)
    return [row for row in rows if policy.can_see_event(actor, row, orgs)]


async def series_of(db: Database, actor: Actor, event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The occurrences of ``event``'s series that the actor may see, drafts included for hosts."""
    orgs = await actor_orgs(db, actor)
    rows = await queries.listed(db, {"series.id": event["series"]["id"]}, limit=60)
    return [row for row in rows if policy.can_see_event(actor, row, orgs)]


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def people_list(db: Database, actor: Actor, event_id: ObjectId) -> tuple[EventAccess, list[dict[str, Any]]]:
    """The host's list: everyone who answered, with their status, going first then the waitlist in order."""
    seen = await visible_event(db, actor, event_id)
    policy.require(actor, policy.can_manage_event(actor, seen.event), _("Only the event's hosts see its list of people."))
    rows = await queries.rsvp_list(db, event_id)
    names = await people.people_by_id(db, [row["user_id"] for row in rows])
    return seen, [{"user_id": row["user_id"], "name": people.shown_name(names.get(row["user_id"])) or _("Deleted member"),
                   "status": row["status"], "answered_at": utc(row["answered_at"])} for row in rows]


async def people_csv(db: Database, actor: Actor, event_id: ObjectId) -> tuple[EventAccess, str]:
    seen, rows = await people_list(db, actor, event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "member_id", "status", "answered_at"])
    for row in rows:
        writer.writerow([_cell(row["name"]), str(row["user_id"]), row["status"], row["answered_at"].isoformat()])
    return seen, out.getvalue()
