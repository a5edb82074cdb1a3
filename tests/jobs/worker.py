"""A process that schedules or runs jobs on one store, for the kill and two-process tests.

``python -m tests.jobs.worker DB_FILE seed N`` schedules N jobs of ``test.effect`` due now.
``... run`` prints ``ready``, waits for a line on stdin (so two runners can start together), runs
the job runner (a lease of two seconds), prints ``ran`` after each job and ``idle`` once no job is
left (waiting out the lease of a job a killed runner held); a job's handler writes one effect document under its key.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId

from community import actions, keys
from community.app import declare_storage
from community.config import load_settings
from community.jobs import registry
from community.jobs.runner import JobRun, Runner
from community.jobs.schedule import JOBS
from community.policy import Actor
from community.storage import connect
from community.storage.indexes import ensure_indexes


async def effect(run: JobRun) -> None:
    async def write(session: Any) -> None:
        await run.db.effects.insert_one({"job": run.key}, session=session)
    await run.once(write)
    print("ran", flush=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def main(db_file: str, command: str, *args: str) -> None:
    registry.register("test.effect", effect, label="test.effect")
    declare_storage(load_settings({"DATA_DIR": str(Path(db_file).parent)}))
    client = connect(f"sqlite:///{db_file}")
    db = client["community"]
    await ensure_indexes(db)
    app = {keys.DB: db, keys.CLOCK: utc_now}
    try:
        if command == "seed":
            async with actions.begin(app, Actor(user_id=ObjectId())) as tx:
                for n in range(int(args[0])):
                    await tx.schedule("test.effect", tx.now, {"n": n}, key=f"job:{n}")
            print("seeded", flush=True)
        else:
            runner = Runner(app, batch=10, lease=timedelta(seconds=2))
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            while True:
                if await runner.drain():
                    continue
                if not await db[JOBS].count_documents({}):
                    print("idle", flush=True)
                    return
                await asyncio.sleep(0.2)  # a job still leased by a killed runner: take it over once the lease ends
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
