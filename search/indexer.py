"""The background indexer: drains the outbox into the search engine.

Each round takes the oldest due entries, reads the current stored state of each document they
name (``search.documents.load``), writes that to the engine, and only then removes the entries.
A crash anywhere in a round leaves the entries in place, and replaying them writes the same
documents again, so a restart loses nothing and corrupts nothing. An entry whose round fails is
retried with exponential backoff; the failure of one index's writes does not hold up another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING

from search import documents
from search.engine import SearchEngine
from search.outbox import OUTBOX, lag

log = logging.getLogger("community.search")

BATCH = 200
POLL_SECONDS = 0.5
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
LAG_LOG_SECONDS = 60.0


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1, 2, 4, ... seconds, at most five minutes)."""
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


class Indexer:
    def __init__(self, db: Any, engine: SearchEngine, *, batch: int = BATCH, poll: float = POLL_SECONDS) -> None:
        self.db = db
        self.engine = engine
        self.batch = batch
        self.poll = poll
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Start the next round now rather than at the next poll (call after a commit)."""
        self._wake.set()

    async def run_once(self) -> int:
        """One round: the number of due outbox entries it took (indexed, or postponed after a failure)."""
        now = datetime.now(UTC)
        entries = await self.db[OUTBOX].find({"next_attempt_at": {"$lte": now}}).sort(
            [("next_attempt_at", ASCENDING), ("_id", ASCENDING)]).limit(self.batch).to_list(None)
        if not entries:
            return 0
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in sorted(entries, key=lambda e: e["_id"]):
            latest[(entry["index"], entry["doc_id"])] = entry
        upserts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        deletes: dict[str, list[str]] = defaultdict(list)
        sources: dict[str, list[Any]] = defaultdict(list)
        failed: list[tuple[list[Any], str]] = []
        for (index, doc_id), entry in latest.items():
            ids = [e["_id"] for e in entries if e["index"] == index and e["doc_id"] == doc_id]
            try:
                changes = (documents.Changes(deletes=[doc_id]) if entry["op"] == "delete"
                           else await documents.load(self.db, index, doc_id))
            except Exception as error:  # one bad document must not stop the others; it is retried
                failed.append((ids, repr(error)))
                continue
            upserts[index].extend(changes.upserts)
            deletes[index].extend(changes.deletes)
            sources[index].extend(ids)
        done: list[Any] = []
        for index, ids in sources.items():
            try:
                if deletes[index]:
                    await self.engine.delete(index, deletes[index])
                if upserts[index]:
                    await self.engine.upsert(index, upserts[index])
            except Exception as error:  # the engine may be down; these entries wait and retry
                failed.append((ids, repr(error)))
                continue
            done.extend(ids)
        if done:
            await self.db[OUTBOX].delete_many({"_id": {"$in": done}})
        for ids, reason in failed:
            await self._postpone(ids, reason)
        return len(entries)

    async def _postpone(self, ids: list[Any], reason: str) -> None:
        now = datetime.now(UTC)
        for entry in await self.db[OUTBOX].find({"_id": {"$in": ids}}).to_list(None):
            attempts = int(entry.get("attempts", 0)) + 1
            await self.db[OUTBOX].update_one({"_id": entry["_id"]}, {"$set": {
                "attempts": attempts, "next_attempt_at": now + backoff(attempts), "last_error": reason[:500]}})
        log.warning("search indexing failed; will retry", extra={"entries": len(ids), "error": reason[:200]})

    async def drain(self) -> int:
        """Rounds until nothing is due; the number of entries taken."""
        total = 0
        while done := await self.run_once():
            total += done
        return total

    async def run(self) -> None:
        """Run until cancelled. The lag is logged in the first round, then at most every
        ``LAG_LOG_SECONDS``, whenever entries are waiting."""
        last_report: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                taken = await self.drain()
                if taken:
                    log.debug("search outbox drained", extra={"entries": taken})
                if last_report is None or loop.time() - last_report >= LAG_LOG_SECONDS:
                    behind = await lag(self.db)
                    if behind.pending:
                        log.info("search indexing lag", extra={"pending": behind.pending,
                                                               "oldest_seconds": round(behind.oldest_seconds, 1),
                                                               "failing": behind.failing})
                    last_report = loop.time()
            except Exception as error:  # storage hiccup: log, wait, try again; entries stay safe
                log.warning("search indexer round failed", extra={"error": repr(error)})
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except TimeoutError:
                pass
            self._wake.clear()
