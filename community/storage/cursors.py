"""The embedded engine's cursors: ``find``'s, and ``aggregate``'s and ``list_indexes``'s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidOperation

from community.storage.shaping import normalize_sort

if TYPE_CHECKING:
    from community.storage.client import EmbeddedCollection
    from community.storage.sessions import EmbeddedSession


class EmbeddedCursor:
    """``find``'s cursor: chain ``sort``/``skip``/``limit``, then ``to_list`` or ``async for``."""

    def __init__(self, collection: EmbeddedCollection, filter_: Any, projection: Any, skip: int, limit: int,
                 sort: list[tuple[str, int]], session: EmbeddedSession | None) -> None:
        self._collection = collection
        self._filter = filter_
        self._projection = projection
        self._skip = skip
        self._limit = limit
        self._sort = sort
        self._session = session
        self._buffer: list[dict[str, Any]] | None = None

    def _check(self) -> None:
        if self._buffer is not None:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key_or_list: Any, direction: Any = None) -> EmbeddedCursor:
        self._check()
        self._sort = normalize_sort(key_or_list, direction)
        return self

    def skip(self, skip: int) -> EmbeddedCursor:
        if not isinstance(skip, int) or isinstance(skip, bool):
            raise TypeError("skip must be an integer")
        if skip < 0:
            raise ValueError("skip must be >= 0")
        self._check()
        self._skip = skip
        return self

    def limit(self, limit: int) -> EmbeddedCursor:
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError("limit must be an integer")
        self._check()
        self._limit = abs(limit)
        return self

    def batch_size(self, batch_size: int) -> EmbeddedCursor:
        return self

    async def _load(self) -> list[dict[str, Any]]:
        if self._buffer is None:
            docs, _ = await self._collection._query(self._filter, self._projection, self._sort, self._skip,
                                                    self._limit, session=self._session)
            self._buffer = docs
        return self._buffer

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        buffer = await self._load()
        if length is None:
            out, self._buffer = list(buffer), []
        else:
            out, self._buffer = buffer[:length], buffer[length:]
        return out

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        buffer = await self._load()
        if not buffer:
            raise StopAsyncIteration
        return buffer.pop(0)

    async def next(self) -> dict[str, Any]:
        return await self.__anext__()

    async def explain(self) -> dict[str, Any]:
        """MongoDB-shaped ``explain`` output: the winning plan (``IXSCAN`` with ``indexName``, or
        ``COLLSCAN``) and ``executionStats`` with keys and documents examined."""
        _, stats = await self._collection._query(self._filter, self._projection, self._sort, self._skip,
                                                 self._limit, session=self._session)
        return stats.explain(self._collection.full_name)

    async def close(self) -> None:
        self._buffer = []

    async def __aenter__(self) -> EmbeddedCursor:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class EmbeddedCommandCursor:
    """``aggregate``'s cursor."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self._docs = docs

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        if length is None:
            out, self._docs = self._docs, []
        else:
            out, self._docs = self._docs[:length], self._docs[length:]
        return out

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if not self._docs:
            raise StopAsyncIteration
        return self._docs.pop(0)

    async def next(self) -> dict[str, Any]:
        return await self.__anext__()

    async def close(self) -> None:
        self._docs = []

    async def __aenter__(self) -> EmbeddedCommandCursor:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
