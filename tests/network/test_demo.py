"""The demo step connects the demo people, leaves some requests waiting with their expiry, and
has everyone follow experts; once."""

from __future__ import annotations

import random
from typing import Any

from community.accounts.sessions import actor_for_user
from community.config import Settings
from community.jobs.schedule import JOBS
from community.network.connections import EXPIRY_JOB, expiry_key
from community.network.demo import fill_demo
from community.network.queries import CONNECTIONS, FOLLOWS, pair_key
from community.network.suggestions import people_you_may_know
from tests.factories import make_org, make_user


async def test_demo_fills_connections_requests_and_follows_once(db: Any, settings: Settings) -> None:
    org = await make_org(db)
    people = [await make_user(db, org=org) for _ in range(8)] + [await make_user(db, roles=("expert",)) for _ in range(3)]
    await fill_demo(db, settings, random.Random(1), len(people))
    rows = await db[CONNECTIONS].find({}).to_list(None)
    assert {row["status"] for row in rows} == {"accepted", "pending"}
    assert all(row["_id"] == pair_key(row["a"], row["b"]) and row["a"] != row["b"] for row in rows)
    waiting = [row["request_id"] for row in rows if row["status"] == "pending"]
    jobs = await db[JOBS].find({"kind": EXPIRY_JOB}).to_list(None)
    assert sorted(job["_id"] for job in jobs) == sorted(expiry_key(request_id) for request_id in waiting)
    experts = {person["_id"] for person in people if "expert" in person["roles"]}
    follows = await db[FOLLOWS].find({}).to_list(None)
    assert follows and all(row["followed_id"] in experts and row["follower_id"] != row["followed_id"] for row in follows)
    suggested = [await people_you_may_know(db, actor_for_user(person)) for person in people]
    assert any("shared connection" in reason for found in suggested for item in found for reason in item.reasons), \
        "the demo's connections make people you may know"
    await fill_demo(db, settings, random.Random(2), len(people))
    assert await db[CONNECTIONS].count_documents({}) == len(rows)
