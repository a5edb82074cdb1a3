"""Reminders reach the people going once each, in their language, and not after a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from community import keys
from community.events import service
from community.events.queries import EVENTS
from community.jobs.runner import Runner
from community.jobs.schedule import JOBS
from community.notifications.notifier import Notifier
from community.notifications.queries import NOTIFICATIONS
from tests.events.conftest import as_actor, event_in
from tests.factories import act, bare_app, make_user


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_each_reminder_is_told_once_to_the_people_going(bare_db: Any) -> None:
    clock = Clock()
    app = {**bare_app(bare_db), keys.CLOCK: clock}
    host = await make_user(bare_db, roles=("expert",))
    going, interested = await make_user(bare_db), await make_user(bare_db)
    event_id = await act(app, as_actor(host), service.create, event_in())
    await act(app, as_actor(host), service.publish, event_id)
    await act(app, as_actor(going), service.rsvp, event_id, "going")
    await act(app, as_actor(interested), service.rsvp, event_id, "interested")
    start = (await bare_db[EVENTS].find_one({"_id": event_id}))["start_at"].replace(tzinfo=UTC)
    clock.now = start - timedelta(minutes=59)
    assert await Runner(app).drain() == 2  # the day's and the hour's reminders are due
    assert await Runner(app).drain() == 0, "a reminder runs once"
    assert await Notifier(bare_db, None, clock).drain() >= 1
    rows = await bare_db[NOTIFICATIONS].find({"kind": "event_reminder"}).to_list(None)
    assert {row["user_id"] for row in rows} == {going["_id"]}
    assert sorted(row["params"]["which"] for row in rows) in (["1d", "1h"], ["1h"])
    assert await bare_db[JOBS].count_documents({}) == 2  # the quarter-hour's reminder waits, and the wrap-up after the end


async def test_a_cancelled_events_reminders_never_run(bare_db: Any) -> None:
    clock = Clock()
    app = {**bare_app(bare_db), keys.CLOCK: clock}
    host = await make_user(bare_db, roles=("expert",))
    event_id = await act(app, as_actor(host), service.create, event_in())
    await act(app, as_actor(host), service.publish, event_id)
    await act(app, as_actor(await make_user(bare_db)), service.rsvp, event_id, "going")
    await act(app, as_actor(host), service.cancel, event_id)
    clock.now += timedelta(days=3)
    assert await Runner(app).drain() == 0
    assert await bare_db[NOTIFICATIONS].count_documents({"kind": "event_reminder"}) == 0
