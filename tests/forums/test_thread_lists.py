"""A category's thread list sorted by top (within a week, a month or all time) and unanswered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums.queries import THREADS
from tests.forums.conftest import Forum


async def _listed(client: TestClient, category: dict[str, Any], query: str) -> list[str]:
    response = await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?{query}")
    assert response.status == 200, await response.text()
    return [item["id"] for item in (await response.json())["items"]]


async def _started_days_ago(forum: Forum, thread: dict[str, Any], days: int) -> None:
    await forum.db[THREADS].update_one({"_id": ObjectId(thread["id"])},
                                       {"$set": {"created_at": datetime.now(UTC) - timedelta(days=days)}})


async def _upvote_opening_post(client: TestClient, forum: Forum, thread: dict[str, Any], *, voters: int) -> None:
    opening = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json())["posts"][0]
    for _ in range(voters):
        response = await client.put(f"/api/v1/forums/posts/{opening['id']}/vote",
                                    headers=forum.headers(await forum.person()))
        assert response.status == 200


async def test_top_ranks_by_votes_only_threads_started_within_the_period(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    ancient = await forum.thread(category, asha, title="Forty days old and the most voted", kind="discussion")
    older = await forum.thread(category, asha, title="Ten days old with two votes", kind="discussion")
    recent = await forum.thread(category, asha, title="Started today with one vote", kind="discussion")
    quiet = await forum.thread(category, asha, title="Started today with no votes", kind="discussion")
    await _upvote_opening_post(client, forum, ancient, voters=3)
    await _upvote_opening_post(client, forum, older, voters=2)
    await _upvote_opening_post(client, forum, recent, voters=1)
    await _started_days_ago(forum, ancient, 40)
    await _started_days_ago(forum, older, 10)

    assert await _listed(client, category, "sort=top&period=week") == [recent["id"], quiet["id"]]
    assert await _listed(client, category, "sort=top&period=month") == [older["id"], recent["id"], quiet["id"]]
    assert await _listed(client, category, "sort=top&period=all") == [
        ancient["id"], older["id"], recent["id"], quiet["id"]]
    page = await (await client.get(f"/forums/c/{category['slug']}?sort=top&period=month")).text()
    assert "Ten days old with two votes" in page and "Forty days old and the most voted" not in page
    assert page.index("Ten days old with two votes") < page.index("Started today with one vote")


async def test_unanswered_lists_threads_without_replies_or_an_accepted_answer(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    lonely_discussion = await forum.thread(category, asha, title="A discussion nobody joined", kind="discussion")
    busy_discussion = await forum.thread(category, asha, title="A discussion with a reply", kind="discussion")
    open_question = await forum.thread(category, asha, title="A question nobody answered")
    replied_question = await forum.thread(category, asha, title="A question with a reply but no accepted one")
    accepted_question = await forum.thread(category, asha, title="A question whose accepted answer is hidden")
    await forum.reply(busy_discussion, bala, "Joining the discussion here.")
    await forum.reply(replied_question, bala, "A reply that was not accepted.")
    answer = await forum.reply(accepted_question, bala, "The answer the author accepted.")
    accepted = await client.put(f"/api/v1/forums/threads/{accepted_question['id']}/accepted", json={"number": 2},
                                headers=forum.headers(asha))
    assert accepted.status == 200
    hidden = await client.post(f"/api/v1/forums/posts/{answer['id']}/hide", json={"reason": "Shares personal data"},
                               headers=forum.headers(moderator))
    assert (await hidden.json())["changed"] is True
    stored = await forum.db[THREADS].find_one({"_id": ObjectId(accepted_question["id"])})
    assert stored["reply_count"] == 0 and stored["accepted_post_id"] == ObjectId(answer["id"])

    assert await _listed(client, category, "sort=unanswered") == [open_question["id"], lonely_discussion["id"]]
    page = await (await client.get(f"/forums/c/{category['slug']}?sort=unanswered")).text()
    assert "A question nobody answered" in page and "A discussion nobody joined" in page
    assert "A question whose accepted answer is hidden" not in page

    unhidden = await client.post(f"/api/v1/forums/posts/{answer['id']}/unhide", json={"reason": "Data removed"},
                                 headers=forum.headers(moderator))
    assert (await unhidden.json())["changed"] is True
    withdrawn = await client.delete(f"/api/v1/forums/threads/{accepted_question['id']}/accepted",
                                    headers=forum.headers(asha))
    assert (await withdrawn.json())["changed"] is True
    assert accepted_question["id"] not in await _listed(client, category, "sort=unanswered"), \
        "a visible reply still answers a question whose acceptance was withdrawn"
