"""The events' notifications: an invitation, being made a co-host, a changed time or place, a
cancellation, a seat given from the waitlist, and the reminders before the start; rendered in the
reader's language. Each links to the event page, and nobody is told about an event that has since become hidden to them."""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from community import policy
from community.accounts import people as accounts_people
from community.accounts.sessions import actor_for_user
from community.events import queries
from community.events.access import actor_orgs, event_path
from community.i18n import gettext as _, lazy_gettext
from community.notifications import kinds
from community.notifications.intents import recipient_set, subject_type
from community.storage.api import Database

REMINDER_TEXT = {
    "1d": lambda title: _("\u201c%(title)s\u201d starts tomorrow.", title=title),
    "1h": lambda title: _("\u201c%(title)s\u201d starts in an hour.", title=title),
    "15m": lambda title: _("\u201c%(title)s\u201d starts in 15 minutes.", title=title),
}

kinds.register("event_changed", label=lazy_gettext("Changes to the time or place of events you are going to"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("The time or place of \u201c%(title)s\u201d changed.", title=p["title"]))
kinds.register("event_cancelled", label=lazy_gettext("Events you answered cancelled"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("\u201c%(title)s\u201d was cancelled.", title=p["title"]))
kinds.register("event_promoted", label=lazy_gettext("A seat for you at an event you were waitlisted for"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("A seat freed up: you are going to \u201c%(title)s\u201d.", title=p["title"]))
kinds.register("event_recording", label=lazy_gettext("Recordings of events you were going to"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("The recording of \u201c%(title)s\u201d is ready to watch.", title=p["title"]))
kinds.register("event_invited", label=lazy_gettext("Invitations to invitation-only events"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("You are invited to \u201c%(title)s\u201d.", title=p["title"]))
kinds.register("event_cohost_added", label=lazy_gettext("Events you are made a co-host of"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: _("You are now a co-host of \u201c%(title)s\u201d.", title=p["title"]))
kinds.register("event_reminder", label=lazy_gettext("Reminders before events you are going to"),
               url=lambda p: event_path(p["event_id"]),
               text=lambda p, actor: REMINDER_TEXT[p["which"]](p["title"]))


@recipient_set("event_going")
async def _going(db: Database, *, event_id: ObjectId) -> list[ObjectId]:
    return await queries.people_of(db, event_id, ["going"])


@recipient_set("event_invited")
async def _invited(db: Database, *, event_id: ObjectId) -> list[ObjectId]:
    event = await queries.event(db, event_id)
    return list(event.get("invited_ids", [])) if event is not None else []


@recipient_set("event_answered")
async def _answered(db: Database, *, event_id: ObjectId) -> list[ObjectId]:
    return await queries.people_of(db, event_id, ["going", "waitlisted", "interested"])


@subject_type("event")
async def _who_may_see(db: Database, event_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    event = await queries.event(db, event_id)
    if event is None:
        return []
    members = await accounts_people.members_by_id(db, people)
    seen: list[ObjectId] = []
    for user_id in people:
        actor = actor_for_user(members.get(user_id))
        if actor.is_authenticated and policy.can_see_event(actor, event, await actor_orgs(db, actor)):
            seen.append(user_id)
    return seen
