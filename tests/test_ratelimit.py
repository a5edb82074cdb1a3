"""The shared limiter on a real store, with the clock injected: a sliding log and a growing delay."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from community import ratelimit
from community.errors import RateLimited

# A moment on a whole hour, so a fixed window of a minute would start exactly here.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def hit(db: Any, key: str, *, limit: int, window_seconds: int, now: datetime, in_tx: bool = False) -> None:
    """One attempt, alone or counted in a transaction of its own (the path a forum post takes)."""
    if not in_tx:
        await ratelimit.hit(db, key, limit=limit, window_seconds=window_seconds, now=now)
        return
    async with db.client.start_session() as session:
        async with await session.start_transaction():
            await ratelimit.hit(db, key, limit=limit, window_seconds=window_seconds, now=now, session=session)


async def admitted(db: Any, key: str, seconds: float, *, limit: int = 5, window: int = 60, in_tx: bool = False) -> bool:
    try:
        await hit(db, key, limit=limit, window_seconds=window, now=at(seconds), in_tx=in_tx)
    except RateLimited:
        return False
    return True


both_ways = pytest.mark.parametrize("in_tx", [False, True], ids=["alone", "in-a-transaction"])


@both_ways
async def test_a_burst_before_a_boundary_is_not_doubled_after_it(bare_db: Any, in_tx: bool) -> None:
    for _ in range(5):
        assert await admitted(bare_db, "k", 59, in_tx=in_tx)
    assert not await admitted(bare_db, "k", 61, in_tx=in_tx), "a new fixed window would have started at 60"
    with pytest.raises(RateLimited) as refused:
        await hit(bare_db, "k", limit=5, window_seconds=60, now=at(61), in_tx=in_tx)
    assert refused.value.retry_after == 58, "the burst at 59 leaves the window at 119"
    assert not await admitted(bare_db, "k", 118.5, in_tx=in_tx)
    assert await admitted(bare_db, "k", 119.5, in_tx=in_tx)


@both_ways
async def test_at_most_n_in_any_window_and_refused_only_when_full(bare_db: Any, in_tx: bool) -> None:
    limit, window = 4, 30
    rng = random.Random(11)
    times = sorted(rng.uniform(0, 300) for _ in range(200))
    kept: list[float] = []
    for moment in times:
        full = sum(1 for t in kept if t > moment - window) >= limit
        assert await admitted(bare_db, "k", moment, limit=limit, window=window, in_tx=in_tx) is not full, moment
        if not full:
            kept.append(moment)
    for start in kept:
        assert sum(1 for t in kept if start <= t < start + window) <= limit
    assert len(kept) > 2 * limit, "the sequence exercised several windows"


@both_ways
async def test_waiting_the_retry_after_is_enough(bare_db: Any, in_tx: bool) -> None:
    for second in (0, 10, 20):
        assert await admitted(bare_db, "k", second, limit=3, window=60, in_tx=in_tx)
    with pytest.raises(RateLimited) as refused:
        await hit(bare_db, "k", limit=3, window_seconds=60, now=at(25), in_tx=in_tx)
    assert refused.value.retry_after == 35
    assert await admitted(bare_db, "k", 25 + 35, limit=3, window=60, in_tx=in_tx)


async def test_an_attempt_counted_in_a_transaction_that_rolls_back_is_not_counted(bare_db: Any) -> None:
    with pytest.raises(OSError):
        async with bare_db.client.start_session() as session:
            async with await session.start_transaction():
                await ratelimit.hit(bare_db, "k", limit=1, window_seconds=60, now=at(0), session=session)
                raise OSError("the post failed after its check")
    assert await admitted(bare_db, "k", 1, limit=1, in_tx=True), "the allowance was not used up"
    assert not await admitted(bare_db, "k", 2, limit=1, in_tx=True)


async def test_concurrent_attempts_in_transactions_admit_exactly_the_limit(bare_db: Any) -> None:
    results = await asyncio.gather(*[admitted(bare_db, "k", 0, limit=7, in_tx=True) for _ in range(20)])
    assert results.count(True) == 7
    doc = await bare_db.rate_limits.find_one({"_id": "k"})
    assert len(doc["hits"]) == 7


async def test_keys_are_counted_apart_and_clear_forgets(bare_db: Any) -> None:
    assert await admitted(bare_db, "a", 0, limit=1)
    assert await admitted(bare_db, "b", 0, limit=1)
    assert not await admitted(bare_db, "a", 1, limit=1)
    await ratelimit.clear(bare_db, "a")
    assert await admitted(bare_db, "a", 2, limit=1)


@both_ways
async def test_a_large_limit_is_counted_in_slices_and_never_exceeded_in_any_window(bare_db: Any, in_tx: bool) -> None:
    """Above EXACT_UP_TO the key's document holds slices, not one time per attempt: it stays
    small, no span of the window admits more than the limit, and a refusal comes at most one
    slice early."""
    limit, window = ratelimit.EXACT_UP_TO + 20, 100
    width = window / ratelimit.BUCKETS
    rng = random.Random(5)
    times = sorted(rng.uniform(0, 400) for _ in range(1500))
    kept: list[float] = []
    for moment in times:
        was = await admitted(bare_db, "big", moment, limit=limit, window=window, in_tx=in_tx)
        in_window = sum(1 for t in kept if t > moment - window)
        in_window_and_a_slice = sum(1 for t in kept if t > moment - window - width)
        if in_window >= limit:
            assert not was, moment
        if in_window_and_a_slice < limit:
            assert was, moment
        if was:
            kept.append(moment)
    for start in kept:
        assert sum(1 for t in kept if start <= t < start + window) <= limit
    assert len(kept) > 2 * limit, "the sequence exercised several windows"
    doc = await bare_db.rate_limits.find_one({"_id": "big"})
    assert "hits" not in doc and len(doc["buckets"]) <= ratelimit.BUCKETS + 1


async def test_a_large_limit_admits_exactly_the_limit_to_concurrent_attempts(bare_db: Any) -> None:
    limit = ratelimit.EXACT_UP_TO + 1
    results = await asyncio.gather(*[admitted(bare_db, "big", 0, limit=limit) for _ in range(limit + 15)])
    assert results.count(True) == limit
    with pytest.raises(RateLimited) as refused:
        await hit(bare_db, "big", limit=limit, window_seconds=60, now=at(30))
    assert refused.value.retry_after == 31, "the slice of second 0 (0.6 s long) leaves the window at 60.6"
    assert await admitted(bare_db, "big", 61, limit=limit)


async def test_the_delay_doubles_after_the_free_failures(bare_db: Any) -> None:
    waits = []
    for failure in range(7):
        waits.append(await ratelimit.penalise(bare_db, "p", free=3, base_seconds=30, max_seconds=200,
                                              forget_seconds=3600, now=at(failure * 1000)))
    assert waits == [0, 0, 30, 60, 120, 200, 200]
    with pytest.raises(RateLimited) as waiting:
        await ratelimit.check_backoff(bare_db, "p", now=at(6000 + 150))
    assert waiting.value.retry_after == 50
    await ratelimit.check_backoff(bare_db, "p", now=at(6000 + 200))
    await ratelimit.check_backoff(bare_db, "other", now=at(6000))


async def test_an_attempt_in_a_transaction_is_one_write(bare_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted in a transaction, an attempt is one write that answers with the document as it
    was (no read before it), and the document keeps only the last ``limit`` times."""
    collection = type(bare_db.rate_limits)
    calls: list[str] = []
    for name in ("find_one", "update_one", "find_one_and_update"):
        original = getattr(collection, name)

        def counted(self: Any, *args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(collection, name, counted)
    for second in range(12):
        assert await admitted(bare_db, "k", second * 10, limit=3, window=25, in_tx=True)
    assert calls == ["find_one_and_update"] * 12
    monkeypatch.undo()
    doc = await bare_db.rate_limits.find_one({"_id": "k"})
    assert [hit - at(0).timestamp() for hit in doc["hits"]] == [90, 100, 110]
