"""Posting limits: new members' hourly posts and links, flood control and duplicates for everyone."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from community.forums.limits import ForumLimits
from community.forums.queries import POSTS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import RELAXED, Forum


@pytest.fixture
def limits() -> ForumLimits:
    return replace(RELAXED, new_member_days=3, new_member_min_posts=2, new_member_posts_per_hour=3,
                   new_member_links_per_post=1, links_per_post=3, posts_per_hour=50)


async def _reply(client: TestClient, forum: Forum, thread: dict[str, str], user: dict[str, str], body: str) -> int:
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": body},
                                 headers=forum.headers(user))
    return response.status


async def test_new_members_have_tighter_limits(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    veteran = await forum.person(created_at=datetime.now(UTC) - timedelta(days=400))
    newcomer = await forum.person()
    thread = await forum.thread(category, veteran)
    for number in range(3):
        await forum.reply(thread, veteran, f"Veteran reply {number}")
    two_links = "See [one](https://a.example) and [two](https://b.example)"
    assert await _reply(client, forum, thread, newcomer, two_links) == 422
    assert await _reply(client, forum, thread, veteran, two_links) == 201
    statuses = [await _reply(client, forum, thread, newcomer, f"Newcomer reply {n}") for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert await _reply(client, forum, thread, veteran, "Veterans are not held back") == 201


async def test_a_refused_link_count_names_the_field(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    newcomer = await forum.person()
    response = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads", headers=forum.headers(newcomer),
                                 json={"title": "Many links in my first thread", "body": "[a](https://a.example) [b](https://b.example)"})
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "body"


async def test_duplicates_are_refused_for_everyone(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    veteran = await forum.person(created_at=datetime.now(UTC) - timedelta(days=400))
    thread = await forum.thread(category, veteran)
    assert await _reply(client, forum, thread, veteran, "Same text twice") == 201
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "  same TEXT   twice "},
                                 headers=forum.headers(veteran))
    assert response.status == 409
    assert await forum.db[POSTS].count_documents({"body": "Same text twice"}) == 1


@pytest.mark.parametrize("limits", [replace(RELAXED, flood_seconds=3600)])
async def test_flood_control_spaces_out_posts(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    veteran = await forum.person(created_at=datetime.now(UTC) - timedelta(days=400))
    thread = await forum.thread(category, veteran)
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Too quick"},
                                 headers=forum.headers(veteran))
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("limits", [replace(RELAXED, flood_seconds=3600)])
async def test_flood_control_answers_on_the_thread_with_the_draft_kept(client: TestClient, forum: Forum) -> None:
    """Not a bare "Too many requests" page: the thread, the draft in its form, the wait beside it."""
    category = await forum.category()
    veteran = await forum.person(created_at=datetime.now(UTC) - timedelta(days=400))
    thread = await forum.thread(category, veteran)
    await sign_in(client, veteran)
    path = f"/forums/t/{thread['id']}"
    token = await csrf_token(client, path)
    draft = "The register goes to the record room after three years."
    refused = await client.post(f"{path}/reply", data={"csrf_token": token, "body": draft}, allow_redirects=False)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    html = await refused.text()
    assert f">{draft}</textarea>" in html and thread["title"] in html
    assert re.search(r'<p class="error-message" id="reply-body-error">Please wait \d+ seconds and try again.</p>', html)
    assert await forum.db[POSTS].count_documents({"body": draft}) == 0
