"""Sessions and transactions: all-or-nothing, and isolated from readers until commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError, InvalidOperation


async def test_with_transaction_commits_everything(client: Any, db: Any) -> None:
    async def work(session: Any) -> str:
        await db.a.insert_one({"_id": 1}, session=session)
        await db.b.update_one({"_id": 1}, {"$inc": {"n": 1}}, upsert=True, session=session)
        assert await db.a.find_one({"_id": 1}, session=session) == {"_id": 1}
        return "done"

    async with client.start_session() as session:
        assert await session.with_transaction(work) == "done"
    assert await db.a.count_documents({}) == 1
    assert await db.b.find_one({"_id": 1}) == {"_id": 1, "n": 1}


async def test_an_error_undoes_every_write_of_the_transaction(client: Any, db: Any) -> None:
    await db.users.create_index("email", unique=True)
    await db.users.insert_one({"email": "taken"})

    async def work(session: Any) -> None:
        await db.log.insert_one({"event": "signup"}, session=session)
        await db.users.insert_one({"email": "taken"}, session=session)

    async with client.start_session() as session:
        with pytest.raises(DuplicateKeyError):
            await session.with_transaction(work)
    assert await db.log.count_documents({}) == 0
    assert await db.users.count_documents({}) == 1


async def test_explicit_commit_abort_and_the_context_manager(client: Any, db: Any) -> None:
    async with client.start_session() as session:
        await session.start_transaction()
        await db.x.insert_one({"_id": "aborted"}, session=session)
        await session.abort_transaction()
        async with await session.start_transaction():
            await db.x.insert_one({"_id": "kept"}, session=session)
        with pytest.raises(InvalidOperation):
            await session.commit_transaction()
    assert [d["_id"] async for d in db.x.find()] == ["kept"]


async def test_readers_outside_see_only_committed_data(client: Any, db: Any) -> None:
    await db.x.insert_one({"_id": 0})
    async with client.start_session() as session:
        await session.start_transaction()
        await db.x.insert_one({"_id": 1}, session=session)
        assert await db.x.count_documents({"_id": 1}) == 0
        assert await db.x.count_documents({"_id": 1}, session=session) == 1
        await session.commit_transaction()
    assert await db.x.count_documents({"_id": 1}) == 1


async def test_other_writers_wait_for_the_transaction(client: Any, db: Any) -> None:
    async with client.start_session() as session:
        await session.start_transaction()
        await db.x.insert_one({"_id": 1, "n": 0}, session=session)
        outside = asyncio.ensure_future(db.x.update_one({"_id": 1}, {"$inc": {"n": 10}}))
        await asyncio.sleep(0.05)
        assert not outside.done()
        await db.x.update_one({"_id": 1}, {"$inc": {"n": 1}}, session=session)
        await session.commit_transaction()
    await outside
    assert (await db.x.find_one({"_id": 1}))["n"] == 11


async def test_a_write_without_the_session_inside_its_own_transaction_fails_loudly(client: Any, db: Any) -> None:
    async with client.start_session() as session:
        await session.start_transaction()
        with pytest.raises(InvalidOperation, match="session"):
            await db.x.insert_one({"_id": 1})
        await session.abort_transaction()
