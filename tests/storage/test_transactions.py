"""Sessions and transactions: all-or-nothing, and isolated from readers until commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import ReadPreference, WriteConcern, client_session_shared
from pymongo.client_session import TransactionOptions
from pymongo.errors import ConfigurationError, DuplicateKeyError, InvalidOperation, OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern


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
        with pytest.raises(InvalidOperation, match="abortTransaction twice"):
            await session.abort_transaction()
        with pytest.raises(InvalidOperation, match="commitTransaction after calling abortTransaction"):
            await session.commit_transaction()
        async with await session.start_transaction():
            await db.x.insert_one({"_id": "kept"}, session=session)
        await session.commit_transaction()  # PyMongo retries a commit; the server answers it again
        with pytest.raises(InvalidOperation, match="abortTransaction after calling commitTransaction"):
            await session.abort_transaction()
    assert [d["_id"] async for d in db.x.find()] == ["kept"]
    async with client.start_session() as session:
        with pytest.raises(InvalidOperation, match="No transaction started"):
            await session.commit_transaction()


def _no_such_transaction(error: OperationFailure) -> bool:
    return (error.code == 251 and error.details["codeName"] == "NoSuchTransaction"
            and error.has_error_label("TransientTransactionError"))


async def test_a_caught_error_aborts_the_transaction_and_nothing_is_written(client: Any, db: Any) -> None:
    await db.threads.create_index("slug", unique=True)
    await db.threads.insert_one({"slug": "taken"})
    async with client.start_session() as session:
        await session.start_transaction()
        await db.log.insert_one({"event": "before"}, session=session)
        with pytest.raises(DuplicateKeyError) as duplicate:
            await db.threads.insert_one({"slug": "taken"}, session=session)
        assert not duplicate.value.has_error_label("TransientTransactionError")
        assert session.in_transaction  # as in PyMongo: the server aborted it, the session does not know yet
        # The transaction's lock is gone at once: a write outside it does not wait for its end.
        await asyncio.wait_for(db.other.insert_one({"_id": 1}), 5)
        with pytest.raises(OperationFailure) as later:
            await db.threads.insert_one({"slug": "taken-2"}, session=session)
        assert _no_such_transaction(later.value)
        with pytest.raises(OperationFailure) as read:
            await db.threads.find_one({}, session=session)
        assert _no_such_transaction(read.value)
        with pytest.raises(OperationFailure) as commit:
            await session.commit_transaction()
        assert _no_such_transaction(commit.value)
        assert not session.in_transaction
        with pytest.raises(OperationFailure):
            await session.commit_transaction()  # retrying the commit gets the same answer
    assert await db.log.count_documents({}) == 0
    assert await db.threads.distinct("slug") == ["taken"]


@pytest.mark.parametrize("statement", [
    lambda db, s: db.c.update_one({"_id": 1}, {"$inc": {"n": 1}}, session=s),   # a write error
    lambda db, s: db.c.find({"$where": "1"}, session=s).to_list(),              # a refused filter
    lambda db, s: db.c.aggregate([{"$out": "x"}], session=s),                   # a refused stage
    lambda db, s: db.c.list_indexes(session=s),                                 # not allowed in a transaction
    lambda db, s: db.c.estimated_document_count(session=s),                     # MongoDB's count: not allowed either
])
async def test_every_failed_statement_aborts(client: Any, db: Any, statement: Any) -> None:
    await db.c.insert_one({"_id": 1, "n": "text"})
    async with client.start_session() as session:
        await session.start_transaction()
        await db.c.insert_one({"_id": 2}, session=session)
        with pytest.raises(OperationFailure) as failed:
            await statement(db, session)
        assert not _no_such_transaction(failed.value)
        with pytest.raises(OperationFailure) as commit:
            await session.commit_transaction()
        assert _no_such_transaction(commit.value)
    assert await db.c.count_documents({}) == 1


async def test_client_side_refusals_leave_the_transaction_alone(client: Any, db: Any) -> None:
    async with client.start_session() as session:
        async with await session.start_transaction():
            await db.c.insert_one({"_id": 1}, session=session)
            assert await db.c.count_documents({}, session=session) == 1  # an aggregation, allowed
            with pytest.raises(ValueError):
                await db.c.update_one({"_id": 1}, {"n": 1}, session=session)  # PyMongo refuses it unsent
            with pytest.raises(OverflowError, match="8-byte ints"):
                await db.c.find_one({"n": 2 ** 64}, session=session)
            await db.c.insert_one({"_id": 2}, session=session)
    assert await db.c.count_documents({}) == 2


async def test_with_transaction_runs_the_callback_again_after_a_swallowed_error(client: Any, db: Any) -> None:
    await db.threads.create_index("slug", unique=True)
    await db.threads.insert_one({"slug": "taken"})
    attempts: list[int] = []

    async def work(session: Any) -> str:
        attempts.append(len(attempts) + 1)
        slug = "taken" if len(attempts) == 1 else "fresh"
        await db.log.insert_one({"attempt": len(attempts)}, session=session)
        try:
            await db.threads.insert_one({"slug": slug}, session=session)
        except DuplicateKeyError:
            pass  # wrong on MongoDB: the transaction is already aborted
        return slug

    async with client.start_session() as session:
        assert await session.with_transaction(work) == "fresh"
    assert attempts == [1, 2]
    assert [d["attempt"] async for d in db.log.find()] == [2]
    assert sorted(await db.threads.distinct("slug")) == ["fresh", "taken"]


async def test_with_transaction_gives_up_after_pymongos_time_limit(client: Any, db: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_session_shared, "_WITH_TRANSACTION_RETRY_TIME_LIMIT", 0.3)
    await db.c.insert_one({"_id": 1})

    async def work(session: Any) -> None:
        try:
            await db.c.insert_one({"_id": 1}, session=session)
        except DuplicateKeyError:
            pass

    async with client.start_session() as session:
        with pytest.raises(PyMongoError) as caught:
            await session.with_transaction(work)
    assert caught.value.has_error_label("TransientTransactionError")
    assert await db.c.count_documents({}) == 1


async def test_an_error_raised_by_the_callback_is_not_retried(client: Any, db: Any) -> None:
    attempts = []

    async def work(session: Any) -> None:
        attempts.append(1)
        await db.c.insert_one({"_id": 1}, session=session)
        await db.c.insert_one({"_id": 1}, session=session)

    async with client.start_session() as session:
        with pytest.raises(DuplicateKeyError):
            await session.with_transaction(work)
    assert attempts == [1]
    assert await db.c.count_documents({}) == 0


async def test_transaction_options_are_inherited_and_checked(client: Any, db: Any) -> None:
    options = TransactionOptions(read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority"))
    async with client.start_session(default_transaction_options=options) as session:
        async with await session.start_transaction():
            await db.c.insert_one({"_id": 1}, session=session)
        with pytest.raises(InvalidOperation, match="must be primary"):
            await session.start_transaction(read_preference=ReadPreference.SECONDARY_PREFERRED)
        assert not session.in_transaction
    assert await db.c.count_documents({}) == 1
    with pytest.raises(ConfigurationError, match="w=3"):
        client.start_session(default_transaction_options=TransactionOptions(write_concern=WriteConcern(w=3)))
    with pytest.raises(TypeError):
        client.start_session(default_transaction_options={"readConcern": "majority"})
    with pytest.raises(ConfigurationError, match="snapshot sessions"):
        client.start_session(snapshot=True)


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


async def test_a_session_passed_by_position_is_aborted_too(client: Any, db: Any) -> None:
    await db.c.insert_one({"_id": 1})
    async with client.start_session() as session:
        await session.start_transaction()
        with pytest.raises(OperationFailure):
            await db.c.list_indexes(session)
        with pytest.raises(OperationFailure) as later:
            await db.c.insert_one({"_id": 2}, session=session)
        assert _no_such_transaction(later.value)
        await session.abort_transaction()
    assert await db.c.count_documents({}) == 1
