"""One read per use case: the page, the API and the live update show what the same read returned."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from tests.factories import sign_in
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url


async def test_the_live_row_update_says_what_the_thread_list_then_shows(client: TestClient, forum: Forum,
                                                                         probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await probe.connect(server_url(client), token=asha["token"])
    assert (await probe.call("join", {"room": f"category:{category['_id']}"}))["ok"] is True
    await forum.reply(thread, bala, "We asked for a second bid.")
    activity = await probe.next("forum:thread_activity")
    listing = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads")).json()
    row = listing["items"][0]
    assert activity == {"thread_id": row["id"], "last_number": 2, "reply_count": row["reply_count"],
                        "last_activity_at": row["last_activity_at"]}


async def test_the_page_and_the_api_show_the_same_accepted_answer_in_their_places(client: TestClient,
                                                                                  forum: Forum) -> None:
    category, asha, bala = await forum.category(), await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    for body in ("Ask for a second bid.", "Retender after a week.", "Record why one bid sufficed."):
        await forum.reply(thread, bala, body)
    accepted = await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 3},
                                headers=forum.headers(asha))
    assert accepted.status == 200, await accepted.text()
    shown = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    assert [post["number"] for post in shown["posts"]] == [1, 3, 2, 4]
    await sign_in(client, asha)
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert sorted(int(n) for n in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', page)) == [1, 2, 3, 4]
    assert re.search(r'<article class="post accepted" id="post-3"', page)


async def test_the_history_page_and_the_api_list_the_same_versions(client: TestClient, forum: Forum) -> None:
    category, asha = await forum.category(), await forum.person()
    thread = await forum.thread(category, asha)
    post_id = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json())["posts"][0]["id"]
    for body in ("Only one bid arrived: what now?", "Only one bid arrived for our tender: what now?"):
        edited = await client.patch(f"/api/v1/forums/posts/{post_id}", json={"body": body}, headers=forum.headers(asha))
        assert edited.status == 200, await edited.text()
    versions = (await (await client.get(f"/api/v1/forums/posts/{post_id}/revisions",
                                        headers=forum.headers(asha))).json())["items"]
    assert len(versions) == 2 and {version["editor"]["name"] for version in versions} == {asha["name"]}
    await sign_in(client, asha)
    page = await (await client.get(f"/forums/t/{thread['id']}/p/1/history")).text()
    for version in versions:
        assert version["html"] in page
