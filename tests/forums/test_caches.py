"""Two apps in one process (as tests and benches make them) keep their own caches: a store's
reads stay with that store and an app's rendered pages with that app."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from community.app import create_app
from community.config import Settings
from community.forums import cache
from community.forums.queries import CATEGORIES, POSTS, THREADS
from community.forums.limits import LIMITS
from tests.forums.conftest import RELAXED, Forum


async def _twin(aiohttp_client: Any, settings: Settings, source: TestClient, data_dir: Path) -> TestClient:
    """A second app on its own store holding a copy of the first's forum, with the same ids."""
    data_dir.mkdir()
    app = create_app(replace(settings, data_dir=data_dir))
    app[LIMITS] = RELAXED
    twin = await aiohttp_client(app)
    for collection in (CATEGORIES, THREADS, POSTS, "users"):
        docs = await source.app[keys.DB][collection].find({}).to_list(None)
        await twin.app[keys.DB][collection].delete_many({"_id": {"$in": [doc["_id"] for doc in docs]}})
        await twin.app[keys.DB][collection].insert_many(docs)
    return twin


async def test_two_apps_in_one_process_do_not_share_forum_caches(
        client: TestClient, forum: Forum, aiohttp_client: Any, settings: Settings, tmp_path: Path) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha, title="Single bid on the first store")
    twin = await _twin(aiohttp_client, settings, client, tmp_path / "twin")
    twin_db = twin.app[keys.DB]
    await twin_db[CATEGORIES].update_one({"_id": category["_id"]}, {"$set": {"name": "Twin category"}})
    await twin_db[THREADS].update_one({}, {"$set": {"title": "Single bid on the second store"}})
    await twin_db[POSTS].update_one({"number": 1}, {"$set": {"html": "<p>Written on the second store.</p>"}})

    first = await (await client.get(f"/forums/t/{thread['id']}")).text()
    first_api = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    second = await (await twin.get(f"/forums/t/{thread['id']}")).text()
    second_api = await (await twin.get(f"/api/v1/forums/threads/{thread['id']}")).json()

    assert "Single bid on the first store" in first and "Single bid on the second store" not in first
    assert "Single bid on the second store" in second and "Single bid on the first store" not in second
    assert "Written on the second store." in second and "Written on the second store." not in first
    assert "Twin category" in second and "Twin category" not in first
    assert first_api["thread"]["title"] == "Single bid on the first store"
    assert second_api["thread"]["title"] == "Single bid on the second store"
    assert cache.of_store(client.app[keys.DB]) is not cache.of_store(twin_db)
    assert cache.of_store(client.app[keys.DB]) is cache.of_store(client.app[keys.DB])
