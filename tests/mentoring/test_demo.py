"""The demo step fills offers and mentorships in every state through the services, once; their
sessions are events, ahead for those under way and held for those completed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from community.config import Settings
from community.events import queries as event_queries
from community.karma import service as karma
from community.mentoring.demo import fill_demo
from community.mentoring.queries import MENTORSHIPS, OFFERS
from community.profiles.demo import fill_demo as fill_profiles
from community.timezones import as_utc
from tests.factories import make_user


async def test_demo_fills_offers_and_mentorships_in_every_state_once(db: Any, settings: Settings) -> None:
    people = [await make_user(db) for _ in range(12)] + [await make_user(db, roles=("expert",)) for _ in range(8)]
    await fill_profiles(db, settings, random.Random(1), len(people))
    await fill_demo(db, settings, random.Random(4), len(people))
    offers = await db[OFFERS].find({}).to_list(None)
    assert len(offers) == 8 and all(offer["open"] and offer["competencies"] for offer in offers)
    rows = await db[MENTORSHIPS].find({}).to_list(None)
    assert {row["status"] for row in rows} == {"requested", "declined", "accepted", "ended"}
    assert all(row["conversation_id"] for row in rows if row["status"] in ("accepted", "ended"))
    ended = [row for row in rows if row["status"] == "ended"]
    assert all(row["completed"] and set(row["feedback"]) == {"mentor", "mentee"} for row in ended)
    assert await karma.total(db, ended[0]["mentor_id"]) >= 25
    sessions = [(row, item["event_id"]) for row in rows for item in row["sessions"]]
    assert {row["status"] for row, _ in sessions} == {"accepted", "ended"}
    for row, event_id in sessions:
        event = await event_queries.event(db, event_id)
        assert event is not None and event["held_for"]["id"] == row["_id"] and event["status"] == "published"
        assert set(event["invited_ids"]) == {row["mentor_id"], row["mentee_id"]}
        assert (as_utc(event["end_at"]) <= datetime.now(UTC)) is (row["status"] == "ended"), "held, or still ahead"
    await fill_demo(db, settings, random.Random(5), len(people))
    assert await db[MENTORSHIPS].count_documents({}) == len(rows)


async def test_the_expert_and_officer_the_start_up_message_names_meet_in_a_waiting_request(
        db: Any, settings: Settings) -> None:
    from community.accounts.demo import sample_people

    people = [await make_user(db, roles=("officer",)) for _ in range(12)] + [
        await make_user(db, roles=("expert", "officer")) for _ in range(14)]
    await db.users.update_many({}, {"$set": {"demo": True}})
    await fill_profiles(db, settings, random.Random(1), len(people))
    await fill_demo(db, settings, random.Random(4), len(people))
    samples = await sample_people(db)
    assert await db[OFFERS].find_one({"_id": samples["an expert"], "open": True}) is not None
    assert await db[MENTORSHIPS].find_one({"mentor_id": samples["an expert"], "mentee_id": samples["an officer"],
                                           "status": "requested"}) is not None
