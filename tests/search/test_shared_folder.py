"""Several processes on one embedded index folder (several servers on one embedded store): one
holds tantivy's writer, the others search and their indexers wait, and one of them takes the
writing over when the writer stops. Two engines on one folder stand for two processes: tantivy's
writer lock is a file lock, which two engines in one process contend for as two processes do."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from community.storage import connect
from search.embedded import EmbeddedEngine, WriterBusy
from search.filters import PUBLIC, where
from search.indexer import Indexer
from search.outbox import OUTBOX
from tests.search.factories import thread
from tests.search.worker import write_thread


@pytest.fixture
async def store() -> AsyncIterator[Any]:
    client = connect("sqlite:///:memory:")
    yield client
    await client.close()


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedEngine, EmbeddedEngine]]:
    writer = EmbeddedEngine(tmp_path / "search")
    await writer.ensure_indexes()
    reader = EmbeddedEngine(tmp_path / "search", takeover_seconds=0)
    await reader.ensure_indexes()
    yield writer, reader
    await reader.close()
    await writer.close()


async def titles(engine: EmbeddedEngine, query: str, expected: int, seconds: float = 10) -> list[str]:
    """What ``engine`` finds for ``query`` once it finds ``expected`` documents (a searching
    process sees the writer's commit when tantivy reloads its reader, a moment later)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await engine.search("threads_posts", query, where(access=PUBLIC), per_page=50)
        if found.total >= expected or asyncio.get_running_loop().time() > deadline:
            return sorted(hit.document["title"] for hit in found.hits)
        await asyncio.sleep(0.1)


async def test_the_second_process_searches_what_the_writer_writes_but_cannot_write(
        two: tuple[EmbeddedEngine, EmbeddedEngine]) -> None:
    writer, reader = two
    assert await writer.can_write() and not await reader.can_write()
    await writer.upsert("threads_posts", [thread("t1", "Canal desilting plan")])
    assert await titles(reader, "desilting", 1) == ["Canal desilting plan"]
    with pytest.raises(WriterBusy):
        await reader.upsert("threads_posts", [thread("t2", "Written by the wrong process")])
    with pytest.raises(WriterBusy):
        await reader.delete("threads_posts", ["t1"])
    assert await titles(writer, "", 1) == ["Canal desilting plan"]


async def test_a_search_only_processs_indexer_skips_its_rounds_quietly_and_leaves_the_entries(
        store: Any, two: tuple[EmbeddedEngine, EmbeddedEngine], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="community.search")
    writer, reader = two
    db = store["community"]
    await write_thread(store, db, "Monsoon preparedness")
    waiting = Indexer(db, reader, poll=0.02)
    running = asyncio.create_task(waiting.run())
    await asyncio.sleep(0.5)  # some twenty rounds
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    entries = await db[OUTBOX].find({}).to_list(None)
    assert len(entries) == 1 and entries[0]["attempts"] == 0, "no failure counted, no backoff"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "nothing to warn about"
    assert await Indexer(db, writer).drain() == 1
    assert await titles(reader, "monsoon", 1) == ["Monsoon preparedness"]


async def test_when_the_writer_stops_the_other_process_takes_over(
        store: Any, two: tuple[EmbeddedEngine, EmbeddedEngine], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="search.embedded")
    writer, reader = two
    db = store["community"]
    await writer.close()
    await write_thread(store, db, "Flood relief camps")
    assert await Indexer(db, reader).drain() == 1, "the survivor's indexer took the writer and indexed"
    assert await titles(reader, "flood", 1) == ["Flood relief camps"]
    assert any("now writes the search index" in r.getMessage() for r in caplog.records)


async def test_a_search_only_process_tries_to_take_over_at_most_every_few_seconds(tmp_path: Path) -> None:
    writer = EmbeddedEngine(tmp_path / "search")
    await writer.ensure_indexes()
    reader = EmbeddedEngine(tmp_path / "search", takeover_seconds=1)
    await reader.ensure_indexes()
    try:
        await writer.close()
        assert not await reader.can_write(), "not tried again before takeover_seconds have passed"
        await asyncio.sleep(1.1)
        assert await reader.can_write()
    finally:
        await reader.close()
