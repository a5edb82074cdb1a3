"""Rate limits on everything a person can repeat, shared by every server process.

Two tools over the ``rate_limits`` collection, both expiring through its TTL index:

- :func:`hit`, a sliding log: a key's document holds the times of the attempts admitted in the
  last window, and an attempt is admitted by one conditional upsert that adds its time only
  while fewer than ``limit`` are held. So at most ``limit`` attempts pass in *any* span of
  ``window_seconds`` (a fixed window lets nearly twice that through around each boundary), and
  processes cannot race past the limit, because the check and the count are one write.
  A limit above :data:`EXACT_UP_TO` is counted in :data:`BUCKETS` slices of its window
  instead (see :func:`_hit_bucketed`), so a key's document stays small whatever its limit.
- :func:`check_backoff` and :func:`penalise`, a growing delay: after ``free`` failures a key
  must wait, and the wait doubles with each further failure. It throttles guessing without a
  hard lock-out.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from community.errors import RateLimited
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts
from community.storage import in_transaction
from community.storage.api import Database

# Limits up to this many attempts keep the time of each; larger ones count slices of the window.
EXACT_UP_TO = 100
BUCKETS = 100

STORAGE = StorageFacts(collections=(
    Collection("rate_limits", label=N_("Protection against repeated requests"), indexes=(IndexModel([("expires_at", 1)], expireAfterSeconds=0),), personal=(
        # Keyed by text that may hold the person's id (or, for sign-in, end in their address).
        Personal("_id", "delete", key="id_in_text", purpose=N_("Counters that stop a request being repeated too often.")),
    )),
))


async def hit(db: Database, key: str, *, limit: int, window_seconds: int, now: datetime | None = None,
              session: Any = None) -> None:
    """Admit one attempt for ``key``, or raise :class:`RateLimited` when ``limit`` attempts were
    admitted in the last ``window_seconds``; a refused attempt is not counted.

    With the ``session`` of a transaction the attempt is counted in it, so a write refused or
    failing later in the same transaction does not use up the allowance. The count is then one
    write that answers with the document as it was: it adds the attempt and keeps the last
    ``limit`` times, all a decision needs; if those were all in the window, the refusal raised
    here aborts the transaction and the write with it (the caller's transaction must not go on
    past it: ``actions.begin`` aborts on any exception)."""
    now = now or datetime.now(UTC)
    at = now.timestamp()
    since = at - window_seconds
    expires_at = now + timedelta(seconds=window_seconds)
    if limit > EXACT_UP_TO:
        if session is not None:
            await _hit_bucketed(db, key, limit, window_seconds, at, expires_at, session)
        else:
            await in_transaction(db, lambda own: _hit_bucketed(db, key, limit, window_seconds, at, expires_at, own))
        return
    if session is not None:
        before = await db.rate_limits.find_one_and_update(
            {"_id": key}, {"$push": {"hits": {"$each": [at], "$slice": -limit}}, "$set": {"expires_at": expires_at}},
            {"hits": 1}, upsert=True, session=session)
        held = sorted(h for h in (before or {}).get("hits", []) if h > since)
        if len(held) >= limit:
            raise RateLimited(retry_after=_retry_after(held, limit, window_seconds, at))
        return
    await db.rate_limits.update_one({"_id": key}, {"$pull": {"hits": {"$lte": since}}})
    try:
        await db.rate_limits.update_one(
            {"_id": key, f"hits.{limit - 1}": {"$exists": False}},
            {"$push": {"hits": at}, "$set": {"expires_at": expires_at}},
            upsert=True,
        )
    except DuplicateKeyError:
        doc = await db.rate_limits.find_one({"_id": key})
        held = sorted(h for h in (doc or {}).get("hits", []) if h > since)
        raise RateLimited(retry_after=_retry_after(held, limit, window_seconds, at)) from None


async def _hit_bucketed(db: Database, key: str, limit: int, window_seconds: int, at: float, expires_at: datetime,
                        session: Any) -> None:
    """A large limit's count, as ``[slice, attempts]`` pairs of slices ``window_seconds / BUCKETS``
    long, read and written in ``session``'s transaction. A slice counts until its *end* leaves the
    window, so every attempt of the last ``window_seconds`` is counted and no span of the window
    admits more than ``limit``; the price is that a refusal may come up to one slice early."""
    width = window_seconds / BUCKETS
    doc = await db.rate_limits.find_one({"_id": key}, {"buckets": 1}, session=session)
    held = [(index, count) for index, count in (doc or {}).get("buckets", []) if (index + 1) * width > at - window_seconds]
    if sum(count for _, count in held) >= limit:
        raise RateLimited(retry_after=_bucket_retry_after(held, limit, width, window_seconds, at))
    current = math.floor(at / width)
    if held and held[-1][0] == current:
        held[-1] = (current, held[-1][1] + 1)
    else:
        held.append((current, 1))
    await db.rate_limits.update_one({"_id": key}, {"$set": {"buckets": [list(pair) for pair in held],
                                                            "expires_at": expires_at}},
                                    upsert=True, session=session)


def _bucket_retry_after(held: list[tuple[int, int]], limit: int, width: float, window_seconds: int, at: float) -> int:
    """Seconds until enough of the oldest slices ``held`` have left the window to admit one more."""
    excess = sum(count for _, count in held) - limit + 1
    for index, count in held:
        excess -= count
        if excess <= 0:
            return max(1, math.ceil((index + 1) * width + window_seconds - at))
    return 1


def _retry_after(held: list[float], limit: int, window_seconds: int, at: float) -> int:
    """Seconds until the oldest of the last ``limit`` attempts ``held`` leaves the window."""
    frees_at = held[len(held) - limit] + window_seconds if len(held) >= limit else at
    return max(1, math.ceil(frees_at - at))


async def clear(db: Database, key: str) -> None:
    """Forget everything counted for ``key`` (e.g. a pair's failures after a successful sign-in)."""
    await db.rate_limits.delete_one({"_id": key})


async def check_backoff(db: Database, key: str, *, now: datetime | None = None) -> None:
    """Raise :class:`RateLimited` while ``key`` is waiting out the delay of its last failure."""
    now = now or datetime.now(UTC)
    doc = await db.rate_limits.find_one({"_id": key}, {"wait_until": 1})
    wait_until = (doc or {}).get("wait_until")
    if wait_until is not None and wait_until > now.timestamp():
        raise RateLimited(retry_after=max(1, math.ceil(wait_until - now.timestamp())))


async def penalise(db: Database, key: str, *, free: int, base_seconds: int, max_seconds: int, forget_seconds: int,
                   now: datetime | None = None) -> int:
    """Count a failure for ``key``; from the ``free``-th failure on, the key waits ``base_seconds``
    doubled for each failure past it (at most ``max_seconds``). The count is forgotten
    ``forget_seconds`` after the last failure. Returns the wait now imposed (0 while free)."""
    now = now or datetime.now(UTC)
    doc = await db.rate_limits.find_one_and_update(
        {"_id": key},
        {"$inc": {"failures": 1}, "$set": {"expires_at": now + timedelta(seconds=forget_seconds)}},
        upsert=True, return_document=ReturnDocument.AFTER,
    )
    assert doc is not None, "an upsert returning the document after it always has one"
    over = doc["failures"] - free
    if over < 0:
        return 0
    wait = min(max_seconds, base_seconds * 2 ** min(over, 32))
    await db.rate_limits.update_one({"_id": key}, {"$set": {"wait_until": now.timestamp() + wait}})
    return wait
