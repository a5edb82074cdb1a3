"""Repeating events: weekly, monthly and a set of dates become one event per occurrence; one
occurrence is changed or cancelled alone; a rule without an end is refused; the calendar file
says it with RRULE, RDATE, EXDATE and RECURRENCE-ID."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from community.errors import Invalid
from community.events import calendar, service
from community.events.queries import EVENTS
from tests.events.conftest import IST, as_actor, event_in, local
from tests.conftest import post_form
from tests.events.test_pages import FORM
from tests.factories import act, make_user, sign_in


async def _series(db: Any, **changes: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    host = await make_user(db, roles=("expert",))
    first = await act(db, as_actor(host), service.create, event_in(**changes))
    await act(db, as_actor(host), service.publish, first)
    rows = await db[EVENTS].find({"series.id": first}).sort("start_at", 1).to_list(None)
    return host, rows


async def test_weekly_makes_one_published_event_per_week_with_its_reminders(bare_db: Any) -> None:
    _host, rows = await _series(bare_db, repeat="weekly", repeat_count=4)
    assert [row["status"] for row in rows] == ["published"] * 4
    gaps = {rows[n + 1]["start_at"] - rows[n]["start_at"] for n in range(3)}
    assert gaps == {timedelta(weeks=1)}  # India keeps no daylight saving
    assert await bare_db["jobs"].count_documents({"kind": service.REMINDER_JOB}) == 12


async def test_monthly_until_a_date_and_a_set_of_dates(bare_db: Any) -> None:
    _host, monthly = await _series(bare_db, repeat="monthly", repeat_until=(date.today() + timedelta(days=95)).isoformat())
    assert 3 <= len(monthly) <= 4
    days = {row["start_at"].replace(tzinfo=UTC).astimezone(IST).day for row in monthly}
    assert len(days) == 1, "every occurrence on the same day of the month"
    _host, dated = await _series(bare_db, repeat="dates", dates=[local(timedelta(days=9)), local(timedelta(days=5))])
    assert len(dated) == 3 and dated[0]["series"]["freq"] is None


async def test_a_series_without_an_end_is_refused_and_nothing_written(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.create, event_in(repeat="weekly"))
    assert "repeat_until" in refused.value.errors
    assert await bare_db[EVENTS].count_documents({}) == 0


async def test_one_occurrence_moved_and_one_cancelled_alone_and_the_calendar_says_so(bare_db: Any) -> None:
    host, rows = await _series(bare_db, repeat="weekly", repeat_count=3)
    second, third = rows[1], rows[2]
    await act(bare_db, as_actor(host), service.cancel, third["_id"])
    moved = event_in(start=local(timedelta(days=10)), end=local(timedelta(days=10, hours=1)))
    await act(bare_db, as_actor(host), service.update, second["_id"], moved)
    after = await bare_db[EVENTS].find({"series.id": rows[0]["_id"]}).sort("series.position", 1).to_list(None)
    assert [row["status"] for row in after] == ["published", "published", "cancelled"]
    assert after[0]["start_at"] == rows[0]["start_at"]
    ics = Calendar.from_ical(calendar.series_ics(after, "https://community.example.gov.in", {}, name="Series"))
    master, override = ics.walk("VEVENT")
    assert master["rrule"]["FREQ"] == ["WEEKLY"] and master["rrule"]["COUNT"] == [3]
    assert [d.dt.astimezone(UTC) for d in master["exdate"].dts] == [third["start_at"].replace(tzinfo=UTC)]
    assert override["recurrence-id"].dt.astimezone(UTC) == second["start_at"].replace(tzinfo=UTC)
    assert override["uid"] == master["uid"]


async def test_an_edit_may_not_add_repeats(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    event_id = await act(bare_db, as_actor(host), service.create, event_in())
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.update, event_id, event_in(repeat="weekly", repeat_count=3))
    assert "repeat" in refused.value.errors


async def test_the_form_makes_a_weekly_series_and_refuses_one_without_end(client: Any, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    refused = await post_form(client, "/events/new", {**FORM, "repeat": "weekly"}, from_page="/events/new")
    assert refused.status == 422 and 'id="repeat_until-error"' in await refused.text()
    made = await post_form(client, "/events/new", {**FORM, "repeat": "weekly", "repeat_count": "3"},
                           from_page="/events/new", allow_redirects=False)
    assert made.status == 303 and await db[EVENTS].count_documents({}) == 3
