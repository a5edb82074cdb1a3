"""Benchmark: vacancies ranked for an officer, and a department's applicants ranked by match,
on the embedded store.

    .venv/bin/python bench/vacancies.py                                   # 10,000 vacancies, 100,000 profiles
    .venv/bin/python bench/vacancies.py --vacancies 2000 --profiles 20000 --applicants 2000

A fresh embedded store gets the shipped dictionary; ``--profiles`` people with three to eight
competencies each (some verified) as Network directory rows, which is what matching reads;
``--vacancies`` open vacancies with three to six required competencies from the dictionary; and
one vacancy with ``--applicants`` applications from those people. Timed, in-process, with every
declared index in place and the garbage collector as a serving process tunes it
(``community.runtime``: what set-up built is frozen out of later collections):

1. one officer's ranked list of open vacancies (the first page of 20, every open vacancy scored);
2. the department's first page (50) of the vacancy's applicants ranked by match (each
   application's stored score, ``community.vacancies.scoring``), then whether one applicant whose
   levels rose comes first once their directory rows are rebuilt.

3. matching one newly published vacancy against ``--saved`` saved searches (filters, words and a
   minimum match, for a fifth of them), which the ``vacancy.alerts`` job does once per vacancy.
Reported: the median and 95th-percentile milliseconds of each (and of the process's CPU time for
the ranked list and the saved searches, which a shared machine's load inflates less), with the
load average.
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
from community.policy import Actor, Role  # noqa: E402
from community.profiles import directory  # noqa: E402
from community.runtime import GC_THRESHOLDS  # noqa: E402
from community.vacancies import alerts, reads, scoring  # noqa: E402
from community.vacancies.queries import ALERT_ROWS, SAVED_SEARCHES, alert_row  # noqa: E402
from community.vacancies.queries import APPLICATIONS, RANKING, VACANCIES, application_key, ranking_row  # noqa: E402

BATCH = 5000


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


async def profiles(db: Any, count: int, competencies: list[str], org: ObjectId, rng: random.Random) -> list[ObjectId]:
    ids, rows = [], []
    for n in range(count):
        person = {"_id": ObjectId(), "name": f"Officer {n:06d}", "org_id": org}
        held = rng.sample(competencies, k=rng.randint(3, 8))
        profile = {"competencies": [{"competency_id": cid, "level": rng.randint(1, 5)} for cid in held]}
        verified = {cid: rng.randint(1, 5) for cid in held if rng.random() < 0.4}
        rows.extend(directory.rows_for(person, profile, verified))  # type: ignore[arg-type]
        ids.append(person["_id"])
        if len(rows) >= BATCH:
            await db[directory.DIRECTORY].insert_many(rows)
            rows = []
    if rows:
        await db[directory.DIRECTORY].insert_many(rows)
    return ids


def vacancy(org: ObjectId, competencies: list[str], rng: random.Random, now: datetime) -> dict[str, Any]:
    needed = rng.sample(competencies, k=rng.randint(3, 6))
    return {"_id": ObjectId(), "org_id": org, "org_path": [], "title": "Vacancy", "position_id": None, "state": "Bihar",
            "city": "Patna", "pay_level": rng.randint(6, 14), "mode": "deputation",
            "eligibility": {"service": "", "grade": "", "years": 0}, "posts": 1,
            "closes_at": now + timedelta(days=rng.randint(1, 60)), "description": "x", "description_html": "<p>x</p>",
            "contact": "x", "required": [{"competency": cid, "level": rng.randint(1, 5), "essential": i < 2}
                                         for i, cid in enumerate(needed)],
            "required_ids": needed, "status": "open", "created_by": None, "created_at": now, "updated_at": now,
            "published_at": now, "closed_at": None, "applications": 0}


async def main(arguments: argparse.Namespace) -> None:
    rng = random.Random(17)
    now = datetime.now(UTC)
    async with fresh_store() as (_settings, db):
        competencies = [row["_id"] for row in await dictionary.competencies(db)]
        org = ObjectId()
        await db.organisations.insert_one({"_id": org, "name": "Ministry of Benchmarks", "path": []})
        people = await profiles(db, arguments.profiles, competencies, org, rng)
        for start in range(0, arguments.vacancies, BATCH):
            batch = [vacancy(org, competencies, rng, now) for _ in range(min(BATCH, arguments.vacancies - start))]
            await db[VACANCIES].insert_many(batch)
            await db[RANKING].insert_many([ranking_row(row) for row in batch])  # what publishing writes beside each
        target = vacancy(org, competencies, rng, now)
        await db[VACANCIES].insert_one(target)
        await db[RANKING].insert_one(ranking_row(target))
        applicants = rng.sample(people, k=min(arguments.applicants, len(people)))
        for start in range(0, len(applicants), BATCH):
            await db[APPLICATIONS].insert_many([{
                "_id": application_key(target["_id"], person), "vacancy_id": target["_id"], "org_id": org,
                "user_id": person, "statement": "Keen.", "shared": {}, "consent": {"fields": [], "purpose": "", "at": now},
                "status": "submitted", "standing": True, "history": [], "applied_at": now, "updated_at": now}
                for person in applicants[start:start + BATCH]])
        await scoring.rescore_vacancy(db, target)
        gc.set_threshold(*GC_THRESHOLDS)  # the collector as a serving process has it (community.runtime)
        gc.collect()
        gc.freeze()
        print(f"set-up: {arguments.profiles} profiles ({await db[directory.DIRECTORY].count_documents({})} directory rows), "
              f"{arguments.vacancies + 1} open vacancies, {len(applicants)} applicants on one; {load()}")

        ranked_cpu: list[float] = []

        async def ranked(n: int) -> None:
            officer = Actor(user_id=people[n % len(people)], org_id=ObjectId(), roles=frozenset({Role.OFFICER}))
            started = time.process_time()
            await reads.ranked_for(db, officer, limit=20)
            ranked_cpu.append(time.process_time() - started)

        print(f"officer's ranked list ({arguments.vacancies + 1} open vacancies): "
              f"{percentiles(await timed(arguments.runs, ranked))}, CPU {percentiles(ranked_cpu)}; target p95 100 ms; {load()}")
        admin = Actor(user_id=ObjectId(), org_id=org, roles=frozenset({Role.OFFICER, Role.MDO_ADMIN}))

        async def first_page(n: int) -> None:
            await reads.applicants(db, admin, target["_id"], limit=50)

        print(f"department's first page of {len(applicants)} applicants by match: "
              f"{percentiles(await timed(arguments.runs, first_page))}; target p95 50 ms; {load()}")
        changed = applicants[-1]
        person = {"_id": changed, "name": "Officer changed", "org_id": org}
        best = {item["competency"]: 5 for item in target["required"]}
        await db[directory.DIRECTORY].delete_many({"person_id": changed})
        await db[directory.DIRECTORY].insert_many(directory.rows_for(  # type: ignore[arg-type]
            person, {"competencies": [{"competency_id": cid, "level": 5} for cid in best]}, best))
        await scoring.rescore_person(db, changed)  # what the directory's rebuild calls
        page = await reads.applicants(db, admin, target["_id"], limit=50)
        print(f"after one applicant's levels rose to every required level: first on the page is the changed one: "
              f"{page['items'][0]['id'] == application_key(target['_id'], changed)} "
              f"(score {page['items'][0]['match']['score']})")
        states = ["Bihar", "Kerala", "Assam", "Punjab"]
        for start in range(0, arguments.saved, BATCH):
            searches = [{
                "_id": ObjectId(), "user_id": rng.choice(people), "created_at": now,
                "mode": "deputation" if rng.random() < 0.3 else None,
                "state": rng.choice(states) if rng.random() < 0.3 else None,
                "pay_level": rng.randint(6, 14) if rng.random() < 0.1 else None,
                "words": rng.choice(["", "", "", "vacancy", "railway"]), "min_match": 50 if rng.random() < 0.2 else 0}
                for _ in range(min(BATCH, arguments.saved - start))]
            await db[SAVED_SEARCHES].insert_many(searches)
            await db[ALERT_ROWS].insert_many([alert_row(search) for search in searches])  # what saving writes beside each
        fitting: list[ObjectId] = []
        cpu: list[float] = []

        async def saved(n: int) -> None:
            started = time.process_time()
            fitting[:] = await alerts.people_to_alert(db, target)
            cpu.append(time.process_time() - started)

        samples = await timed(max(3, arguments.runs // 4), saved)
        print(f"one new vacancy against {arguments.saved} saved searches ({len(fitting)} people to alert): "
              f"{percentiles(samples)}, CPU {percentiles(cpu)}; target under 1 s; {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vacancies", type=int, default=10000)
    parser.add_argument("--profiles", type=int, default=100000)
    parser.add_argument("--applicants", type=int, default=10000)
    parser.add_argument("--saved", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
