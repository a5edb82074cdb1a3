"""The demo step: categories, English and Hindi threads whose pages render, and nothing added twice."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from community import keys
from community.forums import demo
from community.forums.queries import CATEGORIES, POSTS, THREADS
from community.timezones import as_utc
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


async def test_demo_threads_read_like_a_community(client: TestClient, forum: Forum) -> None:
    """Nothing written in the future, no counters left on replies to keep them apart, and each
    thread asked in the category it is about (a GeM question under grievances misleads)."""
    for _ in range(6):
        await forum.person()
    started = datetime.now(UTC)
    await demo.fill_demo(forum.db, client.app[keys.SETTINGS], random.Random(3), 6)
    latest = await forum.db[POSTS].find_one({}, sort=[("created_at", -1)])
    assert as_utc(latest["created_at"]) <= datetime.now(UTC)
    newest_thread = await forum.db[THREADS].find_one({}, sort=[("last_activity_at", -1)])
    assert as_utc(newest_thread["last_activity_at"]) <= datetime.now(UTC)
    assert as_utc(newest_thread["last_activity_at"]) > started - timedelta(days=121)
    async for post in forum.db[POSTS].find({"number": {"$gt": 1}}, {"body": 1}):
        assert not re.search(r"\(\d+\)\s*$", post["body"]), post["body"]
    slugs = {c["_id"]: c["slug"] async for c in forum.db[CATEGORIES].find({}, {"slug": 1})}
    topics = {slug: [re.escape(title).replace(r"\{item\}", ".+").replace(r"\{subject\}", ".+").replace(r"\{scheme\}", ".+")
                     for title, _, topic_slug in demo.TOPICS_EN + demo.TOPICS_HI if topic_slug == slug]
              for slug in set(slugs.values())}
    async for thread in forum.db[THREADS].find({}, {"title": 1, "category_id": 1}):
        slug = slugs[thread["category_id"]]
        if slug.startswith("internal-"):
            continue
        assert any(re.fullmatch(pattern, thread["title"]) for pattern in topics[slug]), (slug, thread["title"])
