"""The background indexer: drains the outbox into the search engine.

Each round takes the oldest due entries, reads the current stored state of each document they
name (``search.documents.load``), writes that to the engine, and only then removes the entries.
A crash anywhere in a round leaves the entries in place, and replaying them writes the same
documents again, so a restart loses nothing and corrupts nothing. An entry whose round fails is
retried with exponential backoff; the failure of one index's writes does not hold up another's.

Every process runs an indexer. On an embedded index folder several processes share, only the
one holding the writer indexes; the others' rounds take nothing (``SearchEngine.can_write``),
without a retry or a log line, until the writer stops and one of them takes it over.
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
from community.storage import in_transaction
from community.storage.api import Database
from search.outbox import OUTBOX, lag

log = logging.getLogger("community.search")

BATCH = 200
POLL_SECONDS = 0.5
GATHER_SECONDS = 0.05
"""How long a woken indexer waits before its round, so that the entries of changes committed
meanwhile (replies arriving one after another) share the round: one search commit and one
outbox transaction for all of them instead of one per change."""
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
LAG_LOG_SECONDS = 60.0


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1, 2, 4, ... seconds, at most five minutes)."""
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


class Indexer:
    def __init__(self, db: Database, engine: SearchEngine, *, batch: int = BATCH, poll: float = POLL_SECONDS,
                 gather: float = GATHER_SECONDS) -> None:
        self.db = db
        self.engine = engine
        self.batch = batch
        self.poll = poll
        self.gather = gather
        self._wake = asyncio.Event()
        self._turn = asyncio.Lock()

    def notify(self) -> None:
        """Start the next round now rather than at the next poll (call after a commit)."""
        self._wake.set()

    async def run_once(self) -> int:
        """One round: the number of due outbox entries it took (indexed, or postponed after a failure);
        none while another process writes the index. Rounds in one process take turns: a round
        writes what it read before its awaits, so one running beside another could write a
        document's older state after the other wrote its newer one (a ``drain`` beside the
        background task's round), and a ``drain`` that returns has seen that round finish too."""
        async with self._turn:
            return await self._round()

    async def _round(self) -> int:
        if not await self.engine.can_write():
            return 0
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
        if done or failed:
            await in_transaction(self.db, lambda session: self._settle(session, done, failed))
        for ids, reason in failed:
            log.warning("search indexing failed; will retry", extra={"entries": len(ids), "error": reason[:200]})
        return len(entries)

    async def _settle(self, session: Any, done: list[Any], failed: list[tuple[list[Any], str]]) -> None:
        """The round's outbox writes, in one transaction: indexed entries go, failed ones wait."""
        if done:
            await self.db[OUTBOX].delete_many({"_id": {"$in": done}}, session=session)
        now = datetime.now(UTC)
        for ids, reason in failed:
            for entry in await self.db[OUTBOX].find({"_id": {"$in": ids}}, session=session).to_list(None):
                attempts = int(entry.get("attempts", 0)) + 1
                await self.db[OUTBOX].update_one({"_id": entry["_id"]}, {"$set": {
                    "attempts": attempts, "next_attempt_at": now + backoff(attempts), "last_error": reason[:500]}},
                    session=session)

    async def drain(self) -> int:
        """Rounds until nothing is due; the number of entries taken."""
        total = 0
        while done := await self.run_once():
            total += done
        return total

    async def _rounds(self) -> int:
        """Rounds until one is not full (it took everything due then; a commit since has woken
        the indexer again), so that no round is spent finding nothing."""
        total = 0
        while True:
            taken = await self.run_once()
            total += taken
            if taken < self.batch:
                return total

    async def run(self) -> None:
        """Run until cancelled. The lag is logged in the first round, then at most every
        ``LAG_LOG_SECONDS``, whenever entries are waiting."""
        last_report: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                taken = await self._rounds()
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
            try:  # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancel that meets a wake-up
                async with asyncio.timeout(self.poll):
                    await self._wake.wait()
                await asyncio.sleep(self.gather)
            except TimeoutError:
                pass
            self._wake.clear()
