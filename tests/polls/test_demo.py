"""The demo step: a thread with three polls whose votes went through the service, added once."""

from __future__ import annotations

import random

from aiohttp.test_utils import TestClient

from community import keys
from community.polls import demo, service
from tests.polls.conftest import Forum


async def test_demo_adds_a_thread_with_polls_and_votes_once(client: TestClient, forum: Forum) -> None:
    await forum.category(demo.CATEGORY)
    for _ in range(8):
        await forum.person()
    await demo.fill_demo(forum.db, client.app[keys.SETTINGS], random.Random(1), 8)
    polls = await forum.db[service.POLLS].find({}).to_list(None)
    assert sorted(poll["name"] for poll in polls) == ["format", "rating", "topics"]
    assert await forum.db[service.VOTES].count_documents({}) >= 3 * 8
    post = await forum.db.forum_posts.find_one({"_id": polls[0]["subject_id"]})
    page = await (await client.get(f"/forums/t/{post['thread_id']}")).text()
    assert page.count('class="poll') >= 3 and "Average rating" in page
    await demo.fill_demo(forum.db, client.app[keys.SETTINGS], random.Random(1), 8)
    assert await forum.db[service.POLLS].count_documents({}) == 3
