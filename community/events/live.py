"""An event's live room and its certificates of attendance: the event as a subject of
``community.rooms`` and of ``community.certificates``, which know no event.

The room opens ``ROOM_OPENS_BEFORE`` ahead of the start and closes at the end. The hosts and the
people going may enter; afterwards the hosts and the people who attended (presence for the
``ROOM_ATTENDED_SHARE`` of the event, or a host's correction) read what was said. The room's
polls are the event's (poll subject ``event``, ``community.rooms.polls``): hosts add them during
the session, the people going vote, the results reach the room live. Whoever
attended a published event that has ended is given a certificate on asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.actions import Action
from community.certificates import service as certificates
from community.certificates.subjects import Facts, Kind
from community.certificates.subjects import register as register_certificate
from community.events import queries
from community.events.access import access, event_path, utc
from community.i18n import gettext as _
from community.policy import Actor, require_member
from community.rooms import attendance, polls as room_polls
from community.rooms.subjects import RoomAccess
from community.rooms.subjects import register as register_room
from community.storage.api import Database

KIND = "event"
ROOM_OPENS_BEFORE = timedelta(minutes=15)


@dataclass(slots=True)
class Rules:
    attended_share: float = 0.5
    """Set from ``ROOM_ATTENDED_SHARE`` when the app is built (``use_attended_share``)."""


RULES = Rules()


def use_attended_share(share: float) -> None:
    RULES.attended_share = share


def room_is_open(event: dict[str, Any], now: datetime) -> bool:
    return (event["status"] == "published" and utc(event["start_at"]) - ROOM_OPENS_BEFORE <= now
            <= utc(event["end_at"]))


def _room(event: dict[str, Any], *, can_enter: bool, is_host: bool, is_open: bool, can_read_after: bool) -> RoomAccess:
    return RoomAccess(kind=KIND, subject_id=event["_id"], title=event["title"], url=event_path(event["_id"]),
                      starts_at=utc(event["start_at"]), ends_at=utc(event["end_at"]), can_enter=can_enter,
                      is_host=is_host, is_open=is_open, can_read_after=can_read_after)


async def attendance_of(db: Database, event: dict[str, Any], now: datetime) -> dict[ObjectId, attendance.Attendance]:
    """Everyone present in the event's room, or whose attendance a host corrected, by person."""
    found = _room(event, can_enter=False, is_host=False, is_open=False, can_read_after=False)
    return await attendance.report(db, found, RULES.attended_share, now=now)


async def attended(db: Database, event: dict[str, Any], person_id: ObjectId, now: datetime) -> bool:
    """Whether the person was in the event's room for the attended share, or a host said so."""
    row = (await attendance_of(db, event, now)).get(person_id)
    return row is not None and row.attended


async def resolve_room(db: Database, actor: Actor, subject_id: ObjectId) -> RoomAccess | None:
    seen = await access(db, actor, subject_id)
    if seen is None or not seen.can_see or seen.event["status"] == "draft":
        return None
    now = datetime.now(UTC)
    is_open = room_is_open(seen.event, now)
    read_after = seen.is_host or (actor.user_id is not None and now > seen.end_at
                                  and await attended(db, seen.event, actor.user_id, now))
    return _room(seen.event, can_enter=seen.is_host or seen.rsvp == "going", is_host=seen.is_host, is_open=is_open,
                 can_read_after=read_after)


async def certificate_facts(db: Database, subject_id: Any, session: Any) -> Facts | None:
    event = await queries.event(db, subject_id, session=session) if isinstance(subject_id, ObjectId) else None
    if event is None or event["status"] != "published":
        return None
    start, end = utc(event["start_at"]), utc(event["end_at"])
    host = await people.name_of(db, event["host_id"])
    return Facts(title=event["title"], held_at=start, hours=round((end - start).total_seconds() / 3600, 2),
                 host_name=host or _("Deleted member"), url=event_path(event["_id"]))


async def may_receive(db: Database, person_id: ObjectId, subject_id: Any, session: Any) -> bool:
    event = await queries.event(db, subject_id, session=session) if isinstance(subject_id, ObjectId) else None
    now = datetime.now(UTC)
    return (event is not None and event["status"] == "published" and now > utc(event["end_at"])
            and await attended(db, event, person_id, now))


async def claim_certificate(tx: Action, event_id: ObjectId) -> certificates.Certificate:
    """The actor's certificate of attendance for the event (issued now, or the one issued before)."""
    member = require_member(tx.actor)
    return await certificates.issue(tx, member.user_id, KIND, event_id)


register_room(KIND, resolve_room)
room_polls.register(KIND)
register_certificate(KIND, Kind(facts=certificate_facts, may_receive=may_receive))
