"""The forums API takes JSON's own types and answers with RFC 3339 timestamps; the forms keep parsing their strings."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.forums.queries import THREADS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum

RFC_3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


async def _refused_fields(response: Any) -> list[str]:
    assert response.status == 422, await response.text()
    return [error["field"] for error in (await response.json())["errors"]]


@pytest.mark.parametrize("tags", ["gem, gfr-2017", 7, {"gem": True}])
async def test_tags_must_be_a_json_list(client: TestClient, forum: Forum, tags: Any) -> None:
    category, asha = await forum.category(), await forum.person()
    response = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads", headers=forum.headers(asha), json={
        "title": "How to handle a single bid?", "body": "Only one bid arrived for our tender.", "tags": tags})
    assert await _refused_fields(response) == ["tags"]
    assert await forum.db[THREADS].count_documents({}) == 0


@pytest.mark.parametrize("reply_to", ["1", False, True, 1.5])
async def test_a_number_must_be_a_json_integer(client: TestClient, forum: Forum, reply_to: Any) -> None:
    category, asha = await forum.category(), await forum.person()
    thread = await forum.thread(category, asha)
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", headers=forum.headers(asha),
                                 json={"body": "We asked for a second bid.", "reply_to": reply_to})
    assert await _refused_fields(response) == ["reply_to"]
    assert (await forum.reply(thread, asha, "We asked for a second bid.", reply_to=1))["reply_to"] == 1


async def test_suspension_days_are_an_integer(client: TestClient, forum: Forum) -> None:
    moderator, member = await forum.person(roles=("moderator",)), await forum.person()
    response = await client.post(f"/api/v1/forums/members/{member['_id']}/suspend", headers=forum.headers(moderator),
                                 json={"days": "7", "reason": "Repeated spam"})
    assert await _refused_fields(response) == ["days"]


async def test_the_form_still_splits_tags_and_reads_numbers(client: TestClient, forum: Forum) -> None:
    category, asha = await forum.category(), await forum.person()
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/c/{category['slug']}/new")
    response = await client.post(f"/forums/c/{category['slug']}/new", allow_redirects=False, data={
        "csrf_token": token, "title": "Drafting an office memorandum", "body": "Which format do you follow?",
        "tags": "drafting, CSMOP"})
    assert response.status == 303
    thread = await forum.db[THREADS].find_one({})
    assert thread["tags"] == ["drafting", "csmop"]
    response = await client.post(response.headers["Location"] + "/reply", allow_redirects=False,
                                 data={"csrf_token": token, "body": "We use the CSMOP format.", "reply_to": "1"})
    assert response.status == 303


async def test_timestamps_are_rfc_3339_in_utc(client: TestClient, forum: Forum) -> None:
    category, asha = await forum.category(), await forum.person()
    thread = await forum.thread(category, asha)
    assert RFC_3339_UTC.match(thread["created_at"]) and RFC_3339_UTC.match(thread["last_activity_at"])
    reply = await forum.reply(thread, asha, "We asked for a second bid.")
    assert RFC_3339_UTC.match(reply["created_at"])
    edited = await client.patch(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(asha),
                                json={"body": "We asked for a second bid, and got one."})
    assert RFC_3339_UTC.match((await edited.json())["edited_at"])
    anonymous = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    assert all(RFC_3339_UTC.match(post["created_at"]) for post in anonymous["posts"])
    revisions = await (await client.get(f"/api/v1/forums/posts/{reply['id']}/revisions")).json()
    assert revisions["items"] and all(RFC_3339_UTC.match(item["edited_at"]) for item in revisions["items"])
    categories = await (await client.get("/api/v1/forums/categories")).json()
    assert RFC_3339_UTC.match(categories["items"][0]["last_activity_at"])


async def test_a_moderator_deletes_with_the_declared_reason(client: TestClient, forum: Forum) -> None:
    category, asha, moderator = await forum.category(), await forum.person(), await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, asha, "Call me on 98765 43210.")
    refused = await client.delete(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(moderator))
    assert await _refused_fields(refused) == ["reason"]
    deleted = await client.delete(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(moderator),
                                  json={"reason": "personal data"})
    assert deleted.status == 200 and (await deleted.json())["changed"] is True
