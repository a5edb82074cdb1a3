"""Answers: seats, the waitlist and its promotion, the audience, closing times, and a burst of
a thousand answers for a hundred seats on the real store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community import actions
from community.errors import Forbidden, Invalid, NotFound
from community.events import service
from community.events.access import access
from community.events.queries import EVENTS, RSVPS
from community.policy import Member
from tests.events.conftest import as_actor, event_in, local
from tests.factories import act, bare_app, make_org, make_user


async def _published(db: Any, **changes: Any) -> tuple[dict[str, Any], ObjectId]:
    host = await make_user(db, roles=("expert",), org=changes.pop("org", None))
    event_id = await act(db, as_actor(host), service.create, event_in(**changes))
    await act(db, as_actor(host), service.publish, event_id)
    return host, event_id


async def _counts(db: Any, event_id: ObjectId) -> tuple[int, int, int]:
    event = await db[EVENTS].find_one({"_id": event_id})
    return event["going"], event["waitlisted"], event["interested"]


async def test_past_capacity_people_are_waitlisted_and_a_freed_seat_goes_to_the_first(bare_db: Any) -> None:
    _host, event_id = await _published(bare_db, capacity=2)
    people = [await make_user(bare_db) for _ in range(4)]
    answers = [await act(bare_db, as_actor(person), service.rsvp, event_id, "going") for person in people]
    assert answers == ["going", "going", "waitlisted", "waitlisted"]
    assert await _counts(bare_db, event_id) == (2, 2, 0)
    with actions.capture() as captured:
        assert await act(bare_db, as_actor(people[0]), service.rsvp, event_id, "not_going") == "not_going"
    assert (await access(bare_db, as_actor(people[2]), event_id)).rsvp == "going"  # type: ignore[union-attr]
    assert (await access(bare_db, as_actor(people[3]), event_id)).rsvp == "waitlisted"  # type: ignore[union-attr]
    assert await _counts(bare_db, event_id) == (2, 1, 0)
    assert [(n["kind"], n["to"]["args"]["user_id"]) for n in captured.notifications] == [("event_promoted", people[2]["_id"])]
    pushed = {(e.event, e.room): e.data for e in captured.events}
    assert pushed[("events:counts", f"event:{event_id}")]["going"] == 2
    assert pushed[("events:rsvp", f"user:{people[2]['_id']}")] == {"event_id": str(event_id), "status": "going"}


async def test_answering_the_same_twice_changes_nothing_and_interest_is_counted(bare_db: Any) -> None:
    _host, event_id = await _published(bare_db)
    person = await make_user(bare_db)
    for _ in range(2):
        await act(bare_db, as_actor(person), service.rsvp, event_id, "interested")
    assert await _counts(bare_db, event_id) == (0, 0, 1)
    await act(bare_db, as_actor(person), service.rsvp, event_id, "going")
    assert await _counts(bare_db, event_id) == (1, 0, 0)
    assert await bare_db[RSVPS].count_documents({"event_id": event_id}) == 1


async def test_raising_capacity_promotes_the_waitlist(bare_db: Any) -> None:
    host, event_id = await _published(bare_db, capacity=1)
    for _ in range(3):
        await act(bare_db, as_actor(await make_user(bare_db)), service.rsvp, event_id, "going")
    data = event_in(capacity=3)
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    data = data.model_copy(update={"start": event["start_at"], "end": event["end_at"]})
    await act(bare_db, as_actor(host), service.update, event_id, data)
    assert await _counts(bare_db, event_id) == (3, 0, 0)
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.update, event_id, data.model_copy(update={"capacity": 2}))
    assert "capacity" in refused.value.errors


async def test_an_organisation_event_admits_its_children_and_refuses_others(bare_db: Any) -> None:
    ministry = await make_org(bare_db)
    department = await make_org(bare_db, parent=ministry)
    _host, event_id = await _published(bare_db, org=ministry, audience="organisation")
    child_member = await make_user(bare_db, org=department)
    outsider = await make_user(bare_db)
    assert await act(bare_db, as_actor(child_member), service.rsvp, event_id, "going") == "going"
    with pytest.raises(NotFound):
        await act(bare_db, as_actor(outsider), service.rsvp, event_id, "going")
    seen = await access(bare_db, as_actor(outsider), event_id)
    assert seen is not None and not seen.can_see


async def test_an_invitation_only_event_refuses_the_uninvited_and_writes_nothing(bare_db: Any) -> None:
    guest = await make_user(bare_db, email="guest@example.gov.in")
    _host, event_id = await _published(bare_db, audience="invitation", invite=["guest@example.gov.in"])
    stranger = await make_user(bare_db)
    with pytest.raises(NotFound):
        await act(bare_db, as_actor(stranger), service.rsvp, event_id, "going")
    assert await bare_db[RSVPS].count_documents({}) == 0
    assert await act(bare_db, as_actor(guest), service.rsvp, event_id, "going") == "going"


async def test_answers_close_at_the_set_time(bare_db: Any) -> None:
    _host, event_id = await _published(bare_db, rsvp_closes=local(timedelta(hours=1)))
    await bare_db[EVENTS].update_one({"_id": event_id}, {"$set": {"rsvp_closes_at": (
        await bare_db[EVENTS].find_one({"_id": event_id}))["created_at"]}})
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(await make_user(bare_db)), service.rsvp, event_id, "going")
    assert "closed" in refused.value.errors["status"]


async def test_a_draft_is_unseen_and_suspended_members_cannot_answer(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    draft_id = await act(bare_db, as_actor(host), service.create, event_in())
    with pytest.raises(NotFound):
        await act(bare_db, as_actor(await make_user(bare_db)), service.rsvp, draft_id, "going")
    _host, event_id = await _published(bare_db)
    suspended = await make_user(bare_db, suspended_until=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(suspended), service.rsvp, event_id, "going")


async def test_a_thousand_answers_at_once_for_a_hundred_seats(bare_db: Any) -> None:
    _host, event_id = await _published(bare_db, capacity=100)
    app = bare_app(bare_db)
    people = [Member(ObjectId()) for _ in range(1000)]
    results = await asyncio.gather(*(actions.run_once_more_after_a_conflict(app, person, service.rsvp, event_id, "going")
                                     for person in people))
    assert results.count("going") == 100 and results.count("waitlisted") == 900
    assert await bare_db[RSVPS].count_documents({"event_id": event_id, "status": "going"}) == 100
    assert await bare_db[RSVPS].count_documents({"event_id": event_id, "status": "waitlisted"}) == 900
    assert await bare_db[RSVPS].count_documents({"event_id": event_id}) == 1000
    assert len(await bare_db[RSVPS].distinct("user_id", {"event_id": event_id})) == 1000
    assert await _counts(bare_db, event_id) == (100, 900, 0)
