"""The demo step gives every demo person a competency profile, once."""

from __future__ import annotations

import random
from typing import Any

from community.config import Settings
from community.profiles.demo import fill_demo
from tests.factories import make_user


async def test_demo_people_get_profiles_once(db: Any, settings: Settings) -> None:
    people = [await make_user(db) for _ in range(6)] + [await make_user(db, roles=("expert",)) for _ in range(3)]
    await fill_demo(db, settings, random.Random(1), len(people))
    profiles = await db.profiles.find({}).to_list(None)
    assert len(profiles) == len(people)
    known = {row["_id"] for row in await db.competencies.find({}, {"_id": 1}).to_list(None)}
    for profile in profiles:
        assert profile["competencies"] and {item["competency_id"] for item in profile["competencies"]} <= known
        assert all(1 <= item["level"] <= 5 for item in profile["competencies"])
    experts = {person["_id"] for person in people if "expert" in person["roles"]}
    assert all(profile["expertise"] for profile in profiles if profile["_id"] in experts)
    assert await db.endorsements.count_documents({"endorser_id": {"$nin": list(experts)}}) == 0
    before = await db.profiles.find({}).sort("_id", 1).to_list(None)
    await fill_demo(db, settings, random.Random(2), len(people))
    assert await db.profiles.find({}).sort("_id", 1).to_list(None) == before


async def test_demo_endorsements_follow_the_rule(db: Any, settings: Settings) -> None:
    people = [await make_user(db) for _ in range(10)] + [await make_user(db, roles=("expert",)) for _ in range(6)]
    await fill_demo(db, settings, random.Random(3), len(people))
    listed = {(row["_id"], item["competency_id"]): item["level"]
              for row in await db.profiles.find({}).to_list(None) for item in row["competencies"]}
    endorsements = await db.endorsements.find({}).to_list(None)
    assert endorsements, "the demo shows endorsements"
    for row in endorsements:
        assert row["level"] <= listed[(row["endorser_id"], row["competency_id"])], "nobody endorses above their own level"
