"""Benchmark: certificates of attendance, on the embedded store.

    .venv/bin/python bench/certificates.py                  # 20 renders per case, 500 issues
    .venv/bin/python bench/certificates.py --renders 50 --issues 2000

Timed, in-process:

1. rendering one PDF (fonts loaded, text shaped by HarfBuzz, subset and written) for a name in
   Latin, Devanagari, Tamil and Bengali, and one page with three Indian scripts on it: this is
   CPU work a download does in a thread, outside the event loop;
2. issuing a certificate (one action: its checks, the insert and the notification intent), for
   ``--issues`` attendees of one session, then again for the same people (the idempotent path);
3. a person's list of certificates when they hold 200.

Reported: the median and 95th-percentile milliseconds of each, with the 1-minute load average
beside them (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded import fresh_store, percentiles, timed  # noqa: E402  (bench/embedded.py, beside this file)
from community import actions, keys  # noqa: E402
from community.app import utc_now  # noqa: E402
from community.certificates import pdf, service, subjects  # noqa: E402
from community.certificates.service import Certificate, new_code  # noqa: E402
from community.policy import Actor  # noqa: E402

KIND = "bench_session"
NAMES = {"Latin": "Kavita Rao", "Devanagari": "क्षितिज श्रीवास्तव", "Tamil": "கார்த்திகேயன்",
         "Bengali": "সুস্মিতা চক্রবর্তী"}


def certificate(name: str, title: str = "Outcome budgeting for programme divisions",
                host_name: str = "Asha Menon") -> Certificate:
    now = datetime.now(UTC)
    return Certificate(id=ObjectId(), code=new_code(), person_id=ObjectId(), kind=KIND, subject_id=ObjectId(),
                       name=name, title=title, held_at=now, hours=1.5, host_name=host_name, url="/events/1",
                       issued_at=now, revoked_at=None, revoked_reason=None)


async def renders(runs: int) -> None:
    cases = {script: certificate(name) for script, name in NAMES.items()}
    cases["three scripts"] = certificate(NAMES["Tamil"], title="जीएसटी रिटर्न: व्यावहारिक सत्र",
                                         host_name=NAMES["Bengali"])
    for case, shown in cases.items():
        samples = await timed(runs, lambda n, shown=shown: asyncio.to_thread(
            pdf.render, shown, verify_url=f"https://community.example/certificates/{shown.code}"))
        print(f"render, {case}: {percentiles(samples)}; load average {os.getloadavg()[0]:.2f}")


async def issuing(count: int) -> None:
    async with fresh_store() as (settings, db):
        attendees = [{"_id": ObjectId(), "name": f"Member {n:05d}", "email": f"m{n}@example.gov.in", "deleted": False,
                      "roles": ["officer"]} for n in range(count)]
        await db.users.insert_many(attendees)
        session_id, attended = ObjectId(), {person["_id"] for person in attendees}
        facts = subjects.Facts(title="Outcome budgeting", held_at=datetime.now(UTC), hours=2, host_name="Asha Menon",
                               url=f"/events/{session_id}")

        async def facts_of(db: Any, subject_id: Any, session: Any) -> subjects.Facts | None:
            return facts if subject_id == session_id else None

        async def may_receive(db: Any, person_id: ObjectId, subject_id: Any, session: Any) -> bool:
            return person_id in attended

        subjects.register(KIND, subjects.Kind(facts=facts_of, may_receive=may_receive))
        app = {keys.DB: db, keys.CLOCK: utc_now}
        host = Actor(user_id=ObjectId())

        async def issue(n: int) -> None:
            await actions.run(app, host, service.issue, attendees[n]["_id"], KIND, session_id)

        print(f"issue, new: {percentiles(await timed(count, issue))}; load average {os.getloadavg()[0]:.2f}")
        assert await db[service.CERTIFICATES].count_documents({}) == count
        print(f"issue, again: {percentiles(await timed(count, issue))}; load average {os.getloadavg()[0]:.2f}")

        holder = attendees[0]["_id"]
        await db[service.CERTIFICATES].insert_many([
            {"_id": ObjectId(), "code": new_code(), "person_id": holder, "kind": KIND, "subject_id": ObjectId(),
             "name": "Member 00000", "title": f"Session {n}", "held_at": datetime.now(UTC), "hours": 1,
             "host_name": "Asha Menon", "url": "/events/1", "issued_at": datetime.now(UTC), "revoked_at": None,
             "revoked_reason": None} for n in range(199)])
        listed = await timed(50, lambda n: service.of_person(db, holder))
        print(f"a person's 200 certificates: {percentiles(listed)}; load average {os.getloadavg()[0]:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--issues", type=int, default=500)
    options = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    await renders(options.renders)
    await issuing(options.issues)


if __name__ == "__main__":
    asyncio.run(main())
