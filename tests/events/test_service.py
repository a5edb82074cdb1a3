"""Creating, publishing, editing, cancelling and duplicating events: what is stored, who is told,
which reminders wait; and bad input refused with nothing written."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pydantic import ValidationError

from community import actions
from community.errors import Forbidden, Invalid
from community.events import service
from community.events.queries import EVENTS
from community.jobs.schedule import JOBS
from tests.events.conftest import as_actor, event_in, local
from tests.factories import act, make_user


async def _host(db: Any) -> dict[str, Any]:
    return await make_user(db, roles=("expert",), name="Meera Iyer")


async def test_an_expert_creates_a_draft_stored_in_utc_with_its_description_sanitised(bare_db: Any) -> None:
    host = await _host(bare_db)
    data = event_in(description="Hello <script>alert(1)</script> **world**", start="2028-01-10T10:00",
                    end="2028-01-10T11:30")
    event_id = await act(bare_db, as_actor(host), service.create, data)
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    assert event["status"] == "draft" and event["host_id"] == host["_id"]
    assert event["start_at"].replace(tzinfo=UTC).isoformat() == "2028-01-10T04:30:00+00:00"
    assert "<script>" not in event["description_html"] and "<strong>world</strong>" in event["description_html"]


async def test_officers_may_not_create_events(bare_db: Any) -> None:
    officer = await make_user(bare_db)
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(officer), service.create, event_in())
    assert await bare_db[EVENTS].count_documents({}) == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"end": local(timedelta(days=1))}, "end"),
    ({"start": local(-timedelta(hours=1)), "end": local(timedelta(hours=1))}, "start"),
    ({"zone": "Mars/Olympus"}, "zone"),
    ({"link": "javascript:alert(1)"}, "link"),
    ({"competencies": ["no-such-competency"]}, "competencies"),
    ({"cohosts": ["nobody@example.gov.in"]}, "cohosts"),
])
async def test_bad_input_is_refused_by_field_and_nothing_is_written(bare_db: Any, changes: dict[str, Any],
                                                                    field: str) -> None:
    host = await _host(bare_db)
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.create, event_in(**changes))
    assert field in refused.value.errors
    assert await bare_db[EVENTS].count_documents({}) == 0


@pytest.mark.parametrize("changes", [{"capacity": 0}, {"capacity": 1_000_000}, {"description": "x" * 20001},
                                     {"title": ""}])
def test_capacity_and_size_are_bounded_by_the_schema(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        event_in(**changes)


async def test_publishing_schedules_three_reminders_and_the_wrap_up_and_moving_moves_them(bare_db: Any) -> None:
    host = await _host(bare_db)
    actor = as_actor(host)
    event_id = await act(bare_db, actor, service.create, event_in())
    await act(bare_db, actor, service.publish, event_id)
    jobs = {job["_id"]: job["due_at"].replace(tzinfo=UTC) for job in await bare_db[JOBS].find({}).to_list(None)}
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    start, end = event["start_at"].replace(tzinfo=UTC), event["end_at"].replace(tzinfo=UTC)
    assert jobs == {service.reminder_key(event_id, "1d"): start - timedelta(days=1),
                    service.reminder_key(event_id, "1h"): start - timedelta(hours=1),
                    service.reminder_key(event_id, "15m"): start - timedelta(minutes=15),
                    service.wrap_up_key(event_id): end + service.WRAP_UP_AFTER}
    with actions.capture() as captured:
        changed = await act(bare_db, actor, service.update, event_id,
                            event_in(start=local(timedelta(days=3)), end=local(timedelta(days=3, hours=1))))
    assert changed
    moved = {job["_id"]: job["due_at"].replace(tzinfo=UTC) for job in await bare_db[JOBS].find({}).to_list(None)}
    new_start = (await bare_db[EVENTS].find_one({"_id": event_id}))["start_at"].replace(tzinfo=UTC)
    assert moved[service.reminder_key(event_id, "1h")] == new_start - timedelta(hours=1)
    assert moved[service.wrap_up_key(event_id)] == new_start + timedelta(hours=1) + service.WRAP_UP_AFTER
    assert [n["kind"] for n in captured.notifications] == ["event_changed"]
    assert captured.notifications[0]["to"]["set"] == "event_going"


async def test_an_edit_that_keeps_time_and_place_tells_nobody(bare_db: Any) -> None:
    host = await _host(bare_db)
    data = event_in()
    event_id = await act(bare_db, as_actor(host), service.create, data)
    await act(bare_db, as_actor(host), service.publish, event_id)
    with actions.capture() as captured:
        assert not await act(bare_db, as_actor(host), service.update, event_id, data.model_copy(update={"title": "New title"}))
    assert captured.notifications == []


async def test_cancelling_tells_everyone_who_answered_and_drops_the_reminders_and_the_wrap_up(bare_db: Any) -> None:
    host = await _host(bare_db)
    event_id = await act(bare_db, as_actor(host), service.create, event_in())
    await act(bare_db, as_actor(host), service.publish, event_id)
    with actions.capture() as captured:
        await act(bare_db, as_actor(host), service.cancel, event_id)
    assert await bare_db[JOBS].count_documents({}) == 0
    assert sorted(captured.cancelled) == sorted([service.wrap_up_key(event_id),
                                                 *(service.reminder_key(event_id, w) for w, _ in service.REMINDERS)])
    assert [(n["kind"], n["to"]["set"]) for n in captured.notifications] == [("event_cancelled", "event_answered")]
    officer = await make_user(bare_db)
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(officer), service.rsvp, event_id, "going")
    assert "cancelled" in refused.value.errors["status"]


async def test_only_hosts_change_an_event_and_co_hosts_may(bare_db: Any) -> None:
    host = await _host(bare_db)
    cohost = await make_user(bare_db, email="cohost@example.gov.in")
    stranger = await make_user(bare_db, roles=("expert",))
    event_id = await act(bare_db, as_actor(host), service.create, event_in(cohosts=["cohost@example.gov.in"]))
    await act(bare_db, as_actor(host), service.publish, event_id)
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(stranger), service.cancel, event_id)
    await act(bare_db, as_actor(cohost), service.update, event_id, event_in(title="Changed by the co-host"))
    assert (await bare_db[EVENTS].find_one({"_id": event_id}))["title"] == "Changed by the co-host"


async def test_duplicate_makes_a_draft_a_week_later_with_nobody_going(bare_db: Any) -> None:
    host = await _host(bare_db)
    event_id = await act(bare_db, as_actor(host), service.create, event_in(place="jitsi"))
    await act(bare_db, as_actor(host), service.publish, event_id)
    await act(bare_db, as_actor(await make_user(bare_db)), service.rsvp, event_id, "going")
    copy_id = await act(bare_db, as_actor(host), service.duplicate, event_id)
    original = await bare_db[EVENTS].find_one({"_id": event_id})
    copy = await bare_db[EVENTS].find_one({"_id": copy_id})
    assert isinstance(copy_id, ObjectId) and copy["status"] == "draft" and copy["going"] == 0
    assert copy["start_at"] - original["start_at"] == timedelta(weeks=1)
    assert copy["place"]["room"] != original["place"]["room"]
