"""Jobs: scheduled in a write's transaction, claimed with a lease, run once, retried, parked, taken over."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community import actions, keys
from community.jobs import registry
from community.jobs.runner import LEASE, MAX_ATTEMPTS, JobRun, Runner
from community.jobs.schedule import JOBS
from community.policy import Actor
from community.storage import facts
from tests.factories import bare_app

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def _effect(run: JobRun) -> None:
    async def write(session: Any) -> None:
        await run.db.effects.insert_one({"job": run.key, "n": run.payload["n"]}, session=session)
    await run.once(write)


async def _broken(run: JobRun) -> None:
    raise OSError("the mail server refused")


@pytest.fixture(autouse=True)
def kinds(declare_for_test: Callable[..., None]) -> Iterator[None]:
    declare_for_test(facts.Collection("effects"))
    registry.register("test.effect", _effect, label="test.effect")
    registry.register("test.broken", _broken, label="test.broken")
    yield
    del registry.JOBS["test.effect"], registry.JOBS["test.broken"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(bare_db: Any, clock: Clock) -> dict[Any, Any]:
    return {**bare_app(bare_db), keys.CLOCK: clock}


async def _schedule(app: dict[Any, Any], *jobs: tuple[str, datetime, dict[str, Any], str]) -> None:
    async with actions.begin(app, Actor(user_id=ObjectId())) as tx:
        for kind, due, payload, key in jobs:
            await tx.schedule(kind, due, payload, key=key)


@pytest.mark.parametrize(("kind", "due", "payload", "message"), [
    ("test.nothing", T0, {}, "unknown job kind"),
    ("test.effect", T0, ["not", "a", "document"], "payload must be a document"),
    ("test.effect", datetime(2026, 12, 1, 9, 0), {}, "time zone"),
    ("test.effect", "2026-12-01T09:00:00Z", {}, "must be a datetime"),
])
async def test_bad_scheduling_is_refused_by_name_and_nothing_is_written(
        app: dict[Any, Any], bare_db: Any, captured_effects: actions.Effects, kind: str, due: Any, payload: Any,
        message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        async with actions.begin(app, Actor(user_id=ObjectId())) as tx:
            await tx.db.marker.insert_one({"written": True}, session=await tx.start())
            await tx.schedule(kind, due, payload, key="k")
    assert await bare_db[JOBS].count_documents({}) == 0 and await bare_db.marker.count_documents({}) == 0
    assert captured_effects.empty


async def test_scheduling_a_key_again_moves_the_job_and_cancel_removes_it(
        app: dict[Any, Any], bare_db: Any, clock: Clock, captured_effects: actions.Effects) -> None:
    await _schedule(app, ("test.effect", T0 + timedelta(hours=2), {"n": 1}, "event:1:reminder"))
    await _schedule(app, ("test.effect", T0 + timedelta(hours=5), {"n": 2}, "event:1:reminder"))
    [job] = await bare_db[JOBS].find({}).to_list(None)
    assert (job["due_at"].replace(tzinfo=UTC), job["payload"]) == (T0 + timedelta(hours=5), {"n": 2})
    assert [s["_id"] for s in captured_effects.scheduled] == ["event:1:reminder", "event:1:reminder"]
    runner = Runner(app)
    clock.now = T0 + timedelta(hours=3)
    assert await runner.drain() == 0, "the moved job is not due at its old time"
    async with actions.begin(app, Actor(user_id=ObjectId())) as tx:
        await tx.cancel("event:1:reminder")
    assert await bare_db[JOBS].count_documents({}) == 0 and captured_effects.cancelled == ["event:1:reminder"]


async def test_a_due_job_runs_once_and_is_deleted(app: dict[Any, Any], bare_db: Any, clock: Clock) -> None:
    await _schedule(app, ("test.effect", T0 + timedelta(minutes=1), {"n": 7}, "once"))
    runner = Runner(app)
    assert await runner.drain() == 0
    clock.now += timedelta(minutes=1)
    assert await runner.drain() == 1
    assert [row["n"] for row in await bare_db.effects.find({}).to_list(None)] == [7]
    assert await bare_db[JOBS].count_documents({}) == 0


async def test_a_job_run_again_after_a_crash_has_no_second_effect(app: dict[Any, Any], bare_db: Any) -> None:
    """The handler's effect committed, then the process died before deleting the job: the lease
    expires, another process runs it again, and the marker under the job's key stops a second effect."""
    await _schedule(app, ("test.effect", T0, {"n": 1}, "crashy"))
    job = await bare_db[JOBS].find_one({})
    await _effect(JobRun(app, bare_db, job, T0))
    await _effect(JobRun(app, bare_db, job, T0))
    assert await bare_db.effects.count_documents({}) == 1


async def test_an_expired_lease_is_taken_over(app: dict[Any, Any], bare_db: Any, clock: Clock) -> None:
    await _schedule(app, ("test.effect", T0, {"n": 1}, "orphan"))
    killed = Runner(app)
    assert len(await killed.claim()) == 1, "claimed by a process that is then killed"
    survivor = Runner(app)
    assert await survivor.drain() == 0, "a live lease is respected"
    clock.now += LEASE + timedelta(seconds=1)
    assert await survivor.drain() == 1
    assert await bare_db.effects.count_documents({}) == 1 and await bare_db[JOBS].count_documents({}) == 0


async def test_a_failing_job_is_retried_with_backoff_then_parked_with_its_error(
        app: dict[Any, Any], bare_db: Any, clock: Clock) -> None:
    await _schedule(app, ("test.broken", T0, {}, "doomed"))
    runner = Runner(app)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await runner.drain() == 1
        job = await bare_db[JOBS].find_one({"_id": "doomed"})
        assert job["attempts"] == attempt and "the mail server refused" in job["last_error"]
        if attempt < MAX_ATTEMPTS:
            assert job["status"] == "due"
            waits.append(job["claimable_at"].replace(tzinfo=UTC) - clock.now)
            assert await runner.drain() == 0, "not before its backoff has passed"
            clock.now = job["claimable_at"].replace(tzinfo=UTC)
    assert waits == sorted(waits) and waits[0] < waits[-1], "each retry waits longer"
    assert job["status"] == "failed" and "claimable_at" not in job
    clock.now += timedelta(days=30)
    assert await runner.drain() == 0, "a parked job waits for an administrator"


async def test_two_runners_share_the_jobs_without_running_any_twice(app: dict[Any, Any], bare_db: Any) -> None:
    await _schedule(app, *[("test.effect", T0, {"n": n}, f"job:{n}") for n in range(300)])
    first, second = Runner(app, batch=20), Runner(app, batch=20)
    done = await asyncio.gather(first.drain(), second.drain())
    assert sum(done) == 300
    effects = [row["n"] for row in await bare_db.effects.find({}).to_list(None)]
    assert sorted(effects) == list(range(300))
