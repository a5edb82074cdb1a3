"""The job runner, in every process: claims due jobs with a lease and runs their handlers.

A round claims the soonest claimable jobs one at a time, each with one sorted conditional
update, so of several processes exactly one wins each job, on the embedded engine and on
MongoDB alike. Claiming moves ``claimable_at`` to the lease's
expiry: if the process is killed, another takes the job over then. On success a one-off job is
deleted and a recurring one moved to its next due time; on failure it is retried with backoff,
and after ``MAX_ATTEMPTS`` parked as ``failed`` with its error for an administrator. Both
completions are conditional on the lease token, so a job moved or retried meanwhile is left be.

A handler that has an effect records it with ``run.once(work)``: the effect and a marker under
the job's key and due time are written in one transaction, so a job run again after a crash
(its handler finished, the deletion did not) has no second effect.

Loops that stay outside: the search indexer and the notifier drain outboxes written by
transactions (work is "as soon as possible", not due at a time, with backoff per entry); the
presence heartbeat must run in every process for that process's own sockets; the embedded
engine's TTL sweep belongs to the engine below the app (MongoDB does it on its own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument

from community import keys
from community.jobs.registry import JOBS, JobKind, recurring_key
from community.jobs.schedule import EFFECTS, JOBS as JOBS_COLLECTION
from community.storage import in_transaction
from community.storage.api import Database

log = logging.getLogger("community.jobs")

LEASE = timedelta(minutes=5)
BATCH = 100
POLL_SECONDS = 1.0
MAX_ATTEMPTS = 5
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 3600.0
EFFECT_DAYS = 30
"""How long an effect's marker is kept (longer than any job is retried)."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class JobRun:
    """What a handler gets: the app's parts, the job, and the moment it was claimed."""

    app: Mapping[Any, Any]
    db: Database
    job: dict[str, Any]
    now: datetime

    @property
    def payload(self) -> dict[str, Any]:
        return self.job["payload"]

    @property
    def key(self) -> str:
        return self.job["_id"]

    async def once(self, work: Callable[[Any], Awaitable[None]]) -> bool:
        """Run ``work(session)`` in a transaction with a marker for this job's run; False (and
        nothing done) when the marker is there already."""
        marker = f"{self.key}@{self.job['due_at'].isoformat()}"

        async def body(session: Any) -> bool:
            if await self.db[EFFECTS].find_one({"_id": marker}, {"_id": 1}, session=session) is not None:
                return False
            await self.db[EFFECTS].insert_one({"_id": marker, "kind": self.job["kind"], "at": self.now,
                                               "expires_at": self.now + timedelta(days=EFFECT_DAYS)}, session=session)
            await work(session)
            return True

        return await in_transaction(self.db, body)


class Runner:
    def __init__(self, app: Mapping[Any, Any], *, batch: int = BATCH, poll: float = POLL_SECONDS,
                 lease: timedelta = LEASE) -> None:
        self.app = app
        self.db = app[keys.DB]
        self.clock: Callable[[], datetime] = app[keys.CLOCK]
        self.batch = batch
        self.poll = poll
        self.lease = lease
        self._turn = asyncio.Lock()

    async def ensure_recurring(self) -> None:
        """Each registered recurring kind has its one job (an existing one is left where it is)."""
        now = self.clock()
        for kind in JOBS.values():
            if kind.next_due is None:
                continue
            due = kind.next_due(now)
            await self.db[JOBS_COLLECTION].update_one({"_id": recurring_key(kind.name)}, {"$setOnInsert": {
                "kind": kind.name, "due_at": due, "payload": {}, "attempts": 0, "status": "due", "claimable_at": due,
                "lease_until": None, "lease_token": None, "last_error": None, "created_at": now, "updated_at": now}},
                upsert=True)

    async def claim(self) -> list[dict[str, Any]]:
        """Up to a batch of due jobs, now leased to this runner, soonest first; empty only when
        none is due. Each job is claimed by one sorted conditional update that takes whichever
        claimable job is soonest at that moment: of several processes exactly one wins each job,
        and a process that waited for the store's write lock still wins the next one instead of
        losing a batch it read before another process claimed it."""
        now = self.clock()
        until = now + self.lease
        claimed: list[dict[str, Any]] = []
        while len(claimed) < self.batch:
            job = await self.db[JOBS_COLLECTION].find_one_and_update(
                {"claimable_at": {"$lte": now}},
                {"$set": {"status": "running", "lease_until": until, "claimable_at": until,
                          "lease_token": ObjectId(), "updated_at": now}, "$inc": {"attempts": 1}},
                sort=[("claimable_at", ASCENDING)], return_document=ReturnDocument.AFTER)
            if job is None:
                break
            claimed.append(job)
        return claimed

    async def run_once(self) -> int:
        """Claim a batch of due jobs and run them; the number run. Rounds in one process take turns."""
        async with self._turn:
            jobs = await self.claim()
            for job in jobs:
                await self._run(job)
            return len(jobs)

    async def drain(self) -> int:
        total = 0
        while done := await self.run_once():
            total += done
        return total

    async def run(self) -> None:
        await self.ensure_recurring()
        while True:
            try:
                await self.drain()
            except Exception as error:  # storage hiccup: the jobs stay, leases expire, the next round goes on
                log.warning("job round failed", extra={"error": repr(error)})
            await asyncio.sleep(self.poll)

    async def _run(self, job: dict[str, Any]) -> None:
        kind = JOBS.get(job["kind"])
        try:
            if kind is None:
                raise LookupError(f"no handler registered for job kind {job['kind']!r}")
            await kind.handler(JobRun(self.app, self.db, job, self.clock()))
        except Exception as error:  # a handler's failure is the job's, never the runner's
            await self._failed(job, error)
            return
        await self._done(job, kind)

    async def _done(self, job: dict[str, Any], kind: JobKind) -> None:
        mine = {"_id": job["_id"], "lease_token": job["lease_token"]}
        if kind.next_due is None:
            await self.db[JOBS_COLLECTION].delete_one(mine)
            return
        now = self.clock()
        due = kind.next_due(now)
        await self.db[JOBS_COLLECTION].update_one(mine, {"$set": {
            "due_at": due, "claimable_at": due, "status": "due", "attempts": 0, "lease_until": None,
            "lease_token": None, "last_error": None, "updated_at": now}})

    async def _failed(self, job: dict[str, Any], error: Exception) -> None:
        now = self.clock()
        mine = {"_id": job["_id"], "lease_token": job["lease_token"]}
        reason = repr(error)[:500]
        if job["attempts"] >= MAX_ATTEMPTS:
            await self.db[JOBS_COLLECTION].update_one(mine, {"$set": {
                "status": "failed", "lease_until": None, "lease_token": None, "last_error": reason, "updated_at": now},
                "$unset": {"claimable_at": ""}})
            log.error("job failed for good", extra={"job": job["_id"], "kind": job["kind"], "error": reason[:200]})
            return
        retry = now + backoff(job["attempts"])
        await self.db[JOBS_COLLECTION].update_one(mine, {"$set": {
            "status": "due", "claimable_at": retry, "lease_until": None, "lease_token": None, "last_error": reason,
            "updated_at": now}})
        log.warning("job failed; will retry", extra={"job": job["_id"], "kind": job["kind"], "error": reason[:200]})
