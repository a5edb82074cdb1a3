"""Many coroutines at once: writes serialised without lost updates, readers see only
committed states, and the event loop keeps running while SQLite works."""

from __future__ import annotations

import asyncio
import random
from typing import Any


async def test_concurrent_increments_are_not_lost(db: Any) -> None:
    await db.counters.insert_one({"_id": "hits", "n": 0})

    async def bump(times: int) -> None:
        for _ in range(times):
            await db.counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})
            await db.log.insert_one({"at": random.random()})

    await asyncio.gather(*(bump(20) for _ in range(30)))
    assert (await db.counters.find_one({"_id": "hits"}))["n"] == 600
    assert await db.log.count_documents({}) == 600


async def test_readers_never_see_half_a_transaction(client: Any, db: Any) -> None:
    await db.accounts.insert_many([{"_id": "a", "bal": 100}, {"_id": "b", "bal": 0}])
    seen: list[int] = []
    stop = asyncio.Event()

    async def transfer() -> None:
        for _ in range(15):
            async with client.start_session() as session:
                async def move(s: Any) -> None:
                    await db.accounts.update_one({"_id": "a"}, {"$inc": {"bal": -1}}, session=s)
                    await asyncio.sleep(0)
                    await db.accounts.update_one({"_id": "b"}, {"$inc": {"bal": 1}}, session=s)
                await session.with_transaction(move)

    async def audit() -> None:
        while not stop.is_set():
            docs = await db.accounts.find({}).to_list()
            seen.append(sum(d["bal"] for d in docs))
            await asyncio.sleep(0)

    auditors = [asyncio.ensure_future(audit()) for _ in range(4)]
    await asyncio.gather(*(transfer() for _ in range(4)))
    stop.set()
    await asyncio.gather(*auditors)
    assert seen and set(seen) == {100}
    assert await db.accounts.find_one({"_id": "b"}) == {"_id": "b", "bal": 60}


async def test_the_loop_runs_while_a_long_scan_works(db: Any) -> None:
    await db.big.insert_many([{"i": i, "pad": "x" * 200} for i in range(20000)])
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    running = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    before = ticks
    found = await db.big.find({"pad": {"$regex": "y"}}).to_list()  # a full scan on a reader thread
    during = ticks - before
    running.cancel()
    assert found == []
    assert during > 10  # the ticker kept being scheduled: the scan did not hold the loop


async def test_mixed_readers_and_writers(db: Any) -> None:
    await db.items.create_index("k", unique=True)

    async def writer(w: int) -> None:
        for i in range(25):
            await db.items.insert_one({"k": f"{w}-{i}", "w": w})

    async def reader() -> int:
        total = 0
        for _ in range(25):
            total += len(await db.items.find({"w": {"$gte": 0}}).limit(10).to_list())
        return total

    reads = await asyncio.gather(*(writer(w) for w in range(8)), *(reader() for _ in range(8)))
    assert all(0 <= r <= 250 for r in reads[8:])
    assert await db.items.count_documents({}) == 200
    assert sorted(await db.items.distinct("w")) == list(range(8))


async def test_cancelled_writers_and_transactions_leave_the_engine_usable(client: Any, db: Any) -> None:
    big = asyncio.ensure_future(db.bulk.insert_many([{"i": i} for i in range(20000)]))
    await asyncio.sleep(0.01)
    big.cancel()
    await db.other.insert_one({"_id": 1})  # waits for the cancelled batch to finish, then runs
    assert await db.bulk.count_documents({}) in (0, 20000)

    started = asyncio.Event()

    async def stuck_transaction() -> None:
        async with client.start_session() as session:
            async def work(s: Any) -> None:
                await db.t.insert_one({"_id": "half"}, session=s)
                started.set()
                await asyncio.sleep(3600)
            await session.with_transaction(work)

    task = asyncio.ensure_future(stuck_transaction())
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await db.t.insert_one({"_id": "after"})
    assert [d["_id"] async for d in db.t.find()] == ["after"]
