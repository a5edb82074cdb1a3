"""The app's own job runner looks for due jobs every JOBS_POLL_SECONDS, with nobody draining it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.config import Settings
from community.jobs import registry
from community.jobs.runner import JobRun
from community.jobs.schedule import JOBS
from community.policy import Actor
from community.storage import facts


async def _effect(run: JobRun) -> None:
    async def write(session: Any) -> None:
        await run.db.effects.insert_one({"job": run.key}, session=session)
    await run.once(write)


@pytest.fixture(autouse=True)
def kind(declare_for_test: Callable[..., None]) -> Iterator[None]:
    declare_for_test(facts.Collection("effects"))
    registry.register("test.effect", _effect, label="test.effect")
    yield
    del registry.JOBS["test.effect"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, jobs_poll_seconds=1)


async def test_a_job_that_falls_due_while_the_app_runs_is_run_by_its_own_runner(client: TestClient, db: Any) -> None:
    """Scheduled after the runner's first look, the job is found by a later one: within a few
    seconds at a poll of one second (tests elsewhere poll hourly and run jobs themselves)."""
    async with actions.begin(client.app, Actor(user_id=ObjectId())) as tx:
        await tx.schedule("test.effect", datetime.now(UTC), {}, key="due-now")
    for _ in range(100):
        if await db.effects.count_documents({}) == 1:
            break
        await asyncio.sleep(0.1)
    assert [row["job"] for row in await db.effects.find({}).to_list(None)] == ["due-now"]
    assert await db[JOBS].count_documents({"_id": "due-now"}) == 0, "done, so deleted"
