"""The outbox, the indexer and reindex, on the embedded store and the embedded embedded_engine."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bson import ObjectId
from rich.console import Console
from rich.progress import Progress

from community.forums.queries import POSTS, THREADS
from community.policy import Actor, Role, search_visibility
from community.storage import connect
from search import indexer as indexer_module
from search.embedded import EmbeddedEngine
from search.indexer import Indexer, backoff
from search.outbox import OUTBOX, lag, record
from search.reindex import reindex
from tests.processes import free_port, start_run_py, wait_until_serving
from tests.search.worker import write_thread

ROOT = Path(__file__).resolve().parents[2]
MEMBER = Actor(user_id=ObjectId(), roles=frozenset({Role.OFFICER}))


@pytest.fixture
async def store() -> AsyncIterator[tuple[Any, Any]]:
    client = connect("sqlite:///:memory:")
    yield client, client["community"]
    await client.close()


async def titles_found(embedded_engine: EmbeddedEngine, query: str) -> list[str]:
    result = await embedded_engine.search("threads_posts", query, search_visibility(MEMBER), per_page=100)
    return sorted(hit.document.get("title", "") for hit in result.hits)


async def test_entry_exists_only_if_the_transaction_commits(store: tuple[Any, Any]) -> None:
    client, db = store

    async def failing(session: Any) -> None:
        await db[THREADS].insert_one({"_id": ObjectId(), "title": "Lost"}, session=session)
        await record(db, session, "threads_posts", ObjectId())
        raise RuntimeError("the feature's own check failed")

    async with client.start_session() as session:
        with pytest.raises(RuntimeError):
            await session.with_transaction(failing)
    assert await db[OUTBOX].count_documents({}) == 0 and await db[THREADS].count_documents({}) == 0
    await write_thread(client, db, "Kept")
    assert await db[OUTBOX].count_documents({}) == 1


async def test_record_refuses_unknown_index_and_op(store: tuple[Any, Any]) -> None:
    _, db = store
    with pytest.raises(ValueError, match="unknown search index"):
        await record(db, None, "threads", "x")
    with pytest.raises(ValueError, match="op is"):
        await record(db, None, "people", "x", "remove")  # type: ignore[arg-type]
    assert await db[OUTBOX].count_documents({}) == 0


async def test_indexer_follows_changes_and_is_idempotent(store: tuple[Any, Any], embedded_engine: EmbeddedEngine) -> None:
    client, db = store
    thread_id = await write_thread(client, db, "Canal desilting plan")
    reply = {"_id": ObjectId(), "thread_id": thread_id, "number": 2, "body": "desilting contracts",
             "created_at": datetime.now(UTC), "hidden": False, "deleted": False}
    await db[POSTS].insert_one(reply)
    await record(db, None, "threads_posts", reply["_id"])
    indexer = Indexer(db, embedded_engine)
    assert await indexer.drain() == 2
    assert await titles_found(embedded_engine, "canal") == ["Canal desilting plan"]
    found = await embedded_engine.search("threads_posts", "desilting", search_visibility(MEMBER))
    assert {(h.document["kind"], h.document.get("thread_title")) for h in found.hits} == {
        ("thread", None), ("post", "Canal desilting plan")}
    assert await db[OUTBOX].count_documents({}) == 0

    await db[THREADS].update_one({"_id": thread_id}, {"$set": {"title": "River desilting plan"}})
    for _ in range(3):
        await record(db, None, "threads_posts", thread_id)
    assert await indexer.drain() == 3
    assert await titles_found(embedded_engine, "canal") == []
    assert await titles_found(embedded_engine, "river") == ["River desilting plan"]
    assert await embedded_engine.count("threads_posts") == 2

    await db[POSTS].update_one({"_id": reply["_id"]}, {"$set": {"hidden": True}})
    await record(db, None, "threads_posts", reply["_id"])
    await indexer.drain()
    assert (await embedded_engine.search("threads_posts", "contracts", search_visibility(MEMBER))).total == 0
    assert await embedded_engine.count("threads_posts") == 2, "the hidden post stays indexed, marked hidden"

    await db[THREADS].delete_one({"_id": thread_id})
    await record(db, None, "threads_posts", thread_id, "delete")
    await indexer.drain()
    assert (await embedded_engine.search("threads_posts", "desilting", search_visibility(MEMBER))).total == 0
    assert await embedded_engine.count("threads_posts") == 1


async def test_failures_are_retried_with_backoff(store: tuple[Any, Any], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client, db = store
    await write_thread(client, db, "Monsoon preparedness")
    not_started = EmbeddedEngine(tmp_path / "later")
    indexer = Indexer(db, not_started)
    assert await indexer.drain() == 1
    entry = await db[OUTBOX].find_one({})
    assert entry["attempts"] == 1 and "ensure_indexes" in entry["last_error"]
    assert entry["next_attempt_at"].replace(tzinfo=UTC) > datetime.now(UTC)
    assert await indexer.run_once() == 0, "not due again before the backoff has passed"
    behind = await lag(db)
    assert (behind.pending, behind.failing) == (1, 1) and behind.oldest_seconds >= 0

    await not_started.ensure_indexes()
    await db[OUTBOX].update_one({}, {"$set": {"next_attempt_at": datetime.now(UTC) - timedelta(seconds=1)}})
    assert await indexer.drain() == 1
    assert await titles_found(not_started, "monsoon") == ["Monsoon preparedness"]
    assert (await lag(db)).pending == 0
    await not_started.close()


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(50).total_seconds() == indexer_module.BACKOFF_MAX


async def test_background_run_picks_up_new_entries(store: tuple[Any, Any], embedded_engine: EmbeddedEngine) -> None:
    client, db = store
    indexer = Indexer(db, embedded_engine, poll=0.05)
    task = asyncio.create_task(indexer.run())
    try:
        await write_thread(client, db, "Flood relief camps")
        indexer.notify()
        for _ in range(100):
            if await titles_found(embedded_engine, "flood"):
                break
            await asyncio.sleep(0.02)
        assert await titles_found(embedded_engine, "flood") == ["Flood relief camps"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_background_rounds_gather_changes_and_never_find_nothing(
        store: tuple[Any, Any], embedded_engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three changes committed 50 ms apart, each waking the indexer, make one round (one search
    commit, one outbox transaction), and no round looks again for entries and finds none."""
    client, db = store
    indexer = Indexer(db, embedded_engine, poll=60, gather=1.0)
    rounds: list[int] = []
    upserts: list[int] = []
    run_once, upsert = indexer.run_once, embedded_engine.upsert

    async def counted_round() -> int:
        rounds.append(await run_once())
        return rounds[-1]

    async def counted_upsert(index: str, docs: list[dict[str, Any]]) -> None:
        upserts.append(len(docs))
        await upsert(index, docs)

    monkeypatch.setattr(indexer, "run_once", counted_round)
    monkeypatch.setattr(embedded_engine, "upsert", counted_upsert)
    task = asyncio.create_task(indexer.run())
    try:
        for _ in range(100):
            if rounds:
                break
            await asyncio.sleep(0.01)
        assert rounds == [0], "the first round finds the outbox empty, and stops there"
        for title in ("Drought relief", "Drought audit", "Drought grants"):
            await write_thread(client, db, title)
            indexer.notify()
            await asyncio.sleep(0.05)  # the next change comes 50 ms later
        for _ in range(500):
            if len(rounds) > 1 and not await db[OUTBOX].count_documents({}):
                break
            await asyncio.sleep(0.02)
        assert await titles_found(embedded_engine, "drought") == ["Drought audit", "Drought grants", "Drought relief"]
        assert rounds == [0, 3], "one round for the three changes and no empty look after it"
        assert upserts == [3]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_background_run_logs_the_lag_once_a_minute(store: tuple[Any, Any], embedded_engine: EmbeddedEngine,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    _, db = store
    now = datetime.now(UTC)
    await db[OUTBOX].insert_one({"index": "threads_posts", "doc_id": str(ObjectId()), "op": "upsert",
                                 "created_at": now - timedelta(seconds=90), "next_attempt_at": now + timedelta(hours=1),
                                 "attempts": 1, "last_error": "ConnectionError('search engine away')"})
    caplog.set_level(logging.INFO, logger=indexer_module.log.name)

    def reports() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == indexer_module.log.name and r.getMessage() == "search indexing lag"]

    task = asyncio.create_task(Indexer(db, embedded_engine, poll=0.02).run())
    try:
        for _ in range(100):
            if reports():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(reports()) == 1, "a report in the first round, the next only after LAG_LOG_SECONDS"
    report = reports()[0]
    assert report.levelno == logging.INFO
    assert (report.pending, report.failing) == (1, 1) and report.oldest_seconds >= 90  # type: ignore[attr-defined]


async def test_reindex_rebuilds_from_storage(store: tuple[Any, Any], embedded_engine: EmbeddedEngine) -> None:
    client, db = store
    for i in range(7):
        await write_thread(client, db, f"Drought audit {i}")
    user = {"_id": ObjectId(), "name": "Kavita Rao", "designation": "Collector", "org_id": None,
            "email_verified": True, "created_at": datetime.now(UTC)}
    await db.users.insert_one(user)
    await db.profiles.insert_one({"_id": user["_id"], "bio": "drought management", "privacy": {}})
    await embedded_engine.upsert("threads_posts", [{"id": "stale", "kind": "thread", "title": "Drought stale",
                                           "access": ["public"], "hidden": False}])
    output = io.StringIO()
    with Progress(console=Console(file=output, force_terminal=False, width=100)) as progress:
        written = await reindex(db, embedded_engine, progress)
    assert written == {"threads_posts": 7, "people": 1, "events": 0, "vacancies": 0}
    assert await titles_found(embedded_engine, "drought") == [f"Drought audit {i}" for i in range(7)]
    people = await embedded_engine.search("people", "drought", search_visibility(MEMBER))
    assert [h.document["name"] for h in people.hits] == ["Kavita Rao"]
    assert "threads_posts" in output.getvalue()


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.search.worker", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_for(process: subprocess.Popen[str], line: str, times: int = 1) -> None:
    assert process.stdout is not None
    seen = 0
    while seen < times:
        got = process.stdout.readline()
        assert got, f"worker ended before printing {line!r}"
        seen += got.strip() == line


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.slow
async def test_killed_between_commit_and_index_update_catches_up(tmp_path: Path) -> None:
    db_file, index_dir = tmp_path / "community.db", tmp_path / "search"
    writer = _spawn(str(db_file), str(index_dir), "write", "20")
    await asyncio.to_thread(_wait_for, writer, "committed")
    _kill(writer)

    mid_indexing = _spawn(str(db_file), str(index_dir), "index")
    await asyncio.to_thread(_wait_for, mid_indexing, "indexed", 2)
    _kill(mid_indexing)

    client = connect(f"sqlite:///{db_file}")
    try:
        assert 1 <= (await lag(client["community"])).pending <= 18, "the kill left work in the outbox"
    finally:
        await client.close()

    # The server restarts on the same data folder (the store and the index the workers used)
    # and its own indexer catches up: /readyz turns ready once the outbox is empty.
    port = free_port()
    server = start_run_py(tmp_path, port)
    try:
        await asyncio.to_thread(wait_until_serving, port, server)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                async with http.get("/readyz") as ready:
                    readiness = await ready.json()
                if readiness["checks"]["search"]["pending"] == 0:
                    break
                await asyncio.sleep(0.1)
            assert readiness["checks"]["search"]["pending"] == 0, readiness
            async with http.get("/api/v1/search", params={"q": "waterway", "per_page": "50"}) as found:
                results = await found.json()
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert sorted(hit["title"] for hit in results["hits"]) == sorted(f"Waterway survey {i}" for i in range(20))
    assert results["total"] == 20, "replayed entries did not duplicate documents"
