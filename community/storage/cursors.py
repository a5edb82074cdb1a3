"""The embedded engine's cursors: ``find``'s, and ``aggregate``'s and ``list_indexes``'s."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidOperation

from community.storage.shaping import normalize_sort

if TYPE_CHECKING:
    from community.storage.client import EmbeddedCollection
    from community.storage.sessions import EmbeddedSession
    from community.storage.tables import Scan

BATCH_ROWS = 1000
"""Documents per batch of an ``async for`` without ``batch_size``: few enough to hold, many
enough that the round trip to a reader thread (200-350 us) is a small part of each."""


class EmbeddedCursor:
    """``find``'s cursor: chain ``sort``/``skip``/``limit``/``batch_size``, then ``to_list`` or
    ``async for``. Documents come from SQLite in batches (``tables.Scan``): ``async for`` holds
    at most one batch (``batch_size``, else ``BATCH_ROWS``) and fetches the next when it runs
    out; ``to_list`` fetches what it was asked for, in ``batch_size`` batches if one was set."""

    def __init__(self, collection: EmbeddedCollection, filter_: Any, projection: Any, skip: int, limit: int,
                 sort: list[tuple[str, int]], session: EmbeddedSession | None) -> None:
        self._collection = collection
        self._filter = filter_
        self._projection = projection
        self._skip = skip
        self._limit = limit
        self._sort = sort
        self._session = session
        self._batch_size = 0
        self._scan: Scan | None = None
        self._buffer: deque[dict[str, Any]] = deque()
        self._exhausted = False

    def _check(self) -> None:
        if self._scan is not None or self._exhausted:
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
        """At most this many documents per batch from SQLite (0: the default)."""
        if not isinstance(batch_size, int) or isinstance(batch_size, bool):
            raise TypeError("batch_size must be an integer")
        if batch_size < 0:
            raise ValueError("batch_size must be >= 0")
        self._check()
        self._batch_size = batch_size
        return self

    async def _fetch(self, size: int) -> None:
        """The next batch into the buffer: ``size`` documents, 0 for all the rest."""
        if self._scan is None:  # a first batch that fails leaves the cursor as it was, to run again
            self._scan, docs, _ = await self._collection._query(
                self._filter, self._projection, self._sort, self._skip, self._limit, size=size, session=self._session)
        else:
            try:
                docs = await self._collection._get_more(self._scan, self._projection, size, session=self._session)
            except BaseException:
                self._exhausted = True  # a batch that did not arrive leaves no position to resume from
                raise
        self._buffer.extend(docs)
        if self._scan.done:
            self._exhausted = True

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        buffer = self._buffer
        while length is None or len(out) < length:
            if buffer:
                if length is None:
                    out.extend(buffer)
                    buffer.clear()
                else:
                    for _ in range(min(length - len(out), len(buffer))):
                        out.append(buffer.popleft())
                continue
            if self._exhausted:
                break
            bounds = [n for n in (0 if length is None else length - len(out), self._batch_size) if n]
            await self._fetch(min(bounds) if bounds else 0)
        return out

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if not self._buffer and not self._exhausted:
            await self._fetch(self._batch_size or BATCH_ROWS)
        if not self._buffer:
            raise StopAsyncIteration
        return self._buffer.popleft()

    async def next(self) -> dict[str, Any]:
        return await self.__anext__()

    async def explain(self) -> dict[str, Any]:
        """MongoDB-shaped ``explain`` output: the winning plan (``IXSCAN`` with ``indexName``, or
        ``COLLSCAN``) and ``executionStats`` with keys and documents examined."""
        _, _, stats = await self._collection._query(self._filter, self._projection, self._sort, self._skip,
                                                    self._limit, size=0, session=self._session)
        return stats.explain(self._collection.full_name)

    async def close(self) -> None:
        self._buffer.clear()
        self._exhausted = True

    async def __aenter__(self) -> EmbeddedCursor:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class EmbeddedCommandCursor:
    """``aggregate``'s cursor."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self._docs = deque(docs)

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        docs = self._docs
        if length is None:
            out = list(docs)
            docs.clear()
        else:
            out = [docs.popleft() for _ in range(min(length, len(docs)))]
        return out

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if not self._docs:
            raise StopAsyncIteration
        return self._docs.popleft()

    async def next(self) -> dict[str, Any]:
        return await self.__anext__()

    async def close(self) -> None:
        self._docs.clear()

    async def __aenter__(self) -> EmbeddedCommandCursor:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
