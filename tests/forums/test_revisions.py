"""A post's edit history follows the post's visibility, and a deletion for personal data erases it."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from community.forums.queries import REVISIONS
from community.policy import Actor, Role, search_visibility
from community.search_pages.routes import INDEXER
from tests.factories import sign_in
from tests.forums.conftest import Forum

SECRET = "Phone Meenakshi on 9876501234"


async def edited_reply(forum: Forum) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A reply whose first version held someone's phone number, edited away by its author."""
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, bala, f"{SECRET} about the single bid.")
    edited = await forum.client.patch(f"/api/v1/forums/posts/{reply['id']}", json={"body": "Ask the procurement cell."},
                                      headers=forum.headers(bala))
    assert edited.status == 200, await edited.text()
    return thread, reply, asha, bala


async def history_status(client: TestClient, forum: Forum, thread: dict[str, Any], reply: dict[str, Any],
                         viewer: dict[str, Any] | None) -> tuple[int, int]:
    headers = forum.headers(viewer) if viewer else {}
    api = await client.get(f"/api/v1/forums/posts/{reply['id']}/revisions", headers=headers)
    page = await client.get(f"/forums/t/{thread['id']}/p/{reply['number']}/history", headers=headers)
    if api.status == 200:
        assert SECRET in await api.text()
    return api.status, page.status


async def test_a_deleted_posts_history_is_only_for_moderators(client: TestClient, forum: Forum) -> None:
    thread, reply, asha, bala = await edited_reply(forum)
    moderator = await forum.person(roles=("moderator",))
    assert await history_status(client, forum, thread, reply, None) == (200, 200)
    deleted = await client.request("DELETE", f"/api/v1/forums/posts/{reply['id']}", json={"reason": "Off topic"},
                                   headers=forum.headers(moderator))
    assert deleted.status == 200
    for viewer in (None, asha, bala):
        assert await history_status(client, forum, thread, reply, viewer) == (404, 404)
    assert await history_status(client, forum, thread, reply, moderator) == (200, 200)


async def test_a_hidden_posts_history_is_only_for_moderators(client: TestClient, forum: Forum) -> None:
    thread, reply, asha, bala = await edited_reply(forum)
    moderator = await forum.person(roles=("moderator",))
    hidden = await client.post(f"/api/v1/forums/posts/{reply['id']}/hide", json={"reason": "Personal details"},
                               headers=forum.headers(moderator))
    assert hidden.status == 200
    for viewer in (None, asha, bala):
        assert await history_status(client, forum, thread, reply, viewer) == (404, 404)
    assert await history_status(client, forum, thread, reply, moderator) == (200, 200)


async def test_deleting_for_personal_data_erases_the_history(client: TestClient, forum: Forum) -> None:
    thread, reply, _asha, _bala = await edited_reply(forum)
    moderator = await forum.person(roles=("moderator",))
    assert await forum.db[REVISIONS].count_documents({}) == 1
    deleted = await client.request("DELETE", f"/api/v1/forums/posts/{reply['id']}",
                                   json={"reason": "Someone's phone number", "reason_code": "personal_data"},
                                   headers=forum.headers(moderator))
    assert deleted.status == 200
    assert await forum.db[REVISIONS].count_documents({}) == 0
    entry = await forum.db.audit_log.find_one({"action": "forum.post.delete"})
    assert entry["details"]["reason_code"] == "personal_data" and entry["details"]["revisions_purged"] == 1
    history = await (await client.get(f"/api/v1/forums/posts/{reply['id']}/revisions",
                                      headers=forum.headers(moderator))).json()
    assert history["items"] == []
    # The app's own indexer and engine: a second indexer on the same outbox raced it for the entries.
    await client.app[INDEXER].drain()
    engine = client.app[keys.SEARCH]
    everyone = search_visibility(Actor(user_id=moderator["_id"], org_id=moderator["org_id"],
                                       roles=frozenset({Role.MODERATOR, Role.ADMIN})))
    for words in ("Meenakshi", "9876501234", "procurement cell"):
        assert (await engine.search("threads_posts", words, everyone)).hits == []
    assert (await engine.search("threads_posts", "single bid", everyone)).hits, "the thread itself is found"


async def test_another_reason_keeps_the_history_for_moderators(client: TestClient, forum: Forum) -> None:
    _thread, reply, _asha, _bala = await edited_reply(forum)
    moderator = await forum.person(roles=("moderator",))
    bad = await client.request("DELETE", f"/api/v1/forums/posts/{reply['id']}",
                               json={"reason": "Advertising", "reason_code": "spam"}, headers=forum.headers(moderator))
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "reason_code"
    assert await forum.db[REVISIONS].count_documents({}) == 1
    await client.request("DELETE", f"/api/v1/forums/posts/{reply['id']}", json={"reason": "Advertising"},
                         headers=forum.headers(moderator))
    assert await forum.db[REVISIONS].count_documents({}) == 1


async def test_the_page_form_deletes_for_personal_data(client: TestClient, forum: Forum) -> None:
    thread, reply, _asha, _bala = await edited_reply(forum)
    moderator = await forum.person(roles=("moderator",))
    await sign_in(client, moderator)
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert 'name="reason_code" value="personal_data"' in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = await client.post(f"/forums/t/{thread['id']}/p/{reply['number']}/delete", allow_redirects=False,
                                 data={"csrf_token": token, "reason": "A phone number", "reason_code": "personal_data"})
    assert response.status == 303
    assert await forum.db[REVISIONS].count_documents({}) == 0
