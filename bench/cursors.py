"""Benchmark: reading a whole collection through a ``find`` cursor on the embedded engine.

    .venv/bin/python bench/cursors.py                 # 80,000 documents
    .venv/bin/python bench/cursors.py --docs 20000

Times ``to_list()`` and ``async for`` (with the default batches and with ``batch_size=100``)
over every document, in ``_id`` order, median of ``--runs``; both should grow linearly with
the documents. Prints the load average beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from community.storage import connect  # noqa: E402


async def _timed(read: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        count = await read()
        times.append((time.perf_counter() - started) * 1000)
    assert count, "no documents read"
    return statistics.median(times)


async def main(docs: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        client = connect(f"sqlite:///{folder}/cursors.db")
        coll = client.bench.docs
        for start in range(0, docs, 1000):
            await coll.insert_many([{"_id": i, "n": i % 97, "text": f"document {i}"}
                                    for i in range(start, min(start + 1000, docs))])

        async def to_list() -> int:
            return len(await coll.find({}, sort=[("_id", 1)]).to_list())

        async def iterate(batch_size: int = 0) -> int:
            count = 0
            async for _ in coll.find({}, sort=[("_id", 1)], batch_size=batch_size):
                count += 1
            return count

        rows = [("to_list()", to_list), ("async for", iterate), ("async for, batch_size=100", lambda: iterate(100))]
        print(f"{docs:,} documents, median of {runs} runs; load average {os.getloadavg()[0]:.2f}")
        for name, read in rows:
            print(f"  {name:<28} {await _timed(read, runs):8.0f} ms")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=80_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.docs, arguments.runs))
