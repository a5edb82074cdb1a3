"""WAL checkpoints: under a sustained write load, with reads running beside the writes as they do
in the server, the write-ahead log is reset again and again instead of growing without bound."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from community.storage import runtime
from community.storage import connect, in_transaction

WRITES = 3000
EVERY = 200
"""A checkpoint after this many commits (the server's is 1,000), so the test needs fewer writes."""
BOUND = 24 * 2**20
"""Each transaction below adds about 5 pages (20 KiB) to the WAL: 200 of them are 4 MiB, so
the log stays under this bound when it is reset (more is committed while a checkpoint runs,
and a reset may wait for a busy reader), and passes it by about the 1,200th write when not."""


@pytest.mark.slow
async def test_sustained_writes_with_concurrent_reads_keep_the_wal_bounded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "CHECKPOINT_EVERY", EVERY)
    path = tmp_path / "load.db"
    wal = Path(f"{path}-wal")
    client = connect(f"sqlite:///{path}")
    db = client["load"]
    await db.posts.create_index([("thread", 1), ("number", 1)])
    body = "a reply of a few sentences, " * 30
    stop = asyncio.Event()
    reads = 0

    async def reader(thread: int) -> None:
        nonlocal reads
        while not stop.is_set():
            await db.posts.find({"thread": thread}, sort=[("number", -1)], limit=20).to_list()  # reader threads
            await db.threads.find_one({"_id": thread})  # inline, on the loop
            await db.posts.count_documents({"thread": {"$gte": 0}})  # a scan of every post
            reads += 1

    readers = [asyncio.create_task(reader(n)) for n in range(3)]
    sizes: list[int] = []
    try:
        for n in range(WRITES):
            thread = n % 50

            async def write(session: object, n: int = n, thread: int = thread) -> None:
                await db.threads.update_one({"_id": thread}, {"$inc": {"last_number": 1}}, upsert=True,
                                            session=session)
                await db.posts.insert_one({"thread": thread, "number": n, "body": body}, session=session)

            await in_transaction(db, write)
            sizes.append(wal.stat().st_size if wal.exists() else 0)
    finally:
        stop.set()
        await asyncio.gather(*readers)
    assert await db.posts.count_documents({}) == WRITES
    assert reads > 50, "the readers must have run beside the writes"
    assert max(sizes) < BOUND, f"the WAL grew to {max(sizes) / 2**20:.1f} MiB"
    assert sum(1 for before, after in zip(sizes, sizes[1:]) if after < before) >= WRITES // EVERY // 2
    assert os.path.getsize(path) > WRITES * len(body), "the checkpoints copied the posts into the database file"
    # A reset waits a moment for readers on older snapshots, and on a loaded machine a scan may
    # outlast it once in a while; another checkpoint soon after then resets the WAL.
    resets = client.engine.checkpoints
    assert sum(result == (0, 0, 0) for result in resets) >= 3, resets
    await client.close()
