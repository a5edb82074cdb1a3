"""Benchmark: the job runner on the embedded engine, one process and two.

    .venv/bin/python bench/jobs.py                 # 10,000 jobs
    .venv/bin/python bench/jobs.py --jobs 2000     # a shorter run on a busy machine

10,000 jobs of a no-op kind are scheduled (in transactions of 500, through ``tx.schedule``) with
due times spread over the last minute, in a fresh embedded store. Then one runner process drains
them and reports jobs a second; the store is filled again and two runner processes drain it
together, each counting the jobs it ran: their sum equals the number scheduled when none ran
twice. The machine's load average is printed beside every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bson import ObjectId  # noqa: E402

from community import actions, keys  # noqa: E402
from community.app import declare_storage  # noqa: E402
from community.config import load_settings  # noqa: E402
from community.jobs import registry  # noqa: E402
from community.jobs.runner import JobRun, Runner  # noqa: E402
from community.policy import Actor  # noqa: E402
from community.storage import connect  # noqa: E402
from community.storage.indexes import ensure_indexes  # noqa: E402

RAN = 0


async def noop(run: JobRun) -> None:
    global RAN
    RAN += 1


registry.register("bench.noop", noop, label="bench.noop")


def utc_now() -> datetime:
    return datetime.now(UTC)


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)"


async def open_store(db_file: Path) -> tuple[Any, dict[Any, Any]]:
    declare_storage(load_settings({"DATA_DIR": str(db_file.parent)}))
    client = connect(f"sqlite:///{db_file}")
    db = client["community"]
    await ensure_indexes(db)
    return client, {keys.DB: db, keys.CLOCK: utc_now}


async def seed(db_file: Path, count: int) -> None:
    client, app = await open_store(db_file)
    now = utc_now()
    try:
        for start in range(0, count, 500):
            async with actions.begin(app, Actor(user_id=ObjectId())) as tx:
                for n in range(start, min(count, start + 500)):
                    await tx.schedule("bench.noop", now - timedelta(seconds=60 * n / count), {"n": n}, key=f"bench:{n}")
    finally:
        await client.close()


async def drain(db_file: Path) -> tuple[int, float]:
    client, app = await open_store(db_file)
    try:
        runner = Runner(app)
        started = time.perf_counter()
        await runner.drain()
        return RAN, time.perf_counter() - started
    finally:
        await client.close()


def worker(db_file: Path) -> None:
    """Wait for a line on stdin, drain, print how many jobs this process ran."""
    sys.stdin.readline()
    ran, _seconds = asyncio.run(drain(db_file))
    print(ran, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    folder = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    try:
        one = folder / "one.db"
        asyncio.run(seed(one, args.jobs))
        print(f"{args.jobs} no-op jobs due, embedded store; {load()}", flush=True)
        ran, seconds = asyncio.run(drain(one))
        print(f"one process:  {ran} jobs in {seconds:.2f} s = {ran / seconds:,.0f} jobs/s; {load()}", flush=True)

        two = folder / "two.db"
        asyncio.run(seed(two, args.jobs))
        processes = [subprocess.Popen([sys.executable, __file__, "--worker", str(two)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(2)  # both interpreters have started and wait on stdin
        started = time.perf_counter()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        counts = [int(process.communicate(timeout=600)[0].strip()) for process in processes]
        seconds = time.perf_counter() - started
        print(f"two processes: {counts[0]} + {counts[1]} = {sum(counts)} jobs (scheduled {args.jobs}; "
              f"{'none' if sum(counts) == args.jobs else sum(counts) - args.jobs} ran twice) in {seconds:.2f} s "
              f"= {sum(counts) / seconds:,.0f} jobs/s combined; {load()}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
