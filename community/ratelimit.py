"""Rate limits on everything a person can repeat, shared by every server process.

A fixed window per key, counted in the ``rate_limits`` collection with one atomic upsert, so
limits hold across processes on MongoDB and expire through a TTL index.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument

from community.errors import RateLimited


async def hit(db, key: str, *, limit: int, window_seconds: int, now: datetime | None = None) -> int:
    """Count one attempt for ``key``; raise :class:`RateLimited` past ``limit`` in the window.

    Returns how many attempts the window has seen, this one included.
    """
    now = now or datetime.now(UTC)
    start = int(now.timestamp()) // window_seconds * window_seconds
    window_end = datetime.fromtimestamp(start + window_seconds, UTC)
    doc = await db.rate_limits.find_one_and_update(
        {"_id": f"{key}|{start}"},
        {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": window_end + timedelta(seconds=window_seconds)}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    if doc["count"] > limit:
        raise RateLimited(retry_after=max(1, int((window_end - now).total_seconds())))
    return doc["count"]


async def clear(db, key: str, *, window_seconds: int, now: datetime | None = None) -> None:
    """Forget the current window's attempts (e.g. after a successful sign-in)."""
    now = now or datetime.now(UTC)
    start = int(now.timestamp()) // window_seconds * window_seconds
    await db.rate_limits.delete_one({"_id": f"{key}|{start}"})
