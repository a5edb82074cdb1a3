"""Events on the embedded store, in one process: 1,000 people answering "going" at once for 100
seats (the time, and that exactly 100 went), and a person's calendar feed listing 500 events
(median and p95 over 30 builds), each printed with the load average.

    .venv/bin/python bench/events_rsvp.py
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bson import ObjectId  # noqa: E402

from bench.embedded import fresh_store, percentiles, timed  # noqa: E402
from community import actions, keys  # noqa: E402
from community.app import utc_now  # noqa: E402
from community.events import calendar, service  # noqa: E402
from community.events.queries import EVENTS, RSVPS, rsvp_key  # noqa: E402
from community.forums.limits import LIMITS, ForumLimits  # noqa: E402
from community.policy import Member  # noqa: E402

PEOPLE, SEATS, FEED_EVENTS = 1000, 100, 500


def _event(event_id: ObjectId, host: ObjectId, start: datetime, capacity: int) -> dict[str, object]:
    return {"_id": event_id, "title": f"Session {event_id}", "description": "A session.", "description_html": "<p>A session.</p>",
            "start_at": start, "end_at": start + timedelta(hours=1), "zone": "Asia/Kolkata", "capacity": capacity,
            "audience": "everyone", "invited_ids": [], "cohost_ids": [], "competencies": [], "language": "en",
            "place": {"kind": "link", "url": "https://meet.example.gov.in/x"}, "rsvp_closes_at": None,
            "host_id": host, "organiser_org_id": None, "org_id": None, "status": "published", "going": 0,
            "waitlisted": 0, "interested": 0, "created_at": start, "updated_at": start, "published_at": start,
            "cancelled_at": None}


async def main() -> None:
    async with fresh_store() as (settings, db):
        app = {keys.DB: db, keys.CLOCK: utc_now, keys.SETTINGS: settings, LIMITS: ForumLimits()}
        now = datetime.now(UTC)
        event_id = ObjectId()
        await db[EVENTS].insert_one(_event(event_id, ObjectId(), now + timedelta(days=2), SEATS))
        people = [Member(ObjectId()) for _ in range(PEOPLE)]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        await asyncio.gather(*(actions.run_once_more_after_a_conflict(app, person, service.rsvp, event_id, "going")
                               for person in people))
        took = time.perf_counter() - started
        going = await db[RSVPS].count_documents({"event_id": event_id, "status": "going"})
        waitlisted = await db[RSVPS].count_documents({"event_id": event_id, "status": "waitlisted"})
        print(f"{PEOPLE:,} concurrent RSVPs for {SEATS} seats: {took:.2f} s, {going} going, {waitlisted} waitlisted "
              f"(load average {load:.2f})")

        owner = ObjectId()
        rng = random.Random(16)
        ids = [ObjectId() for _ in range(FEED_EVENTS)]
        await db[EVENTS].insert_many([_event(i, ObjectId(), now + timedelta(hours=rng.randint(1, 4000)), 50) for i in ids])
        await db[RSVPS].insert_many([{"_id": rsvp_key(i, owner), "event_id": i, "user_id": owner, "status": "going",
                                      "answered_at": now, "waitlisted_at": None} for i in ids])
        async with actions.begin(app, Member(owner)) as tx:
            token = await calendar.new_token(tx)

        async def feed(_n: int) -> None:
            found = await calendar.feed_events(db, token)
            assert found is not None and len(found[1]) == FEED_EVENTS
            calendar.ics(found[1], settings.base_url, {}, name="My events")

        load = os.getloadavg()[0]
        samples = await timed(30, feed)
        print(f"calendar feed of {FEED_EVENTS} events: {percentiles(samples)} (load average {load:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
