"""A real ``run.py`` killed with SIGKILL after a reply to 2,000 followers committed, before its
notifications were all delivered: after a restart every follower has exactly one notification."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from community.config import load_settings
from community.forums import categories
from community.forums.queries import FOLLOWS
from community.notifications.intents import INTENTS
from community.notifications.queries import NOTIFICATIONS
from community.policy import Actor, Role
from community.storage import connect
from community.storage.indexes import ensure_indexes
from tests.factories import act, bearer_token, make_user
from tests.processes import free_port, start_run_py, wait_until_serving

FOLLOWERS = 2000
"""Eight batches of the notifier's fan-out: a window wide enough to kill the server inside it."""


async def _seed(data_dir: Path) -> tuple[str, str, list[ObjectId]]:
    """A thread with 2,000 followers in the store ``run.py`` will serve; returns (thread id, token, followers)."""
    settings = load_settings({"DATA_DIR": str(data_dir)})
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        await ensure_indexes(db)
        admin = await make_user(db, roles=("admin",))
        category = await act(db, Actor(user_id=admin["_id"], roles=frozenset({Role.ADMIN})),
                             categories.create_category, {"name": "Procurement", "slug": "procurement"})
        thread_id = ObjectId()
        await db.forum_threads.insert_one({
            "_id": thread_id, "category_id": category["_id"], "org_id": None, "author_id": admin["_id"],
            "title": "Single bids", "kind": "question", "tags": [], "competency_tags": [], "first_post_id": ObjectId(),
            "last_number": 1, "reply_count": 0, "votes": 0, "accepted_post_id": None, "pinned": False, "locked": False,
            "hidden": False, "deleted": False, "version": 0})
        followers = [ObjectId() for _ in range(FOLLOWERS)]
        org = await db.organisations.find_one({"_id": admin["org_id"]})
        await db.users.insert_many([{"_id": f, "name": f"Follower {n}", "email": f"f{n}@example.gov.in",
                                     "email_verified": True, "org_id": org["_id"], "roles": ["officer"],
                                     "deleted": False} for n, f in enumerate(followers)])
        followed_at = datetime.now(UTC)
        await db[FOLLOWS].insert_many([{"_id": f"{f}|thread|{thread_id}", "user_id": f, "target_type": "thread",
                                        "target_id": thread_id, "at": followed_at} for f in followers])
        replier = await make_user(db)
        return str(thread_id), await bearer_token(db, replier), followers
    finally:
        await client.close()


async def _counts(data_dir: Path, thread_id: str) -> tuple[int, int, int]:
    """(notifications, people notified more than once, intents left) in the store."""
    settings = load_settings({"DATA_DIR": str(data_dir)})
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        rows = await db[NOTIFICATIONS].find({"kind": "reply"}, {"user_id": 1, "count": 1}).to_list(None)
        doubled = sum(1 for row in rows if row["count"] != 1) + len(rows) - len({row["user_id"] for row in rows})
        return len(rows), doubled, await db[INTENTS].count_documents({})
    finally:
        await client.close()


async def _until_some_delivered(data_dir: Path) -> None:
    """Return as soon as the server's notifier has written its first notifications (mid fan-out)."""
    settings = load_settings({"DATA_DIR": str(data_dir)})
    client = connect(settings.storage_url)
    try:
        for _ in range(2000):
            if await client[settings.database_name][NOTIFICATIONS].count_documents({}, limit=1):
                return
            await asyncio.sleep(0.002)
    finally:
        await client.close()


@pytest.mark.slow
async def test_a_reply_to_2000_followers_survives_a_kill_before_its_fan_out_finished(tmp_path: Path) -> None:
    thread_id, token, _followers = await _seed(tmp_path)
    port = free_port()
    server = start_run_py(tmp_path, port, BACKGROUND_LEASE_SECONDS="2")
    try:
        await asyncio.to_thread(wait_until_serving, port, server)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.post(f"/api/v1/forums/threads/{thread_id}/replies", json={"body": "Extend the bid period."},
                                 headers={"Authorization": f"Bearer {token}"}) as response:
                assert response.status == 201, await response.text()
        await _until_some_delivered(tmp_path)
        os.kill(server.pid, signal.SIGKILL)
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=15)
    delivered, doubled, left = await _counts(tmp_path, thread_id)
    assert doubled == 0 and 0 < delivered and left == 1, "killed mid fan-out: its intent is still there"

    port = free_port()
    server = start_run_py(tmp_path, port, BACKGROUND_LEASE_SECONDS="2")
    try:
        await asyncio.to_thread(wait_until_serving, port, server)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            readiness: dict[str, Any] = {}
            for _ in range(200):
                async with http.get("/readyz") as ready:
                    readiness = await ready.json()
                if readiness["checks"]["notifications"]["pending"] == 0:
                    break
                await asyncio.sleep(0.1)
            assert readiness["checks"]["notifications"]["pending"] == 0, readiness
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert await _counts(tmp_path, thread_id) == (FOLLOWERS, 0, 0), "every follower told exactly once"
