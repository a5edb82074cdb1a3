"""Live updates in thread and category rooms, unread tracking, follows, @mentions and their autocomplete."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.forums.markdown import render
from community.forums.mentions import mention_markup
from community.notifications import read as notifications_read
from community.notifications.routes import NOTIFIER
from tests.factories import record_calls, sign_in
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url


async def _notifications(forum: Forum, user: dict[str, Any]) -> list[dict[str, Any]]:
    """The person's notifications once the notifier has delivered every intent recorded so far."""
    await forum.client.app[NOTIFIER].drain()
    return await forum.db.notifications.find({"user_id": user["_id"]}).to_list(None)


async def test_thread_room_hears_replies_edits_and_votes(client: TestClient, forum: Forum, probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await probe.connect(server_url(client), token=asha["token"])
    assert (await probe.call("join", {"room": f"thread:{thread['id']}"}))["ok"] is True
    reply = await forum.reply(thread, bala, "Live reply arrives")
    created = await probe.next("forum:post_created")
    assert created == {"thread_id": thread["id"], "post_id": reply["id"], "number": 2}
    fragment = await client.get(f"/forums/t/{thread['id']}/p/2/fragment", headers={"HX-Request": "true"})
    html = await fragment.text()
    assert html.lstrip().startswith("<article") and "Live reply arrives" in html and "<html" not in html
    await client.put(f"/api/v1/forums/posts/{reply['id']}/vote", headers=forum.headers(asha))
    assert (await probe.next("forum:post_voted"))["votes"] == 1
    await client.patch(f"/api/v1/forums/posts/{reply['id']}", json={"body": "Live reply, corrected"},
                       headers=forum.headers(bala))
    assert (await probe.next("forum:post_edited"))["number"] == 2


async def test_category_room_hears_reply_counts_and_pages_show_unread(client: TestClient, forum: Forum,
                                                                        probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await probe.connect(server_url(client), token=asha["token"])
    assert (await probe.call("join", {"room": f"category:{category['_id']}"}))["ok"] is True
    await sign_in(client, asha)
    await client.get(f"/forums/t/{thread['id']}")
    await forum.reply(thread, bala, "First new reply")
    activity = await probe.next("forum:thread_activity")
    assert (activity["thread_id"], activity["reply_count"], activity["last_number"]) == (thread["id"], 1, 2)
    await forum.reply(thread, bala, "Second new reply")
    listing = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads")).json()
    assert listing["items"][0]["unread"] == 2
    html = await (await client.get(f"/forums/c/{category['slug']}")).text()
    assert "2 new replies" in html
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert page.index("New since your last visit") < page.index("First new reply")
    assert page.index('id="post-1"') < page.index("New since your last visit")
    listing = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads")).json()
    assert listing["items"][0]["unread"] == 0


async def test_followers_and_reply_targets_are_notified(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    follower = await forum.person()
    assert (await client.put(f"/api/v1/forums/categories/{category['slug']}/follow",
                             headers=forum.headers(follower))).status == 200
    thread = await forum.thread(category, asha)
    assert [n["kind"] for n in await _notifications(forum, follower)] == ["new_thread"]
    await forum.reply(thread, bala, "An answer from Bala")
    await forum.reply(thread, chitra, "Replying to Bala", reply_to=2)
    kinds = {n["kind"] for n in await _notifications(forum, bala)}
    assert kinds == {"reply"}
    assert any(n["kind"] == "reply" for n in await _notifications(forum, asha))
    assert await _notifications(forum, chitra) == []
    await client.delete(f"/api/v1/forums/threads/{thread['id']}/follow", headers=forum.headers(asha))
    before = len(await _notifications(forum, asha))
    await forum.reply(thread, chitra, "Asha no longer follows this")
    after = await _notifications(forum, asha)
    assert len(after) == before and all(n.get("count", 1) >= 1 for n in after)


async def test_a_follower_mentioned_in_a_reply_is_told_of_the_mention_and_not_of_the_reply_too(
        client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person(name="Bala Iyer")
    thread = await forum.thread(category, asha)
    await forum.reply(thread, bala, "Bala follows the thread by replying")
    await forum.reply(thread, asha, f"{mention_markup('Bala Iyer', bala['_id'])} is this settled?")
    assert [n["kind"] for n in await _notifications(forum, bala)] == ["mention"]
    await forum.reply(thread, asha, "Without a mention this time")
    assert sorted(n["kind"] for n in await _notifications(forum, bala)) == ["mention", "reply"]


async def test_mentions_notify_only_people_who_can_read(client: TestClient, forum: Forum) -> None:
    private = await forum.category("ministry-a-internal", org="Ministry A")
    public = await forum.category()
    asha = await forum.person("Ministry A")
    colleague = await forum.person("Ministry A", name="Kavita Rao")
    outsider = await forum.person("Ministry B", name="Kavita Singh")
    body = f"{mention_markup('Kavita Rao', colleague['_id'])} and {mention_markup('Kavita Singh', outsider['_id'])} please see"
    await forum.thread(private, asha, title="Internal question with mentions", body=body)
    assert [n["kind"] for n in await _notifications(forum, colleague)] == ["mention"]
    assert await _notifications(forum, outsider) == []
    await forum.thread(public, asha, title="Public question with mentions", body=body + " too")
    assert [n["kind"] for n in await _notifications(forum, outsider)] == ["mention"]
    assert render(body).mentions == (colleague["_id"], outsider["_id"])


async def test_mention_autocomplete(client: TestClient, forum: Forum) -> None:
    private = await forum.category("ministry-a-internal", org="Ministry A")
    asha = await forum.person("Ministry A")
    await forum.person("Ministry A", name="Kavita Rao")
    await forum.person("Ministry B", name="Kavita Singh")
    await forum.person("Ministry B", name="कविता शर्मा")
    found = await (await client.get("/api/v1/forums/mentions?q=kav", headers=forum.headers(asha))).json()
    assert [item["name"] for item in found["items"]] == ["Kavita Rao", "Kavita Singh"]
    assert found["items"][0]["insert"].startswith("@[Kavita Rao](")
    inside = await (await client.get(f"/api/v1/forums/mentions?q=kav&category={private['_id']}",
                                     headers=forum.headers(asha))).json()
    assert [item["name"] for item in inside["items"]] == ["Kavita Rao"]
    hindi = await (await client.get("/api/v1/forums/mentions?q=कवि", headers=forum.headers(asha))).json()
    assert [item["name"] for item in hindi["items"]] == ["कविता शर्मा"]

    by_surname = await (await client.get("/api/v1/forums/mentions?q=sin", headers=forum.headers(asha))).json()
    assert [item["name"] for item in by_surname["items"]] == ["Kavita Singh"]
    assert by_surname["items"][0]["organisation"] == "Ministry B"
    assert by_surname["items"][0]["avatar"] == f"/people/{by_surname['items'][0]['id']}/avatar"
    spaced = await (await client.get("/api/v1/forums/mentions", params={"q": "kavita  r"}, headers=forum.headers(asha))).json()
    assert [item["name"] for item in spaced["items"]] == ["Kavita Rao"]
    assert (await (await client.get("/api/v1/forums/mentions?q=avita", headers=forum.headers(asha))).json())["items"] == []
    assert (await client.get("/api/v1/forums/mentions?q=kav")).status == 401
    assert (await client.get("/api/v1/forums/mentions?q=.*", headers=forum.headers(asha))).status == 200


async def test_voting_without_reload_returns_the_post_fragment(client: TestClient, forum: Forum) -> None:
    from tests.conftest import csrf_token

    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await forum.reply(thread, bala, "Vote for me without a reload")
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    response = await client.post(f"/forums/t/{thread['id']}/p/2/vote", data={"up": "1"},
                                 headers={"HX-Request": "true", "X-CSRF-Token": token})
    html = await response.text()
    assert response.status == 200 and html.lstrip().startswith("<article")
    assert 'aria-pressed="true"' in html and '<span class="vote-count">1</span>' in html
    plain = await client.post(f"/forums/t/{thread['id']}/p/2/vote", data={"up": "0", "csrf_token": token},
                              allow_redirects=False)
    assert plain.status == 303 and plain.headers["Location"].endswith("/p/2")


async def test_reading_a_thread_reads_the_notifications_about_it(client: TestClient, forum: Forum) -> None:
    """Opening the thread a notification is about reads it (its replies, and mentions in the
    posts shown), as Discourse does; notifications about other threads stay unread."""
    category = await forum.category()
    asha, bala = await forum.person(name="Asha Menon"), await forum.person()
    first = await forum.thread(category, asha, title="Which form for a leave encashment claim?")
    other = await forum.thread(category, asha, title="Who countersigns a travel allowance bill?")
    await forum.reply(first, bala, f"{mention_markup('Asha Menon', asha['_id'])} Form 14, countersigned.")
    await forum.reply(other, bala, "The controlling officer does.")
    assert sorted(n["kind"] for n in await _notifications(forum, asha)) == ["mention", "reply"]
    await sign_in(client, asha)
    page = await (await client.get(f"/forums/t/{first['id']}")).text()
    unread = await forum.db.notifications.find({"user_id": asha["_id"], "read": False}).to_list(None)
    assert [(n["kind"], str(n["subject_id"])) for n in unread] == [("reply", other["id"])]
    assert 'class="badge" data-unread-count>1</span>' in page
    page = await (await client.get(f"/forums/t/{other['id']}")).text()
    assert await forum.db.notifications.count_documents({"user_id": asha["_id"], "read": False}) == 0
    assert "data-unread-count>0</span>" in page


async def test_reading_a_thread_no_notification_is_about_writes_nothing(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader whose unread notifications are about other threads reads each page without a
    write (its transaction would hold every other write back); the notifications stay unread."""
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    followed = await forum.thread(category, asha, title="Who countersigns a travel allowance bill?")
    elsewhere = await forum.thread(category, bala, title="Which form for a leave encashment claim?")
    await forum.reply(followed, bala, "The controlling officer does.")
    assert [n["kind"] for n in await _notifications(forum, asha)] == ["reply"]
    marked = record_calls(monkeypatch, notifications_read, "mark_subjects_read")
    await sign_in(client, asha)
    page = await (await client.get(f"/forums/t/{elsewhere['id']}")).text()
    assert 'class="badge" data-unread-count>1</span>' in page
    assert marked == [], "a page no notification is about marked some read"
    assert await forum.db.notifications.count_documents({"user_id": asha["_id"], "read": False}) == 1
    page = await (await client.get(f"/forums/t/{followed['id']}")).text()
    assert len(marked) == 1 and "data-unread-count>0</span>" in page
