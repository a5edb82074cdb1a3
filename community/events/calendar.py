"""Calendar files: one event's .ics, and a person's feed of the events they are going to,
which calendar programs subscribe to at a secret address (``/events/calendar/<token>.ics``).

Built with the ``icalendar`` package: times are written in the event's own zone (``zoneinfo``)
with that zone's VTIMEZONE, so a calendar in another zone shows the right moment. Only the hash
of a feed's token is stored; making a new token or revoking it ends the old address at once.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from community import ratelimit
from community.actions import Action
from community.events import places, queries
from community.events.access import event_path, utc
from community.events.queries import CALENDAR_TOKENS
from community.policy import require_member
from community.storage.api import Database

PRODUCT = "-//Karmayogi Community//Events//EN"
TOKENS_PER_DAY = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _entry(event: Mapping[str, Any], base_url: str, hosts: Mapping[ObjectId, str]) -> Event:
    zone = ZoneInfo(event["zone"])
    entry = Event()
    entry.add("uid", f"{event['_id']}@{base_url.split('://', 1)[-1]}")
    entry.add("summary", event["title"])
    entry.add("dtstamp", utc(event["updated_at"]))
    entry.add("dtstart", utc(event["start_at"]).astimezone(zone))
    entry.add("dtend", utc(event["end_at"]).astimezone(zone))
    entry.add("url", base_url + event_path(event["_id"]))
    entry.add("location", places.describe(event["place"]))
    entry.add("description", event["description"])
    entry.add("status", "CANCELLED" if event["status"] == "cancelled" else "CONFIRMED")
    organiser = vCalAddress(f"{base_url}/people/{event['host_id']}")
    organiser.params["cn"] = vText(hosts.get(event["host_id"]) or "Karmayogi Community")
    entry.add("organizer", organiser)
    return entry


_entries: dict[tuple[Any, ...], bytes] = {}
"""Each event's VEVENT as icalendar wrote it, by what it depends on (a changed event has a new
``updated_at``, a renamed host a new name): a feed of hundreds of events is mostly these, and
icalendar takes about half a millisecond to write one. Public to whoever may see the event, so no
one person's data; cleared when it grows past ``ENTRIES_KEPT``."""
ENTRIES_KEPT = 20000


def _entry_bytes(event: Mapping[str, Any], base_url: str, hosts: Mapping[ObjectId, str]) -> bytes:
    key = (event["_id"], event["updated_at"], base_url, hosts.get(event["host_id"]))
    found = _entries.get(key)
    if found is None:
        if len(_entries) >= ENTRIES_KEPT:
            _entries.clear()
        found = _entries[key] = _entry(event, base_url, hosts).to_ical()
    return found


@cache
def _zone_bytes(zone: str) -> bytes:
    return Timezone.from_tzid(zone).to_ical()


def ics(events: Iterable[Mapping[str, Any]], base_url: str, hosts: Mapping[ObjectId, str], *, name: str) -> bytes:
    """The calendar: icalendar writes its header, each zone's VTIMEZONE and each VEVENT; they are
    put together here so each part is written once (``_entry_bytes``)."""
    listed = list(events)
    head, end = _calendar(name).to_ical().rsplit(b"END:VCALENDAR", 1)
    zones = dict.fromkeys(event["zone"] for event in listed)
    return b"".join([head, *(_zone_bytes(zone) for zone in zones),
                     *(_entry_bytes(event, base_url, hosts) for event in listed), b"END:VCALENDAR", end])


def series_ics(occurrences: Sequence[Mapping[str, Any]], base_url: str, hosts: Mapping[ObjectId, str], *,
               name: str) -> bytes:
    """A series as RFC 5545 writes one: the first occurrence with the series' RRULE (or its RDATEs
    for a set of dates), an EXDATE for each cancelled occurrence, and an override (RECURRENCE-ID)
    for each occurrence moved from where the rule put it."""
    ordered = sorted(occurrences, key=lambda event: event["series"]["position"])
    first, rule = ordered[0], ordered[0]["series"]
    zone = ZoneInfo(first["zone"])
    uid = f"{rule['id']}@{base_url.split('://', 1)[-1]}"

    def original(event: Mapping[str, Any]) -> Any:
        return utc(event["series"]["original_start_at"]).astimezone(zone)

    cal = _calendar(name)
    master = _entry(first, base_url, hosts)
    master["uid"] = uid
    del master["dtstart"], master["dtend"], master["status"]
    master.add("dtstart", original(first))
    master.add("dtend", original(first) + (utc(first["end_at"]) - utc(first["start_at"])))
    master.add("status", "CONFIRMED")
    if rule.get("freq"):
        master.add("rrule", {"freq": rule["freq"], "count": rule["count"]})
    else:
        for moment in rule["rdates"][1:]:
            master.add("rdate", utc(moment).astimezone(zone))
    for event in ordered:
        if event["status"] == "cancelled":
            master.add("exdate", original(event))
    cal.add_component(master)
    for event in ordered:
        if event["status"] != "cancelled" and (utc(event["start_at"]) != utc(event["series"]["original_start_at"])
                                               or event["title"] != first["title"]):
            override = _entry(event, base_url, hosts)
            override["uid"] = uid
            override.add("recurrence-id", original(event))
            cal.add_component(override)
    cal.add_missing_timezones()
    return cal.to_ical()


async def new_token(tx: Action) -> str:
    """A fresh secret address for the actor's feed; the one before stops working."""
    actor = require_member(tx.actor)
    await ratelimit.hit(tx.db, f"event-calendar-token:{actor.user_id}", limit=TOKENS_PER_DAY, window_seconds=86400)
    token = secrets.token_urlsafe(24)
    await tx.db[CALENDAR_TOKENS].update_one({"_id": actor.user_id}, {"$set": {
        "user_id": actor.user_id, "token_hash": token_hash(token), "created_at": tx.now}}, upsert=True,
        session=await tx.start())
    return token


async def revoke_token(tx: Action) -> bool:
    actor = require_member(tx.actor)
    return (await tx.db[CALENDAR_TOKENS].delete_one({"_id": actor.user_id}, session=await tx.start())).deleted_count == 1


async def feed_events(db: Database, token: str) -> tuple[ObjectId, list[dict[str, Any]]] | None:
    """The events the token's owner is going to, or None for a token that is not (or no longer) theirs."""
    owner = await queries.calendar_owner(db, token_hash(token))
    if owner is None:
        return None
    return owner, await queries.by_ids(db, await queries.going_event_ids(db, owner))
