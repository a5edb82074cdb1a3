"""Benchmark: the dictionary CSV round trip, the expert directory and erasure, on the embedded store.

    .venv/bin/python bench/profiles.py                 # 5,000 members, 500 of them experts
    .venv/bin/python bench/profiles.py --members 20000 --experts 2000

A fresh embedded store (SQLite in a temporary folder) gets the shipped dictionary and the demo
profiles step (``community.profiles.demo.fill_demo``) for the members. Timed, in-process, with
every index of ``community.storage.indexes`` in place:

1. exporting the competencies and positions CSV files and importing them back (all rows
   checked, then written in one transaction);
2. a page of the expert directory as a signed-in member sees it (privacy applied per field),
   unfiltered and filtered by one competency;
3. erasing one member: every registered collection, one transaction.

Reported: rows per second, and the median and 95th-percentile milliseconds per directory page
and per erasure.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
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
from community.competencies import csv_io  # noqa: E402
from community.policy import Actor, Role  # noqa: E402
from community.privacy.erase import erase_person  # noqa: E402
from community.profiles.demo import fill_demo  # noqa: E402
from community.profiles.directory import Filters, rebuild, search  # noqa: E402
from community.profiles.verification import rule_from  # noqa: E402

ADMIN = Actor(user_id=ObjectId(), roles=frozenset({Role.OFFICER, Role.ADMIN}))


async def members(db: Any, count: int, expert_count: int) -> list[dict[str, Any]]:
    orgs = [ObjectId() for _ in range(20)]
    await db.organisations.insert_many([{"_id": org, "name": f"Ministry {n}"} for n, org in enumerate(orgs)])
    people = [{"_id": ObjectId(), "name": f"Member {n:06d}", "email": f"member{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": orgs[n % len(orgs)], "designation": "Under Secretary",
               "roles": ["officer", "expert"] if n < expert_count else ["officer"], "suspended_until": None,
               "password_hash": "x", "created_at": datetime.now(UTC), "deleted": False} for n in range(count)]
    for start in range(0, len(people), 1000):
        await db.users.insert_many(people[start:start + 1000])
    return people


async def main(arguments: argparse.Namespace) -> None:
    async with fresh_store() as (settings, db):
        people = await members(db, arguments.members, arguments.experts)
        started = time.perf_counter()
        await fill_demo(db, settings, random.Random(1), arguments.members)
        for person in people:  # the demo writes past the search outbox, which keeps the directory
            await rebuild(db, person["_id"])
        print(f"set-up: {arguments.members} members with demo profiles in {time.perf_counter() - started:.1f} s")

        for which, export, importer in (("competencies", csv_io.export_competencies, csv_io.import_competencies),
                                        ("positions", csv_io.export_positions, csv_io.import_positions)):
            started = time.perf_counter()
            text = await export(db)
            exported = time.perf_counter() - started
            rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
            started = time.perf_counter()
            await importer(db, ADMIN, text.encode())
            imported = time.perf_counter() - started
            print(f"{which} CSV: {rows} rows; export {rows / exported:,.0f} rows/s, import {rows / imported:,.0f} rows/s")

        viewer, rule = people[-1], rule_from(settings)
        actor = Actor(user_id=viewer["_id"], org_id=viewer["org_id"], roles=frozenset({Role.OFFICER}))
        competency = (await db.profiles.find_one({"competencies.0": {"$exists": True}}))["competencies"][0]["competency_id"]
        for label, chosen in (("directory page (30 experts)", None), ("directory page by competency", competency)):
            filters = Filters(competency=chosen, role="expert")
            samples = await timed(arguments.runs, lambda _n, filters=filters: search(db, actor, filters, rule, limit=30))
            print(f"{label}: {percentiles(samples)}")

        def erase(n: int) -> Any:
            person = people[arguments.experts + n]
            return erase_person(db, person["_id"], actor=Actor(user_id=person["_id"], roles=frozenset({Role.OFFICER})))

        print(f"erasure of one member: {percentiles(await timed(arguments.runs, erase))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
