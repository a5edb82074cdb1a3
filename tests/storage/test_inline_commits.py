"""A transaction that wrote a few documents commits on the event loop; a large one, or one with
a step still running on the writer thread, commits there. Either way the commit is whole."""

from __future__ import annotations

from typing import Any

import pytest

from community.storage import connect
from community.storage.runtime import INLINE_COMMIT_DOCS, Engine


@pytest.fixture
def finished_on_writer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each job handed to the writer thread."""
    sent: list[str] = []
    on_writer = Engine._on_writer

    async def writer(engine: Engine, job: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(job.__name__)
        return await on_writer(engine, job, *args, **kwargs)

    monkeypatch.setattr(Engine, "_on_writer", writer)
    return sent


async def _transaction(client: Any, docs: int) -> None:
    db = client["test"]
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.posts.insert_many([{"n": n} for n in range(docs)], session=session)
            for n in range(min(docs, 3)):
                await db.threads.update_one({"_id": n}, {"$inc": {"replies": 1}}, upsert=True, session=session)


async def test_a_small_transaction_commits_on_the_loop(client: Any, finished_on_writer: list[str]) -> None:
    await _transaction(client, 4)
    assert "_finish_job" not in finished_on_writer
    assert await client["test"].posts.count_documents({}) == 4
    assert await client["test"].threads.count_documents({}) == 3


async def test_a_large_transaction_commits_on_the_writer_thread(client: Any, finished_on_writer: list[str]) -> None:
    await _transaction(client, INLINE_COMMIT_DOCS + 1)
    assert finished_on_writer.count("_finish_job") == 1
    assert await client["test"].posts.count_documents({}) == INLINE_COMMIT_DOCS + 1


async def test_with_every_commit_fsynced_a_small_transaction_commits_on_the_writer_thread(
        tmp_path: Any, finished_on_writer: list[str]) -> None:
    durable = connect(f"sqlite:///{tmp_path / 'full.db'}?synchronous=FULL")
    try:
        await _transaction(durable, 2)
        assert finished_on_writer.count("_finish_job") == 1, "an fsync never runs on the loop"
        assert await durable["test"].posts.count_documents({}) == 2
    finally:
        await durable.close()


async def test_a_rolled_back_small_transaction_leaves_nothing(client: Any, finished_on_writer: list[str]) -> None:
    db = client["test"]
    with pytest.raises(RuntimeError):
        async with client.start_session() as session:
            async with await session.start_transaction():
                await db.posts.insert_one({"n": 1}, session=session)
                raise RuntimeError("the service failed")
    assert await db.posts.count_documents({}) == 0
    await _transaction(client, 1)
    assert await db.posts.count_documents({}) == 1, "the lock was released after the rollback"
