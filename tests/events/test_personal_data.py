"""A person's answers and calendar address are theirs: the export lists them (never the token),
erasure removes them and gives their seat to the first person waiting; and the demo fills events once."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from community.config import Settings
from community.events import calendar, live, service
from community.events.demo import fill_demo
from community.events.queries import CALENDAR_TOKENS, EVENTS, FEEDBACK, RSVPS
from community.karma import participation, service as karma
from community.jobs.schedule import JOBS
from community.polls import tallies
from community.polls.service import POLLS
from tests.events.conftest import as_actor, event_in
from tests.factories import act, bearer_token, make_org, make_user


async def test_export_lists_answers_and_erasure_frees_the_seat_for_the_waitlist(client: TestClient, db: Any) -> None:
    host = await make_user(db, roles=("expert",))
    event_id = await act(client.app, as_actor(host), service.create, event_in(capacity=1))
    await act(client.app, as_actor(host), service.publish, event_id)
    leaving, waiting = await make_user(db), await make_user(db)
    await act(client.app, as_actor(leaving), service.rsvp, event_id, "going")
    await act(client.app, as_actor(waiting), service.rsvp, event_id, "going")
    headers = {"Authorization": f"Bearer {await bearer_token(client, leaving)}"}
    await act(client.app, as_actor(leaving), calendar.new_token)
    exported = await (await client.get("/api/v1/me/data", headers=headers)).json()
    answers = exported["collections"][RSVPS]
    assert [doc["status"] for doc in answers["documents"]] == ["going"] and answers["purposes"]
    erased = await client.post("/api/v1/me/erase", json={"confirm": leaving["email"]}, headers=headers)
    assert erased.status == 200, await erased.text()
    assert await db[RSVPS].count_documents({"user_id": leaving["_id"]}) == 0
    assert (await db[RSVPS].find_one({"user_id": waiting["_id"]}))["status"] == "going"
    event = await db[EVENTS].find_one({"_id": event_id})
    assert (event["going"], event["waitlisted"]) == (1, 0)
    assert await db[CALENDAR_TOKENS].count_documents({}) == 0


async def test_demo_fills_past_and_upcoming_events_with_answers_and_reminders_once(db: Any, settings: Settings) -> None:
    org = await make_org(db)
    people = [await make_user(db, org=org) for _ in range(12)] + [await make_user(db, roles=("expert",)) for _ in range(2)]
    await fill_demo(db, settings, random.Random(1), len(people))
    events = await db[EVENTS].find({}).to_list(None)
    assert len(events) == 8
    for event in events:
        rows = await db[RSVPS].find({"event_id": event["_id"]}).to_list(None)
        assert event["going"] == sum(row["status"] == "going" for row in rows) <= event["capacity"]
        assert event["waitlisted"] == sum(row["status"] == "waitlisted" for row in rows)
    assert any(event["waitlisted"] for event in events)
    assert await db[JOBS].count_documents({"kind": service.REMINDER_JOB}) >= 5 * 2
    past = [event for event in events if event["end_at"].replace(tzinfo=UTC) < datetime.now(UTC)]
    polls = await db[POLLS].find({"subject_type": "event"}).to_list(None)
    assert sorted(poll["subject_id"] for poll in polls) == sorted(event["_id"] for event in past) and len(past) == 3
    for poll, event in ((poll, next(e for e in past if e["_id"] == poll["subject_id"])) for poll in polls):
        assert poll["closed"] and poll["question"]
        count = (await tallies.read(db, [poll["_id"]])).get(poll["_id"]) or tallies.Count()
        assert count.voters == event["going"] == sum(count.options.values())
    for event in past:
        assert event["recording_url"].startswith("https://") and event["summary_html"]
        there = await live.attendance_of(db, event, datetime.now(UTC))
        assert set(there) <= {row["user_id"] async for row in db[RSVPS].find({"event_id": event["_id"], "status": "going"})}
        given = await db[FEEDBACK].find({"event_id": event["_id"]}).to_list(None)
        assert {row["user_id"] for row in given} <= {person for person, row in there.items() if row.attended}
        assert await karma.total(db, event["host_id"]) >= participation.HOSTED_POINTS
    assert await db[JOBS].count_documents({"kind": service.WRAP_UP_JOB}) == 5, "the upcoming ones settle after their end"
    await fill_demo(db, settings, random.Random(2), len(people))
    assert await db[EVENTS].count_documents({}) == 8
    assert await db[POLLS].count_documents({}) == 3
