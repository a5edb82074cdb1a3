"""Benchmark: the For-you computation for an officer with a 10-competency gap, on the embedded store.

    .venv/bin/python bench/foryou.py            # 100,000 profiles, 50,000 threads, 5,000 events, 10,000 vacancies
    .venv/bin/python bench/foryou.py --profiles 20000 --threads 10000 --events 1000 --vacancies 2000

A fresh embedded store gets the shipped dictionary and one position requiring ten of its
competencies at level 4; ``--profiles`` people (a tenth of them experts) with three to eight
competencies each, some verified, stored as accounts, profiles and Network directory rows (a
third of the experts offer mentoring in the competencies they hold, three places a month, some
taken, a few offers closed or full, so the experts part reads who is available for mentoring);
``--threads`` threads in ten public spaces, each tagged with one competency; ``--events``
upcoming published events open to everyone, each on two competencies; and ``--vacancies`` open
vacancies requiring three to six. The officer holds none of the position's competencies.

Timed, in-process, with every declared index in place: ``community.foryou.suggest.for_you``,
which is what the page, its home section and the API each render (threads, experts, events and
vacancies, each asked of its own feature). Reported: the median and 95th-percentile
milliseconds, with the load average, the CPU time the process spent on it (which a loaded
machine inflates less than the wall clock), and how many suggestions of each kind came back.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded import fresh_store, percentiles, timed  # noqa: E402  (bench/embedded.py, beside this file)
from community.competencies import queries as dictionary  # noqa: E402
from community.events.queries import EVENTS  # noqa: E402
from community.forums.queries import CATEGORIES, THREADS  # noqa: E402
from community.mentoring.queries import OFFERS, PLACES, month_of, place_key  # noqa: E402
from community.foryou.suggest import for_you  # noqa: E402
from community.policy import Member, Role  # noqa: E402
from community.profiles import directory, verification  # noqa: E402
from community.runtime import GC_THRESHOLDS  # noqa: E402
from community.profiles.queries import PROFILES  # noqa: E402
from community.vacancies.queries import VACANCIES, fill_ranking  # noqa: E402

BATCH = 5000
GAP = 10
POSITION = "pos.bench.ten-gaps"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


async def flush(db: Any, name: str, rows: list[dict[str, Any]], *, force: bool = False) -> None:
    if rows and (force or len(rows) >= BATCH):
        await db[name].insert_many(rows)
        rows.clear()


async def people(db: Any, count: int, competencies: list[str], org: ObjectId, rng: random.Random, now: datetime) -> None:
    users: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    offers: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    month = month_of(now)
    for n in range(count):
        expert = n % 10 == 0
        person = {"_id": ObjectId(), "name": f"Member {n:06d}", "email": f"m{n}@bench.example", "email_verified": True,
                  "org_id": org, "designation": "Under Secretary", "roles": ["expert", "officer"] if expert else ["officer"],
                  "deleted": False, "suspended_until": None, "created_at": now, "language": "en"}
        held = rng.sample(competencies, k=rng.randint(3, 8))
        profile = {"_id": person["_id"], "state": rng.choice(["Bihar", "Kerala", "Assam"]), "languages": ["Hindi"],
                   "competencies": [{"competency_id": cid, "level": rng.randint(3 if expert else 1, 5)} for cid in held]}
        verified = {cid: rng.randint(3, 5) for cid in held if rng.random() < 0.4}
        users.append(person)
        profiles.append(profile)
        rows.extend(directory.rows_for(person, profile, verified))  # type: ignore[arg-type]
        if expert and n % 30 == 0:
            offers.append({"_id": person["_id"], "competencies": held, "offer": "x", "slots": [], "monthly_cap": 3,
                           "open": n % 300 != 0, "updated_at": now - timedelta(minutes=n)})
            places.append({"_id": place_key(person["_id"], month), "mentor_id": person["_id"], "month": month,
                           "taken": rng.randint(0, 3)})
        await flush(db, "users", users)
        await flush(db, PROFILES, profiles)
        await flush(db, directory.DIRECTORY, rows)
        await flush(db, OFFERS, offers)
        await flush(db, PLACES, places)
    await flush(db, "users", users, force=True)
    await flush(db, PROFILES, profiles, force=True)
    await flush(db, directory.DIRECTORY, rows, force=True)
    await flush(db, OFFERS, offers, force=True)
    await flush(db, PLACES, places, force=True)


async def threads(db: Any, count: int, competencies: list[str], rng: random.Random, now: datetime) -> None:
    spaces: list[dict[str, Any]] = [{"_id": ObjectId(), "slug": f"space-{n}", "name": f"Space {n}", "org_id": None,
                                     "position": n, "parent_id": None, "moderator_ids": [], "competency_tags": []}
                                    for n in range(10)]
    await db[CATEGORIES].insert_many(spaces)
    rows: list[dict[str, Any]] = []
    for n in range(count):
        at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        rows.append({"_id": ObjectId(), "category_id": rng.choice(spaces)["_id"], "org_id": None, "title": f"Thread {n}",
                     "kind": "question", "tags": [], "competency_tags": [rng.choice(competencies)],
                     "author_id": ObjectId(), "last_poster_id": None, "created_at": at, "last_activity_at": at,
                     "reply_count": rng.randint(0, 9), "last_number": 1, "votes": rng.randint(0, 20),
                     "accepted_post_id": ObjectId() if rng.random() < 0.2 else None, "pinned": False,
                     "locked": False, "deleted": False, "hidden": False})
        await flush(db, THREADS, rows)
    await flush(db, THREADS, rows, force=True)


async def events(db: Any, count: int, competencies: list[str], host: ObjectId, rng: random.Random, now: datetime) -> None:
    rows: list[dict[str, Any]] = []
    for n in range(count):
        start = now + timedelta(hours=rng.randint(2, 24 * 120))
        rows.append({"_id": ObjectId(), "title": f"Event {n}", "status": "published", "audience": "everyone",
                     "org_id": None, "organiser_org_id": None, "invited_ids": [], "host_id": host, "cohost_ids": [],
                     "start_at": start, "end_at": start + timedelta(hours=1), "zone": "Asia/Kolkata",
                     "rsvp_closes_at": None, "capacity": 50, "going": rng.randint(0, 50), "waitlisted": 0,
                     "interested": 0, "competencies": rng.sample(competencies, k=2), "language": "en"})
        await flush(db, EVENTS, rows)
    await flush(db, EVENTS, rows, force=True)


async def vacancies(db: Any, count: int, competencies: list[str], org: ObjectId, rng: random.Random, now: datetime) -> None:
    rows: list[dict[str, Any]] = []
    for n in range(count):
        needed = rng.sample(competencies, k=rng.randint(3, 6))
        rows.append({"_id": ObjectId(), "org_id": org, "org_path": [], "title": f"Vacancy {n}", "position_id": None,
                     "state": "Bihar", "city": "Patna", "pay_level": rng.randint(6, 14), "mode": "deputation",
                     "eligibility": {"service": "", "grade": "", "years": 0}, "posts": 1,
                     "closes_at": now + timedelta(days=rng.randint(1, 60)), "description": "x",
                     "description_html": "<p>x</p>", "contact": "x",
                     "required": [{"competency": cid, "level": rng.randint(1, 5), "essential": i < 2}
                                  for i, cid in enumerate(needed)],
                     "required_ids": needed, "status": "open", "created_by": None, "created_at": now,
                     "updated_at": now, "published_at": now, "closed_at": None, "applications": 0})
        await flush(db, VACANCIES, rows)
    await flush(db, VACANCIES, rows, force=True)
    await fill_ranking(db)  # the rows the ranked lists read, which publishing writes beside each open vacancy


async def main(arguments: argparse.Namespace) -> None:
    rng = random.Random(19)
    now = datetime.now(UTC)
    async with fresh_store() as (settings, db):
        competencies = [row["_id"] for row in await dictionary.competencies(db)]
        wanted = rng.sample(competencies, k=GAP)
        pool = list(dict.fromkeys(wanted + rng.sample(competencies, k=min(len(competencies), 40))))
        await db[dictionary.POSITIONS].insert_one({"_id": POSITION, "title": "Ten-gap officer", "organisation": "Bench",
                                                   "roles": [{"name": "Work", "activities": [
                                                       {"name": "All of it", "competencies": [
                                                           {"competency": cid, "level": 4} for cid in wanted]}]}]})
        org, other = ObjectId(), ObjectId()
        await db.organisations.insert_many([{"_id": org, "name": "Ministry of Benchmarks", "path": []},
                                            {"_id": other, "name": "Department of Officers", "path": []}])
        await people(db, arguments.profiles, pool, org, rng, now)
        await threads(db, arguments.threads, pool, rng, now)
        await events(db, arguments.events, pool, ObjectId(), rng, now)
        await vacancies(db, arguments.vacancies, pool, org, rng, now)
        officer = ObjectId()
        await db.users.insert_one({"_id": officer, "name": "The Officer", "email": "officer@bench.example",
                                   "email_verified": True, "org_id": other, "designation": "Section Officer",
                                   "roles": ["officer"], "deleted": False, "suspended_until": None, "created_at": now})
        await db[PROFILES].insert_one({"_id": officer, "position_id": POSITION, "state": "Bihar", "languages": ["Hindi"]})
        gc.set_threshold(*GC_THRESHOLDS)  # the collector as a serving process has it (community.runtime)
        gc.collect()
        gc.freeze()
        print(f"set-up: {arguments.profiles} profiles ({await db[directory.DIRECTORY].count_documents({})} directory rows), "
              f"{arguments.threads} threads, {arguments.events} events, {arguments.vacancies} vacancies, "
              f"a {GAP}-competency gap; {load()}")
        actor = Member(user_id=officer, org_id=other, roles=frozenset({Role.OFFICER}))
        rule = verification.rule_from(settings)
        found = await for_you(db, actor, rule, now)
        print(f"suggestions: {len(found.short)} competencies short; "
              + ", ".join(f"{kind} {len(items)}" for kind, items in found.parts.items())
              + f" ({sum(bool(item.request_url) for item in found.parts.get('expert', []))} experts offering mentoring); "
              f"{await db[OFFERS].count_documents({})} mentoring offers")

        cpu: list[float] = []

        async def page(n: int) -> None:
            started = time.process_time()
            await for_you(db, actor, rule, now)
            cpu.append(time.process_time() - started)

        print(f"For-you computation: {percentiles(await timed(arguments.runs, page))}; target p95 100 ms; {load()}")
        print(f"its CPU time (this process, the store's reader threads included): {percentiles(cpu)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=100000)
    parser.add_argument("--threads", type=int, default=50000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--vacancies", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
