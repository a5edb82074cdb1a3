"""The embedded engine's one tantivy writer under cancellation: a write whose awaiting task is
cancelled goes on in its thread, and nothing else may touch the writer until it has finished
(tantivy-py refuses a second user with ``RuntimeError: Already borrowed``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from search.embedded import EmbeddedEngine
from search.filters import PUBLIC, where
from tests.search.factories import thread

BATCH = [thread(f"t{n}", f"Grievance redressal note {n}", "Sevottam charter timelines " * 40) for n in range(4000)]


async def started_then_cancelled(engine: EmbeddedEngine) -> None:
    """Start a large upsert, let its thread begin, then cancel the task awaiting it."""
    writing = asyncio.create_task(engine.upsert("threads_posts", BATCH))
    await asyncio.sleep(0.02)
    assert not writing.done(), "the batch finished before it could be cancelled; make it larger"
    writing.cancel()
    await asyncio.gather(writing, return_exceptions=True)


async def test_close_waits_for_a_cancelled_write(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search")
    await engine.ensure_indexes()
    await started_then_cancelled(engine)
    await engine.close()


async def test_the_next_write_waits_for_a_cancelled_one_and_both_land(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search")
    await engine.ensure_indexes()
    await started_then_cancelled(engine)
    await engine.upsert("threads_posts", [thread("after", "Written after the cancelled batch")])
    found = await engine.search("threads_posts", "", where(access=PUBLIC), per_page=1)
    assert found.total == len(BATCH) + 1, "the cancelled batch still committed, and so did the next write"
    await engine.close()
