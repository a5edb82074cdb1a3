"""The events' storage facts: events, answers (one per person and event) and calendar tokens.

An event names its hosts; erasing a host leaves the event (others came to it) with the host's id,
which then shows as a deleted member. A person's answers and calendar token are theirs alone:
exported to them and deleted when they are erased. An event another feature holds for a few
people (a mentoring session) that is still to come is cancelled when one of them is erased."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import IndexModel

from community.events import queries
from community.events.service import SEARCH_INDEX, cancel_held_of_erased
from community.events.queries import CALENDAR_TOKENS, EVENTS, FEEDBACK, RSVPS
from community.notifications import intents
from community import policy
from community.accounts import people
from community.organisations import queries as organisations
from community.i18n import N_
from community.storage.facts import Collection, Personal, SearchDocuments, StorageFacts
from search.documents import Changes, epoch, month, object_id, words_of_markdown



async def _org_and_children(db: Any, org_id: ObjectId | None) -> list[ObjectId]:
    if org_id is None:
        return []
    return [org_id, *await organisations.descendant_ids(db, org_id)]


async def load_event(db: Any, doc_id: str) -> Changes:
    """An event's search document: title, description, host, competencies, organisation and the
    start (``date``, and ``month`` as the facet); its audience as ``policy.event_search_audience``."""
    event_id = object_id(doc_id)
    event = await queries.event(db, event_id) if event_id is not None else None
    if event is None:
        return Changes(deletes=[doc_id])
    access, hidden = policy.event_search_audience(event, await _org_and_children(db, event.get("org_id")))
    host = await people.person_by_id(db, event["host_id"])
    host_name = host["name"] if host is not None else None
    return Changes(upserts=[{
        "id": doc_id, "kind": "event", "title": event["title"], "body": words_of_markdown(event["description"]),
        "host_name": host_name, "host_id": str(event["host_id"]), "status": event["status"],
        "org_id": str(event["organiser_org_id"]) if event.get("organiser_org_id") else None,
        "competencies": list(event["competencies"]), "month": month(event["start_at"]), "date": epoch(event["start_at"]),
        "access": access, "hidden": hidden}])


async def forget_answers(db: Any, user_id: ObjectId, session: Any) -> None:
    """Erasure: delete the person's answers, give up their seats and waitlist places, and give
    each freed seat to the first person waiting (who is told, as when a seat frees otherwise)."""
    for answer in await db[RSVPS].find({"user_id": user_id}, session=session).to_list(None):
        await db[RSVPS].delete_one({"_id": answer["_id"]}, session=session)
        status, event_id = answer["status"], answer["event_id"]
        if status in ("going", "waitlisted", "interested"):
            await db[EVENTS].update_one({"_id": event_id}, {"$inc": {status: -1}}, session=session)
        if status != "going":
            continue
        first = await queries.first_waitlisted(db, event_id, session=session)
        event = await queries.event(db, event_id, session=session)
        if first is None or event is None:
            continue
        await db[EVENTS].update_one({"_id": event_id}, {"$inc": {"going": 1, "waitlisted": -1}}, session=session)
        await db[RSVPS].update_one({"_id": first["_id"]}, {"$set": {"status": "going", "waitlisted_at": None}},
                                   session=session)
        await intents.record(db, session, kind="event_promoted", to=intents.person(first["user_id"]),
                             subject=("event", event_id), params={"event_id": str(event_id), "title": event["title"]},
                             actor_id=None, now=datetime.now(UTC))

STORAGE = StorageFacts(collections=(
    Collection(EVENTS, label=N_("Events you host or are invited to"), indexes=(
        IndexModel([("status", 1), ("start_at", 1)]),  # upcoming, this week, past, the month view
        IndexModel([("organiser_org_id", 1), ("start_at", 1)]),  # an organisation's events
        IndexModel([("competencies", 1), ("start_at", 1)]),  # events by competency
        IndexModel([("host_id", 1), ("start_at", -1)]),  # the events a person hosts
        IndexModel([("series.id", 1), ("start_at", 1)]),  # a series' occurrences
        IndexModel([("invited_ids", 1)]),  # export, erasure
    ), personal=(
        Personal("host_id", "keep", purpose=N_("Events you host, shown to the people who come to them.")),
        Personal("cohost_ids", "keep", purpose=N_("Events you co-host.")),
        Personal("invited_ids", "keep", purpose=N_("Invitation-only events you were invited to.")),
    )),
    Collection(RSVPS, label=N_("Answers to events"), indexes=(
        IndexModel([("event_id", 1), ("status", 1), ("waitlisted_at", 1)]),  # counts, the waitlist's order
        IndexModel([("user_id", 1), ("status", 1)]),  # "my events", the calendar feed
    ), personal=(
        # Deleted by ``forget_answers`` (below), which frees the seats too: a plain delete would leave them taken.
        Personal("user_id", "keep", purpose=N_("Your answers to events (going, waitlisted, interested, not going).")),
    )),
    Collection(FEEDBACK, label=N_("Feedback on events"), indexes=(
        IndexModel([("event_id", 1), ("at", -1)]),  # the hosts' summary, newest comments first
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Your feedback on events you attended (the hosts read it without your name).")),
    )),
    Collection(CALENDAR_TOKENS, label=N_("Calendar feed"), indexes=(
        IndexModel([("token_hash", 1)], unique=True),
    ), personal=(
        Personal("user_id", "delete", purpose=N_("The secret address of your calendar feed."),
                 secret_fields=("token_hash",)),
    )),
), search=(SearchDocuments(SEARCH_INDEX, load_event, sources=((EVENTS, {}),)),), erasure_hooks=(forget_answers, cancel_held_of_erased))
