"""The events' storage facts: events, answers (one per person and event) and calendar tokens.

An event names its hosts; erasing a host leaves the event (others came to it) with the host's id,
which then shows as a deleted member. A person's answers and calendar token are theirs alone:
exported to them and deleted when they are erased."""

from __future__ import annotations

from pymongo import IndexModel

from community.events.queries import CALENDAR_TOKENS, EVENTS, RSVPS
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(EVENTS, indexes=(
        IndexModel([("status", 1), ("start_at", 1)]),  # upcoming, this week, past, the month view
        IndexModel([("organiser_org_id", 1), ("start_at", 1)]),  # an organisation's events
        IndexModel([("competencies", 1), ("start_at", 1)]),  # events by competency
        IndexModel([("host_id", 1), ("start_at", -1)]),  # the events a person hosts
    ), personal=(
        Personal("host_id", "keep", purpose="Events you host, shown to the people who come to them."),
        Personal("cohost_ids", "keep", purpose="Events you co-host."),
        Personal("invited_ids", "keep", purpose="Invitation-only events you were invited to."),
    )),
    Collection(RSVPS, indexes=(
        IndexModel([("event_id", 1), ("status", 1), ("waitlisted_at", 1)]),  # counts, the waitlist's order
        IndexModel([("user_id", 1), ("status", 1)]),  # "my events", the calendar feed
    ), personal=(
        Personal("user_id", "delete", purpose="Your answers to events (going, waitlisted, interested, not going)."),
    )),
    Collection(CALENDAR_TOKENS, indexes=(
        IndexModel([("token_hash", 1)], unique=True),
    ), personal=(
        Personal("user_id", "delete", purpose="The secret address of your calendar feed.",
                 secret_fields=("token_hash",)),
    )),
))
