"""A mentoring session is an event of the events feature: invitation-only, hosted by the mentor
with the mentee invited and both going, so its page, reminders, calendar file and "my events"
are the events' own; it is seen by the two and nobody else, moved and cancelled by either of them
from the mentorship (its reminders with it), and one that took place completes the mentorship."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import actions, keys
from community.accounts.sessions import actor_for_user
from community.errors import Invalid, NotFound
from community.events import queries as event_queries, reads as event_reads
from community.events.access import access
from community.events.service import WRAP_UP_AFTER, reminder_key, wrap_up_key
from community.jobs.schedule import JOBS
from community.mentoring import queries, service
from community.mentoring.live import CHANGED
from community.mentoring.schemas import SessionIn, SessionMoveIn
from community.notifications.queries import NOTIFICATIONS
from community.notifications.routes import NOTIFIER
from community.timezones import IST
from tests.conftest import csrf_token
from tests.factories import act, make_user, sign_in
from tests.mentoring.helpers import accepted, mentor_with_offer

HOUR = timedelta(hours=1)


async def scheduled(app: web.Application, db: Any, *, days: int = 3) -> tuple[dict[str, Any], dict[str, Any], Any, Any, datetime]:
    """A mentorship under way with one session ``days`` ahead: mentor, mentee, its id, the event's id, the start."""
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db, name="Asha Menon")
    mentorship_id = await accepted(app, mentee, mentor)
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    event_id = await act(app, actor_for_user(mentor), service.schedule_session, mentorship_id,
                         SessionIn(start=start, end=start + HOUR, place="https://meet.example.gov.in/m"))
    return mentor, mentee, mentorship_id, event_id, start


async def due(db: Any, key: str) -> datetime | None:
    job = await db[JOBS].find_one({"_id": key})
    return job["due_at"].replace(tzinfo=UTC) if job else None


async def test_a_session_is_an_event_seen_by_the_two_and_nobody_else(client: TestClient, db: Any) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(client.app, db)
    stranger = await make_user(db)
    event = await event_queries.event(db, event_id)
    assert event is not None and event["status"] == "published" and event["audience"] == "invitation"
    assert event["host_id"] == mentor["_id"] and set(event["invited_ids"]) == {mentor["_id"], mentee["_id"]}
    assert event["going"] == 2 and event["place"] == {"kind": "link", "url": "https://meet.example.gov.in/m"}
    for person, sees in ((mentor, True), (mentee, True), (stranger, False)):
        seen = await access(db, actor_for_user(person), event_id)
        assert seen is not None and seen.can_see is sees
        mine = await event_reads.listing(db, actor_for_user(person), when="mine", now=datetime.now(UTC))
        assert (event_id in [row["_id"] for row in mine.events]) is sees, "my events"
    assert await due(db, reminder_key(event_id, "1d")) == start - timedelta(days=1), "the events' reminders"

    await sign_in(client, mentee)
    page = await (await client.get(f"/events/{event_id}")).text()
    assert "Mentoring: Public health programmes" in page and f'href="/mentoring/{mentorship_id}"' in page
    assert "You are going." in page
    calendar = await client.get(f"/events/{event_id}/calendar.ics")
    assert calendar.status == 200 and "SUMMARY:Mentoring: Public health programmes" in await calendar.text()
    assert f"/events/{event_id}" in await (await client.get("/events?when=mine")).text()
    shown = await (await client.get(f"/mentoring/{mentorship_id}")).text()
    assert f'href="/events/{event_id}"' in shown and f"/sessions/{event_id}/move" in shown

    client.session.cookie_jar.clear()
    await sign_in(client, mentor)
    page = await (await client.get(f"/events/{event_id}")).text()
    assert f"/events/{event_id}/edit" not in page and f"/events/{event_id}/duplicate" not in page, \
        "the host changes a session from its mentorship, not as an event"
    edit = await client.get(f"/events/{event_id}/edit", allow_redirects=False)
    assert edit.status == 303 and edit.headers["Location"] == f"/events/{event_id}", \
        "nor is its edit form shown, whose every save would be refused"

    client.session.cookie_jar.clear()
    await sign_in(client, stranger)
    assert (await client.get(f"/events/{event_id}")).status == 404
    assert (await client.get(f"/events/{event_id}/calendar.ics")).status == 404
    assert f"/events/{event_id}" not in await (await client.get("/events?when=mine")).text()


async def test_moving_a_session_moves_its_reminders_and_tells_the_other(app: web.Application, db: Any,
                                                                        captured_effects: actions.Effects) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(app, db)
    later = start + timedelta(days=2)
    await act(app, actor_for_user(mentee), service.move_session, mentorship_id, event_id,
              SessionMoveIn(start=later, end=later + 2 * HOUR))
    event = await event_queries.event(db, event_id)
    assert event is not None and event["start_at"].replace(tzinfo=UTC) == later
    assert await due(db, reminder_key(event_id, "1h")) == later - HOUR
    assert await due(db, reminder_key(event_id, "1d")) == later - timedelta(days=1)
    assert await due(db, wrap_up_key(event_id)) == later + 2 * HOUR + WRAP_UP_AFTER
    assert [n["kind"] for n in captured_effects.notifications][-1] == "event_changed"
    assert [(e.room, e.data["status"]) for e in captured_effects.events if e.event == CHANGED][-2:] == [
        (f"user:{mentor['_id']}", "accepted"), (f"user:{mentee['_id']}", "accepted")], "both open pages refresh"
    await app[NOTIFIER].drain()
    told = await db[NOTIFICATIONS].find({"kind": "event_changed"}).to_list(None)
    assert [row["user_id"] for row in told] == [mentor["_id"]], "the other of the two is told; the mover knows"

    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.move_session, mentorship_id, event_id,
                  SessionMoveIn(start=later, end=later - HOUR))
    assert refused.value.errors == {"end": "The end must be after the start."}
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.move_session, mentorship_id, event_id,
                  SessionMoveIn(start=start + timedelta(days=400), end=start + timedelta(days=400) + HOUR))
    assert refused.value.errors == {"start": "Choose a time within the coming year."}
    assert (await event_queries.event(db, event_id) or {})["start_at"].replace(tzinfo=UTC) == later, "nothing moved"


async def test_either_of_the_two_changes_the_place_with_the_time_and_the_other_is_told(
        app: web.Application, db: Any, captured_effects: actions.Effects) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(app, db)
    await act(app, actor_for_user(mentee), service.move_session, mentorship_id, event_id,
              SessionMoveIn(start=start, end=start + HOUR, place="Room 204, Karmayogi Bhawan"))
    event = await event_queries.event(db, event_id)
    assert event is not None and event["place"] == {"kind": "venue", "address": "Room 204, Karmayogi Bhawan"}
    assert event["start_at"].replace(tzinfo=UTC) == start, "the same time, a new place"
    await app[NOTIFIER].drain()
    told = await db[NOTIFICATIONS].find({"kind": "event_changed"}).to_list(None)
    assert [row["user_id"] for row in told] == [mentor["_id"]], "the other of the two is told, as for a new time"
    later = start + timedelta(days=1)
    await act(app, actor_for_user(mentor), service.move_session, mentorship_id, event_id,
              SessionMoveIn(start=later, end=later + HOUR, place="https://meet.example.gov.in/m2"))
    event = await event_queries.event(db, event_id)
    assert event is not None and event["place"] == {"kind": "link", "url": "https://meet.example.gov.in/m2"}
    assert [n["kind"] for n in captured_effects.notifications][-1] == "event_changed"
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.move_session, mentorship_id, event_id,
                  SessionMoveIn(start=later, end=later - HOUR, place="Room 5"))
    assert refused.value.errors == {"end": "The end must be after the start."}
    assert (await event_queries.event(db, event_id) or {})["place"]["url"] == "https://meet.example.gov.in/m2", \
        "a refused move changes no place"


async def test_cancelling_a_session_cancels_its_event_and_reminders(app: web.Application, db: Any) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(app, db)
    await act(app, actor_for_user(mentor), service.cancel_session, mentorship_id, event_id)
    event = await event_queries.event(db, event_id)
    assert event is not None and event["status"] == "cancelled"
    assert await db[JOBS].count_documents({"payload.event_id": event_id}) == 0, "no reminder, no wrap-up"
    await app[NOTIFIER].drain()
    told = await db[NOTIFICATIONS].find({"kind": "event_cancelled"}).to_list(None)
    assert [row["user_id"] for row in told] == [mentee["_id"]]
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentee), service.move_session, mentorship_id, event_id,
                  SessionMoveIn(start=start, end=start + HOUR))
    assert refused.value.errors == {"start": "This session was cancelled."}
    assert await act(app, actor_for_user(mentee), service.end, mentorship_id) is False, "a cancelled session never took place"


async def test_only_the_two_move_or_cancel_and_only_their_own_sessions(app: web.Application, db: Any) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(app, db)
    other_mentor, other_mentee, other_id, other_event, _ = await scheduled(app, db)
    stranger = await make_user(db)
    moved = SessionMoveIn(start=start + HOUR, end=start + 2 * HOUR)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(stranger), service.move_session, mentorship_id, event_id, moved)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(stranger), service.cancel_session, mentorship_id, event_id)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(other_mentor), service.cancel_session, other_id, event_id)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(mentee), service.move_session, mentorship_id, other_event, moved)
    event = await event_queries.event(db, event_id)
    assert event is not None and event["status"] == "published" and event["start_at"].replace(tzinfo=UTC) == start


async def test_a_session_that_took_place_completes_and_the_end_cancels_those_ahead(app: web.Application, db: Any) -> None:
    mentor, mentee, mentorship_id, ahead, start = await scheduled(app, db)
    held = datetime.now(UTC) - timedelta(days=2)
    back_then = {**app, keys.CLOCK: lambda: held - timedelta(days=1)}
    past = await act(back_then, actor_for_user(mentor), service.schedule_session, mentorship_id,
                     SessionIn(start=held, end=held + HOUR, place="Room 4, Nirman Bhawan"))
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentee), service.cancel_session, mentorship_id, past)
    assert refused.value.errors == {"start": "This session has begun; it can no longer be moved or cancelled."}
    assert await act(app, actor_for_user(mentee), service.end, mentorship_id) is True
    assert (await event_queries.event(db, ahead) or {})["status"] == "cancelled"
    assert (await event_queries.event(db, past) or {})["status"] == "published"
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["completed"] and len(stored["sessions"]) == 2


async def test_the_mentorship_page_moves_and_cancels_a_session_with_its_forms(client: TestClient, db: Any) -> None:
    mentor, mentee, mentorship_id, event_id, start = await scheduled(client.app, db)
    page_url = f"/mentoring/{mentorship_id}"
    move_url = f"{page_url}/sessions/{event_id}/move"
    await sign_in(client, mentee)
    page = await (await client.get(page_url)).text()
    shown = start.astimezone(IST)
    assert f"{shown.hour:02d}:{shown.minute:02d} IST" in page, "times in Indian Standard Time"
    assert f'value="{shown.strftime("%Y-%m-%dT%H:%M")}"' in page, "the move form starts from the session's time"
    forged = await client.post(move_url, data={"start": "2030-01-01T10:00", "end": "2030-01-01T11:00"})
    assert forged.status == 403, "CSRF"
    token = await csrf_token(client, page_url)
    day = (start + timedelta(days=1)).astimezone(IST).strftime("%Y-%m-%d")
    backwards = await client.post(move_url, data={"csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T09:00"})
    text = await backwards.text()
    assert backwards.status == 422 and f'id="move-{event_id}-end-error"' in text
    assert "The end must be after the start." in text and f'value="{day}T09:00"' in text
    moved = await client.post(move_url, allow_redirects=False,
                              data={"csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T11:30"})
    assert moved.status == 303
    event = await event_queries.event(db, event_id)
    assert event is not None and event["start_at"].replace(tzinfo=UTC).astimezone(IST).strftime("%Y-%m-%dT%H:%M") == \
        f"{day}T10:00", "a form's time is Indian Standard Time"
    assert 'value="https://meet.example.gov.in/m"' in page, "the form starts from the session's place"
    blank = await client.post(move_url, data={"csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T11:30",
                                              "place": " "})
    text = await blank.text()
    assert blank.status == 422 and f'id="move-{event_id}-place-error"' in text
    assert (await event_queries.event(db, event_id) or {})["place"]["url"] == "https://meet.example.gov.in/m"
    placed = await client.post(move_url, data={"csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T11:30",
                                               "place": "Conference room, Shastri Bhawan"})
    assert placed.status == 200 and "The session is moved; you are both told." in await placed.text()
    assert "Conference room, Shastri Bhawan" in await placed.text()
    event_page = await (await client.get(f"/events/{event_id}")).text()
    assert '<p id="event-venue">Conference room, Shastri Bhawan</p>' in event_page, "the event page shows the new place"
    cancelled = await client.post(f"{page_url}/sessions/{event_id}/cancel", allow_redirects=False,
                                  data={"csrf_token": token})
    assert cancelled.status == 303
    page = await (await client.get(page_url)).text()
    assert "cancelled" in page and move_url not in page
    assert (await event_queries.event(db, event_id) or {})["status"] == "cancelled"
