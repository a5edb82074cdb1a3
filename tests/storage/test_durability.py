"""Durability: a write acknowledged by a process survives ``kill -9`` of that process; an
uncommitted transaction leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from community.storage import connect

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import asyncio, sys
    from community.storage import connect

    async def main(url):
        client = connect(url)
        coll = client.app.events
        await coll.create_index("seq", unique=True)
        async with client.start_session() as session:
            await session.start_transaction()
            await client.app.pending.insert_one({"never": "committed"}, session=session)
            await session.abort_transaction()
        for seq in range(200):
            await coll.insert_one({"seq": seq, "payload": "x" * 100})
            print(seq, flush=True)
        session = client.start_session()
        await session.start_transaction()
        await client.app.pending.insert_one({"_id": "open"}, session=session)
        await coll.update_one({"seq": 0}, {"$set": {"touched": True}}, session=session)
        print("open", flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main(sys.argv[1]))
""")


@pytest.mark.slow
async def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged: list[int] = []
    saw_open_transaction = False
    assert child.stdout is not None
    try:
        while not saw_open_transaction:
            line = child.stdout.readline()
            assert line, "the writer process died early"
            if line.strip() == "open":
                saw_open_transaction = True
            else:
                acknowledged.append(int(line))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    client = connect(url)
    stored = {doc["seq"] for doc in await client.app.events.find({}, {"seq": 1}).to_list()}
    assert len(acknowledged) == 200
    assert set(acknowledged) <= stored
    assert await client.app.pending.count_documents({}) == 0
    assert "touched" not in (await client.app.events.find_one({"seq": 0}))
    assert "seq_1" in await client.app.events.index_information()
    await client.close()


STREAM = textwrap.dedent("""
    import asyncio, sys
    from community.storage import connect

    async def main(url):
        client = connect(url)
        coll = client.app.stream
        seq = 0
        while True:
            await coll.insert_one({"_id": seq})
            print(seq, flush=True)
            if seq % 10 == 0:
                await coll.insert_many([{"batch": seq, "i": i} for i in range(50)])
                print(f"batch {seq}", flush=True)
            seq += 1

    asyncio.run(main(sys.argv[1]))
""")


@pytest.mark.slow
async def test_killed_in_the_middle_of_a_stream_of_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stream.db'}"
    child = subprocess.Popen(
        [sys.executable, "-c", STREAM, url], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged: list[int] = []
    batches: list[int] = []
    assert child.stdout is not None
    try:
        while len(acknowledged) < 600:
            line = child.stdout.readline().strip()
            assert line, "the writer process died early"
            if line.startswith("batch"):
                batches.append(int(line.split()[1]))
            else:
                acknowledged.append(int(line))
    finally:
        child.send_signal(signal.SIGKILL)  # while it keeps writing
        child.wait()
        child.stdout.close()

    client = connect(url)
    stored = {doc["_id"] for doc in await client.app.stream.find({"batch": {"$exists": False}}).to_list()}
    assert set(acknowledged) <= stored
    for batch in batches:
        assert await client.app.stream.count_documents({"batch": batch}) == 50
    await client.close()
