"""One organisation's private category: its threads cannot be read, found in search, followed
through feeds or heard over the socket by members of another organisation."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from xml.etree import ElementTree as ET

from community import keys, policy
from community.accounts.sessions import actor_for_user
from community.search_pages.routes import INDEXER
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url


async def _private_setup(forum: Forum) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    private = await forum.category("ministry-a-internal", org="Ministry A")
    insider = await forum.person("Ministry A")
    outsider = await forum.person("Ministry B")
    thread = await forum.thread(private, insider, title="Confidential zephyrine budget note",
                                body="Internal discussion of the zephyrine allocation for next year")
    return private, insider, outsider, thread


async def test_outsiders_cannot_read_a_private_category(client: TestClient, forum: Forum) -> None:
    private, insider, outsider, thread = await _private_setup(forum)
    for path in (f"/api/v1/forums/threads/{thread['id']}", f"/api/v1/forums/categories/{private['slug']}/threads"):
        assert (await client.get(path, headers=forum.headers(outsider))).status == 404, path
        assert (await client.get(path)).status == 404, path
        assert (await client.get(path, headers=forum.headers(insider))).status == 200, path
    listing = await (await client.get("/api/v1/forums/categories", headers=forum.headers(outsider))).json()
    assert private["slug"] not in {item["slug"] for item in listing["items"]}
    listing = await (await client.get("/api/v1/forums/categories", headers=forum.headers(insider))).json()
    assert private["slug"] in {item["slug"] for item in listing["items"]}
    reply = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Let me in"},
                              headers=forum.headers(outsider))
    assert reply.status == 404
    posts = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}", headers=forum.headers(insider))).json())["posts"]
    for method, path in (("PUT", f"/api/v1/forums/posts/{posts[0]['id']}/vote"),
                         ("POST", f"/api/v1/forums/posts/{posts[0]['id']}/flags"),
                         ("PUT", f"/api/v1/forums/threads/{thread['id']}/follow"),
                         ("GET", f"/api/v1/forums/posts/{posts[0]['id']}/revisions")):
        response = await client.request(method, path, json={"reason": "spam"}, headers=forum.headers(outsider))
        assert response.status == 404, path
    assert (await client.get(f"/forums/t/{thread['id']}/feed.atom")).status == 404
    assert (await client.get(f"/forums/c/{private['slug']}/feed.atom")).status == 404


async def test_outsiders_cannot_find_private_threads_in_search(client: TestClient, forum: Forum) -> None:
    _private, insider, outsider, thread = await _private_setup(forum)
    await client.app[INDEXER].drain()  # the app's own indexer: a second one would race it for the outbox
    engine = client.app[keys.SEARCH]
    found = await engine.search("threads_posts", "zephyrine", filters=policy.search_visibility(actor_for_user(insider)))
    assert [hit.id for hit in found.hits] == [thread["id"]]
    hidden = await engine.search("threads_posts", "zephyrine", filters=policy.search_visibility(actor_for_user(outsider)))
    assert hidden.total == 0 and hidden.hits == []


async def test_outsiders_cannot_join_the_live_rooms(client: TestClient, forum: Forum, probe: SocketProbe) -> None:
    private, _insider, outsider, thread = await _private_setup(forum)
    await probe.connect(server_url(client), token=outsider["token"])
    for room in (f"thread:{thread['id']}", f"category:{private['_id']}"):
        ack = await probe.call("join", {"room": room})
        assert ack["ok"] is False and ack["error"]["status"] == 404, room
    await client.app[keys.EMITTER].emit("forum:post_created", {"thread_id": thread["id"], "number": 2},
                                        room=f"thread:{thread['id']}")
    await probe.nothing("forum:post_created")


async def test_public_feeds_are_valid_atom(client: TestClient, forum: Forum) -> None:
    category = await forum.category("procurement", description="Tenders & GeM")
    asha = await forum.person(name="Asha <Verma> & Co")
    thread = await forum.thread(category, asha, title="Tenders & \"quotes\" <here>",
                                body="Body with **bold** & <script>alert(1)</script>")
    await forum.reply(thread, await forum.person(), "नमस्ते, यह उत्तर है।")
    atom = "{http://www.w3.org/2005/Atom}"
    for path, entries in ((f"/forums/c/{category['slug']}/feed.atom", 1), (f"/forums/t/{thread['id']}/feed.atom", 2)):
        response = await client.get(path)
        assert response.status == 200 and response.content_type == "application/atom+xml"
        root = ET.fromstring(await response.read())
        assert root.tag == f"{atom}feed"
        for required in ("id", "title", "updated"):
            assert root.find(f"{atom}{required}") is not None
        items = root.findall(f"{atom}entry")
        assert len(items) == entries
        for entry in items:
            for required in ("id", "title", "updated", "author", "content", "link"):
                assert entry.find(f"{atom}{required}") is not None, required
            assert entry.find(f"{atom}id").text.startswith("http")
            assert entry.find(f"{atom}content").get("type") == "html"
            assert "<script" not in entry.find(f"{atom}content").text
    feed = ET.fromstring(await (await client.get(f"/forums/t/{thread['id']}/feed.atom")).read())
    titles = [entry.find(f"{atom}title").text for entry in feed.findall(f"{atom}entry")]
    assert 'Tenders & "quotes" <here>' in titles
    contents = [entry.find(f"{atom}content").text for entry in feed.findall(f"{atom}entry")]
    assert any("नमस्ते" in text for text in contents)
