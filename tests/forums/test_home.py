"""The home page shows what is happening: the latest threads the person may read, the threads
they have read that have new replies, this week's top threads and their unread notifications."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from community.notifications.routes import NOTIFIER
from tests.factories import sign_in
from tests.forums.conftest import Forum


async def test_a_visitor_sees_the_latest_public_threads_and_no_private_ones(client: TestClient, forum: Forum) -> None:
    empty = await (await client.get("/")).text()
    assert "Nothing has been posted yet" in empty and "Sign in" in empty
    asha = await forum.person()
    public = await forum.category("procurement")
    private = await forum.category("internal", org="Ministry A")
    await forum.thread(public, asha, title="Single bids on the portal")
    await forum.thread(private, asha, title="Our ministry's own question")
    page = await (await client.get("/")).text()
    assert "Latest discussions" in page and "Single bids on the portal" in page
    assert "Our ministry" not in page, "a visitor reads no organisation's space"
    assert "Unread notifications" not in page and "New replies in threads you have read" not in page
    assert "Learn from each other" in page


async def test_a_member_sees_new_replies_in_threads_they_read_and_their_unread_notifications(
        client: TestClient, forum: Forum) -> None:
    asha, bala = await forum.person(name="Asha Rao"), await forum.person()
    category = await forum.category("procurement", org="Ministry A")
    read = await forum.thread(category, asha, title="A thread Asha has read")
    await forum.thread(category, bala, title="A thread Asha never opened")
    await sign_in(client, asha)
    await client.get(f"/forums/t/{read['id']}")
    await forum.reply(read, bala, "A reply Asha has not read yet.")
    await client.app[NOTIFIER].drain()
    page = await (await client.get("/")).text()
    assert "Welcome back, Asha Rao" in page and "Learn from each other" not in page
    unread = page.split('id="home-unread"')[1].split("</section>")[0]
    assert "A thread Asha has read" in unread and "1 new reply" in unread
    assert "never opened" not in unread, "only threads the person has read before"
    assert "A thread Asha never opened" in page.split('id="home-latest"')[1], "the organisation's space is readable"
    notifications = page.split('id="home-notifications"')[1].split("</section>")[0]
    assert "New reply in" in notifications and "A thread Asha has read" in notifications
    assert "IST" in notifications and "UTC" not in notifications
    await client.post("/notifications/read-all", data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]})
    assert 'id="home-notifications"' not in await (await client.get("/")).text(), "all read: the section goes"


async def test_upvoted_threads_of_this_week_are_the_top(client: TestClient, forum: Forum) -> None:
    asha, bala = await forum.person(), await forum.person()
    category = await forum.category("procurement")
    liked = await forum.thread(category, asha, title="A thread worth an upvote")
    await forum.thread(category, asha, title="A thread nobody voted for")
    opening = (await (await client.get(f"/api/v1/forums/threads/{liked['id']}")).json())["posts"][0]["id"]
    assert (await client.put(f"/api/v1/forums/posts/{opening}/vote", headers=forum.headers(bala))).status == 200
    top = (await (await client.get("/")).text()).split('id="home-top"')[1].split("</section>")[0]
    assert "A thread worth an upvote" in top and "nobody voted" not in top
