"""Small in-process caches for the read path, each keyed so that staleness is bounded.

- Thread pages' rows are keyed by the thread's ``version``, which every write that changes what
  a thread page shows increments in the same transaction. The thread document is read on every
  request, so a change made by any process is seen at once; the time-to-live only bounds how
  long an author's renamed or erased name can linger in a page that has not changed since.
- Categories are kept for a couple of seconds: their privacy (``org_id``) never changes after
  creation, and counters a second or two old are fine on a busy page.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


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


CATEGORIES = TTLCache(ttl_seconds=2.0, max_entries=2_000)
THREAD_ROWS = TTLCache(ttl_seconds=30.0, max_entries=2_000)
API_PAGES = TTLCache(ttl_seconds=30.0, max_entries=2_000)
PAGES = TTLCache(ttl_seconds=30.0, max_entries=2_000)
"""Signed-out thread pages, keyed by thread version, path and language; the CSRF token is a placeholder."""
