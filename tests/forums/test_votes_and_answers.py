"""Upvotes (idempotent, Karma Points capped per day) and accepted answers (shown first, Karma Points)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.app import create_app
from community.config import Settings
from community.forums.accept import ACCEPTED_REASON
from community.forums.limits import ForumLimits
from community.forums import queries
from community.forums.queries import POSTS, VOTES
from community.forums.vote import UPVOTE_REASON
from community.karma import service as karma
from community.storage.runtime import Engine
from tests.forums.conftest import RELAXED, Forum


@pytest.fixture
def limits() -> ForumLimits:
    return replace(RELAXED, upvote_points=2, upvote_points_per_day=4, accepted_answer_points=15)


async def test_votes_are_idempotent_and_withdrawable(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, bala, "Extend the bid period.")
    url = f"/api/v1/forums/posts/{reply['id']}/vote"
    first = await (await client.put(url, headers=forum.headers(asha))).json()
    again = await (await client.put(url, headers=forum.headers(asha))).json()
    assert first["votes"] == again["votes"] == 1
    assert await forum.db[VOTES].count_documents({}) == 1
    assert await karma.total(forum.db, bala["_id"]) == 2
    withdrawn = await (await client.delete(url, headers=forum.headers(asha))).json()
    assert withdrawn["votes"] == 0
    assert (await (await client.delete(url, headers=forum.headers(asha))).json())["votes"] == 0
    assert await karma.total(forum.db, bala["_id"]) == 0


async def test_whether_one_post_was_voted_is_one_probe_on_the_loop(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    voted, other = await forum.reply(thread, bala, "Voted for."), await forum.reply(thread, bala, "Not voted for.")
    await client.put(f"/api/v1/forums/posts/{voted['id']}/vote", headers=forum.headers(asha))
    voted_id, other_id = ObjectId(voted["id"]), ObjectId(other["id"])
    sent_to_threads: list[object] = []
    original = Engine._read_job
    monkeypatch.setattr(Engine, "_read_job", lambda engine, fn: sent_to_threads.append(fn) or original(engine, fn))
    assert await queries.voted_posts(forum.db, asha["_id"], [voted_id]) == {voted_id}
    assert await queries.voted_posts(forum.db, asha["_id"], [other_id]) == set()
    assert await queries.voted_posts(forum.db, chitra["_id"], [voted_id]) == set()
    assert sent_to_threads == [], "a reply's or an edit's response waited for a reader thread"
    assert await queries.voted_posts(forum.db, asha["_id"], [voted_id, other_id]) == {voted_id}


async def test_concurrent_votes_from_one_person_count_once(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    reply = await forum.reply(await forum.thread(category, asha), bala, "Concurrent votes land here.")
    url = f"/api/v1/forums/posts/{reply['id']}/vote"
    await asyncio.gather(*[client.put(url, headers=forum.headers(asha)) for _ in range(8)])
    stored = await forum.db[POSTS].find_one({"_id": ObjectId(reply["id"])})
    assert stored["votes"] == 1


async def test_nobody_votes_for_themselves_or_anonymously(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha)
    post_id = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json())["posts"][0]["id"]
    assert (await client.put(f"/api/v1/forums/posts/{post_id}/vote", headers=forum.headers(asha))).status == 403
    assert (await client.put(f"/api/v1/forums/posts/{post_id}/vote")).status == 403, "no credentials: CSRF refuses"
    assert await forum.db[VOTES].count_documents({}) == 0


async def test_upvote_karma_is_capped_per_day(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    bala = await forum.person()
    reply = await forum.reply(await forum.thread(category, await forum.person()), bala, "Widely liked answer.")
    for _ in range(4):
        voter = await forum.person()
        await client.put(f"/api/v1/forums/posts/{reply['id']}/vote", headers=forum.headers(voter))
    assert (await forum.db[POSTS].find_one({"_id": ObjectId(reply["id"])}))["votes"] == 4
    assert await karma.points_today(forum.db, bala["_id"], UPVOTE_REASON) == 4


async def test_accepted_answer_is_shown_first_and_earns_karma(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await forum.reply(thread, chitra, "First attempt at an answer.")
    await forum.reply(thread, chitra, "Second attempt at an answer.")
    best = await forum.reply(thread, bala, "The answer that solved it.")
    refused = await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 4},
                               headers=forum.headers(chitra))
    assert refused.status == 403
    response = await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 4},
                                headers=forum.headers(asha))
    assert (await response.json())["changed"] is True
    page = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    assert [p["number"] for p in page["posts"]] == [1, 4, 2, 3]
    assert page["posts"][1]["accepted"] and page["thread"]["accepted_post_id"] == best["id"]
    html = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert html.index('id="post-4"') < html.index('id="post-2"')
    assert await karma.total(forum.db, bala["_id"]) == 15
    switched = await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 2},
                                headers=forum.headers(asha))
    assert switched.status == 200
    assert await karma.total(forum.db, bala["_id"]) == 0
    assert await karma.total(forum.db, chitra["_id"]) == 15
    await client.delete(f"/api/v1/forums/threads/{thread['id']}/accepted", headers=forum.headers(asha))
    assert await karma.total(forum.db, chitra["_id"]) == 0
    ledger = await forum.db.karma_ledger.find({"reason": ACCEPTED_REASON}).to_list(None)
    assert [entry["kind"] for entry in sorted(ledger, key=lambda e: e["at"])].count("reversal") == 2


async def test_only_question_replies_can_be_accepted(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    discussion = await forum.thread(category, asha, kind="discussion", title="General chat about tenders")
    await forum.reply(discussion, bala, "Just chatting about it.")
    response = await client.put(f"/api/v1/forums/threads/{discussion['id']}/accepted", json={"number": 2},
                                headers=forum.headers(asha))
    assert response.status == 403
    question = await forum.thread(category, asha)
    for bad in ({"number": 1}, {"number": 99}, {"number": "two"}, {}):
        response = await client.put(f"/api/v1/forums/threads/{question['id']}/accepted", json=bad,
                                    headers=forum.headers(asha))
        assert response.status == 422, bad


async def test_karma_points_follow_the_apps_settings(aiohttp_client: Any, settings: Settings) -> None:
    """The points come from the ``Settings`` the app was made with, not from the environment
    (``FORUM_UPVOTE_POINTS`` is set there to a value that must be ignored)."""
    generous = replace(settings, upvote_points=7, upvote_points_per_day=100, accepted_answer_points=11)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORUM_UPVOTE_POINTS", "1")
        client = await aiohttp_client(create_app(generous))
    forum = Forum(client)
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, bala, "Extend the bid period.")
    await client.put(f"/api/v1/forums/posts/{reply['id']}/vote", headers=forum.headers(asha))
    assert await karma.total(forum.db, bala["_id"]) == 7
    await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 2}, headers=forum.headers(asha))
    assert await karma.total(forum.db, bala["_id"]) == 7 + 11
