"""Benchmark: the Network directory's first and tenth page at 100,000 profiles, on the embedded store.

    .venv/bin/python bench/network.py                  # 100,000 profiles
    .venv/bin/python bench/network.py --people 20000 --runs 50

A fresh embedded store (SQLite in a temporary folder) with every declared index gets the people,
their profiles and their directory rows (``community.profiles.directory.rows_for``) in bulk,
past the search outbox. Timed, in-process, as a signed-in member of another organisation sees it
(privacy applied per field): the first page filtered by one competency and a minimum level, and
the tenth page of the same filter (the cursor walked from the first). Reported: median and 95th
percentile milliseconds, with the load average. Target: p95 under 30 ms, page 10 as fast as page 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded import fresh_store, percentiles, timed  # noqa: E402  (bench/embedded.py, beside this file)
from community.policy import Actor, Role  # noqa: E402
from community.profiles.directory import DIRECTORY, Filters, rows_for, search  # noqa: E402
from community.profiles.verification import rule_from  # noqa: E402
from community.profiles.fields import LANGUAGES, STATES  # noqa: E402

CHUNK = 2000
PAGE = 20


async def seed(db: Any, count: int, competencies: list[str], rng: random.Random) -> list[dict[str, Any]]:
    orgs = [ObjectId() for _ in range(50)]
    await db.organisations.insert_many([{"_id": org, "name": f"Ministry {n}"} for n, org in enumerate(orgs)])
    now = datetime.now(UTC)
    users: list[dict[str, Any]] = []
    for start in range(0, count, CHUNK):
        batch_users, batch_profiles, batch_rows = [], [], []
        for n in range(start, min(count, start + CHUNK)):
            user = {"_id": ObjectId(), "name": f"Member {rng.randrange(10**6):06d}", "email": f"m{n}@example.gov.in",
                    "email_verified": True, "mobile": None, "org_id": orgs[n % len(orgs)], "designation": "Under Secretary",
                    "roles": ["officer", "expert"] if n % 10 == 0 else ["officer"], "suspended_until": None,
                    "password_hash": "x", "created_at": now, "deleted": False, "language": None}
            held = rng.sample(competencies, 3)
            profile = {"_id": user["_id"], "state": rng.choice(STATES), "languages": rng.sample(LANGUAGES, 2),
                       "competencies": [{"competency_id": cid, "level": rng.randint(1, 5)} for cid in held],
                       "privacy": {"competencies": rng.choice(["everyone", "everyone", "organisation", "me"])}}
            batch_users.append(user)
            batch_profiles.append(profile)
            batch_rows += rows_for({**user, "name": user["name"]}, profile, {})  # type: ignore[arg-type]
        await db.users.insert_many(batch_users)
        await db.profiles.insert_many(batch_profiles)
        await db[DIRECTORY].insert_many(batch_rows)
        users += batch_users
    return users


async def main(arguments: argparse.Namespace) -> None:
    async with fresh_store() as (settings, db):
        rule = rule_from(settings)
        competencies = [row["_id"] async for row in db.competencies.find({}, {"_id": 1}).limit(10)]
        started = time.perf_counter()
        await seed(db, arguments.people, competencies, random.Random(1))
        rows = await db[DIRECTORY].count_documents({})
        print(f"set-up: {arguments.people:,} profiles, {rows:,} directory rows in {time.perf_counter() - started:.1f} s")

        viewer = Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER}))
        wanted = Filters(competency=competencies[0], min_level=3)
        holders = await db[DIRECTORY].count_documents({"competency": competencies[0], "basis": "any"})
        print(f"filter: {competencies[0]} at level 3 or above ({holders:,} holders of it at any level)")

        async def first() -> None:
            cards, _next = await search(db, viewer, wanted, rule, limit=PAGE)
            assert len(cards) == PAGE

        cursor: str | None = None
        for _ in range(9):
            _cards, cursor = await search(db, viewer, wanted, rule, after=cursor, limit=PAGE)
            assert cursor is not None

        async def tenth() -> None:
            cards, _next = await search(db, viewer, wanted, rule, after=cursor, limit=PAGE)
            assert len(cards) == PAGE

        async def walk() -> None:
            after = None
            for _ in range(10):
                _cards, after = await search(db, viewer, wanted, rule, after=after, limit=PAGE)

        await first()
        print(f"page 1 ({PAGE} cards): {percentiles(await timed(arguments.runs, lambda _n: first()))}")
        print(f"page 10 ({PAGE} cards, from its cursor): {percentiles(await timed(arguments.runs, lambda _n: tenth()))}")
        print(f"pages 1-10 walked from the start: {percentiles(await timed(max(5, arguments.runs // 10), lambda _n: walk()))}")
        print("load average (1, 5, 15 min): " + ", ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
