"""Events at a venue, and events another feature holds (a mentoring session): created published
with their people going, moved and cancelled by their holder alone, neither edited nor duplicated
from the events' pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community.errors import Invalid, NotFound
from community.events import calendar, service
from community.events.queries import EVENTS, RSVPS, rsvp_key
from community.jobs.schedule import JOBS
from tests.events.conftest import as_actor, event_in
from tests.factories import act, make_user

HOLDER = service.Holder("mentorship", ObjectId(), "/mentoring/x")


async def test_an_event_at_a_venue_says_where_and_needs_a_place(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.create, event_in(place="venue", link=""))
    assert refused.value.errors == {"venue": "Say where to meet."}
    event_id = await act(bare_db, as_actor(host), service.create, event_in(place="venue", venue="Room 4, Nirman Bhawan"))
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    assert event["place"] == {"kind": "venue", "address": "Room 4, Nirman Bhawan"}
    assert service.meeting_link(None, event, name="x", user_id=host["_id"], host=True) is None
    assert b"LOCATION:Room 4\\, Nirman Bhawan" in calendar.ics([event], "https://example.gov.in", {}, name="x")


async def test_a_held_event_is_published_with_its_people_going(bare_db: Any) -> None:
    host, guest = await make_user(bare_db, roles=("expert",)), await make_user(bare_db)
    event_id = await act(bare_db, as_actor(host), service.hold, event_in(audience="invitation", capacity=1),
                         HOLDER, [host["_id"], guest["_id"]])
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    assert event["status"] == "published" and event["going"] == 2 and event["capacity"] == 2
    assert event["held_for"] == {"type": "mentorship", "id": HOLDER.id, "url": "/mentoring/x"}
    assert set(event["invited_ids"]) == {host["_id"], guest["_id"]}
    for person in (host, guest):
        assert (await bare_db[RSVPS].find_one({"_id": rsvp_key(event_id, person["_id"])}))["status"] == "going"
    assert await bare_db[JOBS].count_documents({"payload.event_id": event_id}) == 4, "three reminders and the wrap-up"
    with pytest.raises(ValueError):
        await act(bare_db, as_actor(host), service.hold, event_in(), HOLDER, [guest["_id"]])

    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.update, event_id, event_in(audience="everyone"))
    assert refused.value.errors == {"status": "This event is changed from the page it was scheduled on."}
    with pytest.raises(Invalid):
        await act(bare_db, as_actor(host), service.duplicate, event_id)
    other = service.Holder("mentorship", ObjectId(), "/mentoring/y")
    start = datetime.now(UTC) + timedelta(days=5)
    with pytest.raises(NotFound):
        await act(bare_db, as_actor(guest), service.move_held, event_id, other, start, start + timedelta(hours=1))
    with pytest.raises(NotFound):
        await act(bare_db, as_actor(guest), service.cancel_held, event_id, other)
    await act(bare_db, as_actor(guest), service.move_held, event_id, HOLDER, start, start + timedelta(hours=1))
    assert (await bare_db[EVENTS].find_one({"_id": event_id}))["start_at"].replace(tzinfo=UTC) == start.replace(
        microsecond=start.microsecond // 1000 * 1000)
    await act(bare_db, as_actor(guest), service.cancel_held, event_id, HOLDER)
    assert (await bare_db[EVENTS].find_one({"_id": event_id}))["status"] == "cancelled"
    assert await bare_db[JOBS].count_documents({"payload.event_id": event_id}) == 0
