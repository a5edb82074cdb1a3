"""The part of PyMongo's async API the application speaks, as Protocols a checker verifies.

Both engines satisfy these: ``pymongo.AsyncMongoClient`` and its databases, collections, cursors
and sessions, and the embedded engine's ``EmbeddedClient`` and the rest; ``connect`` is declared
to return a ``Client``, so mypy checks both against every method here. Services and queries take a
``Database`` and reach collections as ``db.users`` or ``db["users"]``. Only what the application
calls is here: a method the code needs that is missing is added here (and, if the embedded engine
lacks it, to the engine, see ``shared/design/STORAGE.md``).

A statement's ``session=`` is typed ``Any``: each engine accepts only its own session class, so
no one type is accepted by both; pass the ``ClientSession`` that ``client.start_session()`` gave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeVar

from pymongo import DeleteMany, DeleteOne, IndexModel, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.results import BulkWriteResult, DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

T = TypeVar("T")

Document = dict[str, Any]
"""A stored document as both engines return it."""
Filter = Mapping[str, Any]
Update = Mapping[str, Any]
Pipeline = list[Mapping[str, Any]]
Projection = Mapping[str, Any] | Iterable[str]
SortSpec = str | Sequence[tuple[str, int]] | Mapping[str, Any]
"""A field name, ``[(field, 1 or -1), ...]`` or a mapping of the same."""
WriteOp = InsertOne[Document] | ReplaceOne[Document] | UpdateOne | UpdateMany | DeleteOne | DeleteMany
"""One request of ``bulk_write``."""


class Cursor(Protocol):
    """``find``'s answer: chain ``sort``/``skip``/``limit``, then ``to_list`` or ``async for``."""

    def sort(self, key_or_list: SortSpec, direction: int | None = None) -> Cursor: ...

    def skip(self, skip: int) -> Cursor: ...

    def limit(self, limit: int) -> Cursor: ...

    def to_list(self, length: int | None = None) -> Awaitable[list[Document]]: ...

    def __aiter__(self) -> AsyncIterator[Document]: ...


class CommandCursor(Protocol):
    """``aggregate``'s answer."""

    def to_list(self, length: int | None = None) -> Awaitable[list[Document]]: ...

    def __aiter__(self) -> AsyncIterator[Document]: ...


class Collection(Protocol):
    @property
    def name(self) -> str: ...

    def find(self, filter: Filter | None = None, projection: Projection | None = None, *, skip: int = 0,
             limit: int = 0, sort: SortSpec | None = None, session: Any = None) -> Cursor: ...

    def find_one(self, filter: Filter | None = None, projection: Projection | None = None, *,
                 sort: SortSpec | None = None, session: Any = None) -> Awaitable[Document | None]: ...

    def count_documents(self, filter: Filter, /, *, session: Any = None, limit: int = 0) -> Awaitable[int]: ...

    def distinct(self, key: str, filter: Filter | None = None, /, *, session: Any = None) -> Awaitable[list[Any]]: ...

    def aggregate(self, pipeline: Pipeline, /, *, session: Any = None) -> Awaitable[CommandCursor]: ...

    def insert_one(self, document: Document, /, *, session: Any = None) -> Awaitable[InsertOneResult]: ...

    def insert_many(self, documents: Iterable[Document], /, ordered: bool = True, *,
                    session: Any = None) -> Awaitable[InsertManyResult]: ...

    def update_one(self, filter: Filter, update: Update, /, upsert: bool = False, *,
                   session: Any = None) -> Awaitable[UpdateResult]: ...

    def update_many(self, filter: Filter, update: Update, /, upsert: bool = False, *,
                    session: Any = None) -> Awaitable[UpdateResult]: ...

    def replace_one(self, filter: Filter, replacement: Mapping[str, Any], /, upsert: bool = False, *,
                    session: Any = None) -> Awaitable[UpdateResult]: ...

    def find_one_and_update(self, filter: Filter, update: Update, /, projection: Projection | None = None, *,
                            sort: Sequence[tuple[str, int]] | None = None, upsert: bool = False,
                            return_document: bool = False, session: Any = None) -> Awaitable[Document | None]: ...

    def delete_one(self, filter: Filter, /, *, session: Any = None) -> Awaitable[DeleteResult]: ...

    def delete_many(self, filter: Filter, /, *, session: Any = None) -> Awaitable[DeleteResult]: ...

    def bulk_write(self, requests: Sequence[WriteOp], /, ordered: bool = True, *,
                   session: Any = None) -> Awaitable[BulkWriteResult]: ...

    def create_indexes(self, indexes: Sequence[IndexModel], /) -> Awaitable[list[str]]: ...

    def drop_index(self, index_or_name: str, /) -> Awaitable[None]: ...

    def index_information(self) -> Awaitable[Mapping[str, Any]]: ...

    def drop(self, *, session: Any = None) -> Awaitable[None]: ...


class ClientSession(Protocol):
    """What ``client.start_session()`` gives; ``async with`` ends it."""

    @property
    def in_transaction(self) -> bool: ...

    def start_transaction(self) -> Awaitable[Any]: ...

    def commit_transaction(self) -> Awaitable[None]: ...

    def abort_transaction(self) -> Awaitable[None]: ...

    def with_transaction(self, callback: Callable[[ClientSession], Awaitable[T]], /) -> Awaitable[T]: ...

    def end_session(self) -> Awaitable[None]: ...

    def __aenter__(self) -> Awaitable[ClientSession]: ...

    def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                  traceback: TracebackType | None, /) -> Awaitable[None]: ...


class Database(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def client(self) -> Client: ...

    def __getitem__(self, name: str, /) -> Collection: ...

    def __getattr__(self, name: str, /) -> Collection: ...

    def list_collection_names(self, *, session: Any = None) -> Awaitable[list[str]]: ...

    def command(self, command: str, /) -> Awaitable[Mapping[str, Any]]: ...


class Client(Protocol):
    """What ``community.storage.connect`` returns."""

    def __getitem__(self, name: str, /) -> Database: ...

    def start_session(self) -> ClientSession: ...

    def close(self) -> Awaitable[None]: ...
