"""The embedded engine's sessions and their transactions, shaped like PyMongo's ``AsyncClientSession``."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pymongo import client_session_shared
from pymongo.client_session import TransactionOptions
from pymongo.errors import InvalidOperation, OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.read_preferences import ReadPreference, _ServerMode
from pymongo.write_concern import WriteConcern

if TYPE_CHECKING:
    from community.storage.client import EmbeddedClient

T = TypeVar("T")


class _TransactionContext:
    def __init__(self, session: EmbeddedSession) -> None:
        self._session = session

    async def __aenter__(self) -> _TransactionContext:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._session.in_transaction:
            if exc is None:
                await self._session.commit_transaction()
            else:
                await self._session.abort_transaction()


_NO_TRANSACTION, _IN_PROGRESS, _COMMITTED, _ABORTED = "none", "in progress", "committed", "aborted"


class EmbeddedSession:
    """Shaped like ``AsyncClientSession``: a transaction is all-or-nothing; while one is open,
    other writers wait (writes are serialised), readers outside it see the last commit.

    As on MongoDB, a statement that fails inside a transaction aborts it at once (its writes are
    rolled back and other writers may go on); until the caller ends it, every later statement
    and the commit raise ``NoSuchTransaction`` (code 251) labelled ``TransientTransactionError``,
    and ``with_transaction`` then runs its callback again, as PyMongo's does. The states and
    their ``InvalidOperation`` errors are PyMongo's: committing again after a commit is allowed.
    """

    def __init__(self, client: EmbeddedClient, default_transaction_options: TransactionOptions | None = None) -> None:
        self.client = client
        self._engine = client.engine
        self._defaults = default_transaction_options
        self._state = _NO_TRANSACTION
        self._aborted_by_server = False
        self._commit_failed: OperationFailure | None = None
        self._txn_number = 0
        self._ended = False

    @property
    def in_transaction(self) -> bool:
        return self._state == _IN_PROGRESS

    @property
    def has_ended(self) -> bool:
        return self._ended

    def _no_such_transaction(self) -> OperationFailure:
        message = f"Transaction with {{ txnNumber: {self._txn_number} }} has been aborted."
        return OperationFailure(message, code=251, details={
            "ok": 0.0, "errmsg": message, "code": 251, "codeName": "NoSuchTransaction",
            "errorLabels": ["TransientTransactionError"],
        })

    async def _server_aborted(self) -> None:
        """A statement failed: roll the transaction back now, as MongoDB does."""
        if self._state == _IN_PROGRESS and not self._aborted_by_server:
            self._aborted_by_server = True
            await self._engine.finish(commit=False)

    def _inherit(self, name: str, value: Any) -> Any:
        if value is None and self._defaults is not None:
            value = getattr(self._defaults, name)
        return value

    async def start_transaction(self, read_concern: ReadConcern | None = None,
                                write_concern: WriteConcern | None = None,
                                read_preference: _ServerMode | None = None,
                                max_commit_time_ms: int | None = None) -> _TransactionContext:
        if self._ended:
            raise InvalidOperation("Cannot use ended session")
        if self.in_transaction:
            raise InvalidOperation("Transaction already in progress")
        options = TransactionOptions(self._inherit("read_concern", read_concern),
                                     self._inherit("write_concern", write_concern),
                                     self._inherit("read_preference", read_preference),
                                     self._inherit("max_commit_time_ms", max_commit_time_ms))
        self.client.engine.check_concerns("start_transaction", read_concern=options.read_concern,
                                          write_concern=options.write_concern,
                                          read_preference=options.read_preference)
        if options.read_preference is not None and options.read_preference.mode != ReadPreference.PRIMARY.mode:
            raise InvalidOperation(f"read preference in a transaction must be primary, not: {options.read_preference!r}")
        await self._engine.begin(self)
        self._txn_number += 1
        self._state = _IN_PROGRESS
        self._aborted_by_server = False
        self._commit_failed = None
        return _TransactionContext(self)

    async def commit_transaction(self) -> None:
        if self._ended:
            raise InvalidOperation("Cannot use ended session")
        if self._state == _NO_TRANSACTION:
            raise InvalidOperation("No transaction started")
        if self._state == _ABORTED:
            raise InvalidOperation("Cannot call commitTransaction after calling abortTransaction")
        if self._state == _COMMITTED:
            # PyMongo retries the commit; MongoDB answers it as it answered the first time.
            if self._commit_failed is not None:
                raise self._commit_failed
            return
        self._state = _COMMITTED
        if self._aborted_by_server:
            self._commit_failed = self._no_such_transaction()
            raise self._commit_failed
        await self._engine.finish(commit=True)

    async def abort_transaction(self) -> None:
        if self._ended:
            raise InvalidOperation("Cannot use ended session")
        if self._state == _NO_TRANSACTION:
            raise InvalidOperation("No transaction started")
        if self._state == _ABORTED:
            raise InvalidOperation("Cannot call abortTransaction twice")
        if self._state == _COMMITTED:
            raise InvalidOperation("Cannot call abortTransaction after calling commitTransaction")
        self._state = _ABORTED
        if not self._aborted_by_server:  # else MongoDB has rolled it back already
            await self._engine.finish(commit=False)

    async def with_transaction(self, callback: Callable[[EmbeddedSession], Awaitable[T]],
                               read_concern: ReadConcern | None = None, write_concern: WriteConcern | None = None,
                               read_preference: _ServerMode | None = None,
                               max_commit_time_ms: int | None = None) -> T:
        """Run ``callback(session)`` in a transaction and commit it, as PyMongo's does: on an error
        labelled ``TransientTransactionError`` (a statement failed and the caller carried on)
        the whole callback runs again, with PyMongo's backoff, for up to PyMongo's time limit
        (120 seconds); any other error aborts the transaction and is raised."""
        start = time.monotonic()
        retry = 0
        last_error: BaseException | None = None
        while True:
            if retry:
                backoff = random.random() * min(client_session_shared._BACKOFF_INITIAL * (1.5 ** retry),  # noqa: S311
                                                client_session_shared._BACKOFF_MAX)
                if not client_session_shared._within_time_limit(start, backoff):
                    assert last_error is not None
                    raise client_session_shared._make_timeout_error(last_error) from last_error
                await asyncio.sleep(backoff)
            retry += 1
            await self.start_transaction(read_concern, write_concern, read_preference, max_commit_time_ms)
            try:
                result = await callback(self)
            except BaseException as exc:
                last_error = exc
                if self.in_transaction:
                    await self.abort_transaction()
                if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
                    if client_session_shared._within_time_limit(start):
                        continue
                    raise client_session_shared._make_timeout_error(exc) from exc
                raise
            if not self.in_transaction:
                return result  # the callback ended the transaction itself
            try:
                await self.commit_transaction()
            except PyMongoError as exc:
                last_error = exc
                if exc.has_error_label("TransientTransactionError"):
                    if client_session_shared._within_time_limit(start):
                        continue
                    raise client_session_shared._make_timeout_error(exc) from exc
                raise
            return result

    async def end_session(self) -> None:
        if self.in_transaction:
            await self.abort_transaction()
        self._ended = True

    async def __aenter__(self) -> EmbeddedSession:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.end_session()
