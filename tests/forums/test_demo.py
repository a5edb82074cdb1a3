"""The demo step: categories, English and Hindi threads whose pages render, and nothing added twice."""

from __future__ import annotations

import random

from aiohttp.test_utils import TestClient

from community import keys
from community.forums import demo
from community.forums.queries import CATEGORIES, POSTS, THREADS
from tests.forums.conftest import Forum


async def test_demo_fills_a_browsable_forum_once(client: TestClient, forum: Forum) -> None:
    for _ in range(6):
        await forum.person()
    await demo.fill_demo(forum.db, client.app[keys.SETTINGS], random.Random(1), 6)
    threads = await forum.db[THREADS].count_documents({})
    assert threads == 300
    assert await forum.db[POSTS].count_documents({}) == 300 + 3000
    titles = [t["title"] async for t in forum.db[THREADS].find({}, {"title": 1})]
    assert any("\u0900" <= ch <= "\u097f" for title in titles for ch in title), "some threads are in Hindi"
    big = await forum.db[THREADS].find_one({}, sort=[("_id", 1)])
    assert big["reply_count"] == 60 and big["last_number"] == 61
    page = await client.get(f"/forums/t/{big['_id']}")
    assert page.status == 200 and (await page.text()).count('<article class="post') >= 20
    category = await forum.db[CATEGORIES].find_one({"slug": "public-procurement"})
    assert category["thread_count"] >= 1
    assert (await client.get("/forums/c/public-procurement")).status == 200
    await demo.fill_demo(forum.db, client.app[keys.SETTINGS], random.Random(1), 6)
    assert await forum.db[THREADS].count_documents({}) == threads
