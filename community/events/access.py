"""What a person may do with an event, in one read: the function the live room, certificates
and every page of this package ask (``access``), every decision taken by ``community.policy``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community import policy
from community.events import queries
from community.organisations import queries as organisations
from community.policy import Actor
from community.storage.api import Database
from community.timezones import as_utc as utc


def event_path(event_id: ObjectId | str) -> str:
    return f"/events/{event_id}"


async def actor_orgs(db: Database, actor: Actor) -> frozenset[ObjectId]:
    """The actor's organisation and every organisation above it: an event limited to an
    organisation admits the members of its children too."""
    if actor.org_id is None:
        return frozenset()
    org = await organisations.by_id(db, actor.org_id)
    return frozenset([actor.org_id, *(org.get("path", []) if org is not None else [])])


@dataclass(frozen=True, slots=True)
class EventAccess:
    can_see: bool
    is_host: bool
    """The host, a co-host, or staff (``policy.is_event_host``)."""
    rsvp: str
    """going, waitlisted, interested, not_going, or none."""
    start_at: datetime
    end_at: datetime
    cancelled: bool
    title: str
    url: str
    event: dict[str, Any]


def judge(actor: Actor, event: dict[str, Any], orgs: frozenset[ObjectId], rsvp: str) -> EventAccess:
    return EventAccess(can_see=policy.can_see_event(actor, event, orgs), is_host=policy.is_event_host(actor, event),
                       rsvp=rsvp, start_at=utc(event["start_at"]), end_at=utc(event["end_at"]),
                       cancelled=event["status"] == "cancelled", title=event["title"], url=event_path(event["_id"]),
                       event=event)


async def access(db: Database, actor: Actor, event_id: ObjectId) -> EventAccess | None:
    """How ``actor`` stands with the event; None when there is no such event. A caller shows
    nothing of it unless ``can_see``."""
    event = await queries.event(db, event_id)
    if event is None:
        return None
    answer = await queries.rsvp(db, event_id, actor.user_id) if actor.user_id is not None else None
    return judge(actor, event, await actor_orgs(db, actor), answer["status"] if answer else "none")
