"""Small in-process caches for the read path, each keyed so that staleness is bounded.

- Thread pages' rows are keyed by the thread's ``version``, which every write that changes what
  a thread page shows increments in the same transaction. The thread document is read on every
  request, so a change made by any process is seen at once; the time-to-live only bounds how
  long an author's renamed or erased name can linger in a page that has not changed since.
- Categories are kept for a couple of seconds: their privacy (``org_id``) never changes after
  creation, and counters a second or two old are fine on a busy page.

Nothing here is shared by two apps in one process (as tests and the benches make them): what
was read from a store is kept per store (:func:`of_store`, found from the ``db`` the services
are given), and what an app rendered is kept on the app (:data:`RENDERED`), since it depends on
the app's templates and settings too.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from aiohttp import web

from community.forums.rendering import PostCache
from community.storage.api import Database


class TTLCache:
    def __init__(self, ttl_seconds: float, max_entries: int) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] < time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class StoreCaches:
    """What was read from one database."""

    def __init__(self) -> None:
        self.categories = TTLCache(ttl_seconds=2.0, max_entries=2_000)
        self.thread_rows = TTLCache(ttl_seconds=30.0, max_entries=2_000)


_BY_CLIENT: weakref.WeakKeyDictionary[Any, dict[str, StoreCaches]] = weakref.WeakKeyDictionary()
"""Per database client, then database name; an entry goes when its client is collected, so a
closed app's store is not kept alive by its cache."""


def of_store(db: Database) -> StoreCaches:
    """The caches of ``db``'s data (a database object of either driver: both have ``client`` and ``name``)."""
    by_name = _BY_CLIENT.get(db.client)
    if by_name is None:
        by_name = _BY_CLIENT[db.client] = {}
    found = by_name.get(db.name)
    if found is None:
        found = by_name[db.name] = StoreCaches()
    return found


class RenderedCaches:
    """What one app rendered for signed-out readers, and its rendered posts (``community.forums.rendering``)."""

    def __init__(self) -> None:
        self.api_pages = TTLCache(ttl_seconds=30.0, max_entries=2_000)
        self.pages = TTLCache(ttl_seconds=30.0, max_entries=2_000)
        """Signed-out thread pages, keyed by thread version, path and language; the CSRF token is a placeholder."""
        self.posts = PostCache()


RENDERED: web.AppKey[RenderedCaches] = web.AppKey("forum_rendered", RenderedCaches)
