"""Benchmark of the embedded storage engine, side by side with the two look-alikes.

    .venv/bin/python bench/storage.py                  # 1,000,000 documents (a few minutes)
    .venv/bin/python bench/storage.py --docs 20000     # a quick smoke run

One workload on three engines: the embedded engine (``community.storage``, its default
``synchronous=NORMAL`` WAL, in which an acknowledged write survives ``kill -9``), montydb with
its SQLite storage, and the nx-27017 wire-protocol server (NeoSQLite) run as a subprocess on a
loopback port and driven with PyMongo. The collection has a unique index on ``k`` and a
compound index ``(cat, score desc)``; rows:

- ``insert_many``: the collection loaded in batches of 1,000 (docs/s; building the documents
  is not timed, their ``_id`` is, as PyMongo also makes it on the client);
- ``insert_one``: one document per call, each acknowledged (ops/s);
- ``find_one``: by the unique ``k`` (ops/s);
- ``update_one $inc``: by ``k`` (ops/s);
- ``find().sort().limit(20)``: ``{"cat": c}`` sorted by ``score`` descending (median ms).

The look-alikes load ``--lookalike-docs`` documents (default 20,000) instead of ``--docs``:
at their insert rates a million documents would take them many minutes each. A smaller
collection can only make them faster, so the printed ratios understate the difference.
Every timed row runs for at most ``--seconds`` (and at least a few operations).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from community.storage import connect  # noqa: E402

BATCH = 1000
CATEGORIES = 100
ROWS = ["insert_one", "insert_many", "find_one", "update_one", "sorted_limit"]
LABELS = {
    "insert_one": "insert_one (durable), ops/s",
    "insert_many": "insert_many, docs/s",
    "find_one": "find_one by unique index, ops/s",
    "update_one": "update_one $inc, ops/s",
    "sorted_limit": "find().sort().limit(20), median ms",
}
TARGETS = {"insert_one": 2000, "insert_many": 20000, "find_one": 5000, "sorted_limit": 2.0}


def make_doc(k: int, rng: random.Random) -> dict[str, Any]:
    return {
        "k": k,
        "cat": k % CATEGORIES,
        "score": rng.randrange(1_000_000),
        "title": f"Circular {k} on training schedules",
        "tags": ["policy", f"t{k % 17}"],
        "created": datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=k),
    }


def timed(seconds: float, limit: int, step: Callable[[int], None]) -> float:
    """Operations per second of ``step`` run for ``seconds`` (at least 3, at most ``limit`` calls)."""
    start = time.perf_counter()
    count = 0
    while count < limit and (count < 3 or time.perf_counter() - start < seconds):
        step(count)
        count += 1
    return count / (time.perf_counter() - start)


async def atimed(seconds: float, limit: int, step: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    count = 0
    while count < limit and (count < 3 or time.perf_counter() - start < seconds):
        await step(count)
        count += 1
    return count / (time.perf_counter() - start)


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


async def bench_embedded(folder: Path, docs: int, seconds: float) -> dict[str, float]:
    client = connect(f"sqlite:///{folder / 'embedded.db'}")
    coll = client.bench.items
    await coll.create_index("k", unique=True)
    await coll.create_index([("cat", 1), ("score", -1)])
    rng = random.Random(1)
    out: dict[str, float] = {}

    spent = 0.0
    for first in range(0, docs, BATCH):
        batch = [make_doc(k, rng) for k in range(first, min(first + BATCH, docs))]
        start = time.perf_counter()
        await coll.insert_many(batch)
        spent += time.perf_counter() - start
        if first and first % 200_000 == 0:
            progress(f"embedded: {first:,} documents loaded")
    out["insert_many"] = docs / spent

    next_k = docs

    async def insert(_: int) -> None:
        nonlocal next_k
        await coll.insert_one(make_doc(next_k, rng))
        next_k += 1

    out["insert_one"] = await atimed(seconds, 20_000, insert)
    out["find_one"] = await atimed(seconds, 50_000, lambda _: coll.find_one({"k": rng.randrange(docs)}))
    out["update_one"] = await atimed(
        seconds, 50_000, lambda _: coll.update_one({"k": rng.randrange(docs)}, {"$inc": {"score": 1}})
    )
    latencies = []
    plan = await coll.find({"cat": 7}).sort("score", -1).limit(20).explain()
    for i in range(300):
        began = time.perf_counter()
        page = await coll.find({"cat": i % CATEGORIES}).sort("score", -1).limit(20).to_list()
        latencies.append((time.perf_counter() - began) * 1000)
        assert len(page) == 20
    out["sorted_limit"] = statistics.median(latencies)
    out["sorted_limit_p95"] = sorted(latencies)[int(len(latencies) * 0.95)]
    out["plan"] = plan  # type: ignore[assignment]
    await client.close()

    full = connect(f"sqlite:///{folder / 'full.db'}?synchronous=FULL")
    rng2 = random.Random(2)
    fcoll = full.bench.items
    await fcoll.create_index("k", unique=True)
    out["insert_one_full"] = await atimed(seconds, 5_000, lambda i: fcoll.insert_one(make_doc(i, rng2)))
    await full.close()
    return out


def bench_pymongo_like(coll: Any, docs: int, seconds: float, name: str) -> dict[str, float]:
    """The same workload through a synchronous PyMongo-shaped collection (montydb, pymongo)."""
    rng = random.Random(1)
    out: dict[str, float] = {}
    spent = 0.0
    for first in range(0, docs, BATCH):
        batch = [make_doc(k, rng) for k in range(first, min(first + BATCH, docs))]
        start = time.perf_counter()
        coll.insert_many(batch)
        spent += time.perf_counter() - start
    out["insert_many"] = docs / spent
    progress(f"{name}: loaded {docs:,} documents")
    counter = iter(range(docs, docs + 1_000_000))
    out["insert_one"] = timed(seconds, 20_000, lambda _: coll.insert_one(make_doc(next(counter), rng)))
    out["find_one"] = timed(seconds, 50_000, lambda _: coll.find_one({"k": rng.randrange(docs)}))
    out["update_one"] = timed(seconds, 50_000, lambda _: coll.update_one({"k": rng.randrange(docs)}, {"$inc": {"score": 1}}))
    latencies = []
    budget = time.perf_counter() + seconds
    while len(latencies) < 3 or (len(latencies) < 300 and time.perf_counter() < budget):
        began = time.perf_counter()
        list(coll.find({"cat": len(latencies) % CATEGORIES}).sort("score", -1).limit(20))
        latencies.append((time.perf_counter() - began) * 1000)
    out["sorted_limit"] = statistics.median(latencies)
    return out


def bench_montydb(folder: Path, docs: int, seconds: float) -> dict[str, float]:
    from montydb import MontyClient, set_storage

    repository = folder / "montydb"
    set_storage(str(repository), storage="sqlite")
    client = MontyClient(str(repository))
    coll = client.bench.items
    with contextlib.suppress(Exception):  # montydb has no real indexes; it may refuse or ignore these
        coll.create_index("k", unique=True)
        coll.create_index([("cat", 1), ("score", -1)])
    try:
        return bench_pymongo_like(coll, docs, seconds, "montydb")
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def nx_server(folder: Path) -> Iterator[int]:
    port = free_port()
    binary = Path(sys.executable).with_name("nx-27017")
    server = subprocess.Popen(
        [str(binary), "--db", str(folder / "nx.db"), "--host", "127.0.0.1", "-p", str(port),
         "--log-file", str(folder / "nx.log"), "--pid-file", str(folder / "nx.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("nx-27017 did not start")
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def bench_nx(folder: Path, docs: int, seconds: float) -> dict[str, float]:
    import pymongo

    with nx_server(folder) as port:
        client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true")
        coll = client.bench.items
        coll.create_index("k", unique=True)
        coll.create_index([("cat", 1), ("score", -1)])
        try:
            return bench_pymongo_like(coll, docs, seconds, "nx-27017")
        finally:
            client.close()


def fmt(value: float | None, row: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if row == "sorted_limit" else f"{value:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000, help="documents in the embedded engine's collection")
    parser.add_argument("--lookalike-docs", type=int, default=20_000, help="documents loaded into each look-alike")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget of each timed row")
    parser.add_argument("--skip-lookalikes", action="store_true", help="only measure the embedded engine")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="storage-bench-"))
    try:
        progress(f"embedded engine: {args.docs:,} documents")
        ours = asyncio.run(bench_embedded(folder, args.docs, args.seconds))
        others: dict[str, dict[str, float]] = {}
        if not args.skip_lookalikes:
            lookalike_docs = min(args.lookalike_docs, args.docs)
            for name, run in (("montydb", bench_montydb), ("nx-27017", bench_nx)):
                progress(f"{name}: {lookalike_docs:,} documents")
                try:
                    others[name] = run(folder, lookalike_docs, args.seconds)
                except Exception as exc:  # a look-alike that crashes is reported, not hidden
                    print(f"{name} failed: {exc!r}", file=sys.stderr)
        report(ours, others, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(ours: dict[str, Any], others: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    names = list(others)
    print()
    print(f"Embedded engine on {args.docs:,} documents; look-alikes on {min(args.lookalike_docs, args.docs):,}.")
    print(f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")
    header = f"{'row':<38}{'embedded':>12}" + "".join(f"{n:>12}" for n in names) + f"{'ratio':>9}  target"
    print(header)
    print("-" * len(header))
    for row in ROWS:
        mine = ours[row]
        values = [others[n].get(row) for n in names]
        ratio_text = "-"
        if values and all(v is not None for v in values):
            if row == "sorted_limit":
                best = min(v for v in values if v is not None)
                ratio = best / mine
            else:
                best = max(v for v in values if v is not None)
                ratio = mine / best
            ratio_text = f"{ratio:,.1f}x"
        target = TARGETS.get(row)
        verdict = ""
        if target is not None:
            met = mine < target if row == "sorted_limit" else mine >= target
            verdict = f"{'<' if row == 'sorted_limit' else '>='} {target:,}{' ms' if row == 'sorted_limit' else ''}: {'met' if met else 'NOT met'}"
        print(f"{LABELS[row]:<38}{fmt(mine, row):>12}" + "".join(f"{fmt(v, row):>12}" for v in values) + f"{ratio_text:>9}  {verdict}")
    print()
    print(f"sorted_limit p95: {ours['sorted_limit_p95']:.2f} ms; plan: "
          f"{ours['plan']['queryPlanner']['winningPlan']}, "
          f"docs examined {ours['plan']['executionStats']['totalDocsExamined']}")
    print(f"insert_one with synchronous=FULL (fsync per commit): {ours['insert_one_full']:,.0f} ops/s")


if __name__ == "__main__":
    main()
