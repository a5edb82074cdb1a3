"""The network without JavaScript (profile buttons, lists with counts) and through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from community.network import queries
from community.notifications.routes import NOTIFIER
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import call


async def test_connect_and_accept_through_the_pages(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db, name="Ravi Kumar")
    await sign_in(client, asha)
    page = await (await client.get(f"/people/{ravi['_id']}")).text()
    assert f'action="/people/{ravi["_id"]}/network/connect"' in page and ">Connect<" in page
    token = await csrf_token(client, f"/people/{ravi['_id']}")
    too_long = await client.post(f"/people/{ravi['_id']}/network/connect", data={"csrf_token": token, "note": "x" * 301})
    assert too_long.status == 422 and 'id="connect-note-error"' in await too_long.text()
    assert await db[queries.CONNECTIONS].count_documents({}) == 0
    sent = await client.post(f"/people/{ravi['_id']}/network/connect", allow_redirects=False,
                             data={"csrf_token": token, "note": "Met at the Mussoorie workshop"})
    assert sent.status == 303 and sent.headers["Location"] == f"/people/{ravi['_id']}#network"
    assert "Your request is waiting for an answer." in await (await client.get(f"/people/{ravi['_id']}")).text()

    client.session.cookie_jar.clear()
    await sign_in(client, ravi)
    received = await (await client.get("/network/lists/received")).text()
    assert "Asha Menon" in received and "Met at the Mussoorie workshop" in received and "Requests received (1)" in received
    # The name and the designation read apart, not as "Asha MenonUnder Secretary".
    assert '>Asha Menon</a> <span class="meta">· Under Secretary</span>' in received
    token = await csrf_token(client, "/network/lists/received")
    accepted = await client.post(f"/people/{asha['_id']}/network/accept", allow_redirects=False,
                                 data={"csrf_token": token, "back": "received"})
    assert accepted.status == 303 and accepted.headers["Location"] == "/network/lists/received"
    connections = await (await client.get("/network/lists/connections")).text()
    assert "Connections (1)" in connections and "Asha Menon" in connections
    assert asha["email"] in await (await client.get(f"/people/{asha['_id']}")).text(), "e-mail is for connections"
    hindi = await (await client.get("/network/lists/connections", headers={"Accept-Language": "hi"})).text()
    assert "संपर्क (1)" in hindi

    await client.app[NOTIFIER].drain()
    token = await bearer_token(db, asha)
    status, listed = await call(client, "GET", "/api/v1/notifications", token)
    assert listed["items"][0]["text"] == "Ravi Kumar accepted your connection request."
    status, listed = await call(client, "GET", "/api/v1/notifications", token, headers={"Accept-Language": "hi"})
    assert listed["items"][0]["text"] == "Ravi Kumar ने आपका जुड़ने का अनुरोध स्वीकार कर लिया।", "rendered in the reader's language"
    status, listed = await call(client, "GET", "/api/v1/notifications", await bearer_token(db, ravi))
    assert [item["text"] for item in listed["items"]] == ["Asha Menon asked to connect with you."]


async def test_the_block_button_takes_the_connect_button_away(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await sign_in(client, asha)
    token = await csrf_token(client, f"/people/{ravi['_id']}")
    assert (await client.post(f"/people/{ravi['_id']}/network/block", data={"csrf_token": token},
                              allow_redirects=False)).status == 303
    client.session.cookie_jar.clear()
    await sign_in(client, ravi)
    page = await (await client.get(f"/people/{asha['_id']}")).text()
    assert "/network/connect" not in page and "/network/follow" not in page
    assert (await client.post(f"/people/{asha['_id']}/network/nonsense",
                              data={"csrf_token": await csrf_token(client, "/")})).status == 404


async def test_the_api_connects_follows_blocks_and_lists(client: TestClient, db: Any) -> None:
    asha, ravi, gone = await make_user(db), await make_user(db), await make_user(db, deleted=True)
    mine, theirs = await bearer_token(db, asha), await bearer_token(db, ravi)
    base = f"/api/v1/network/people/{ravi['_id']}"
    status, relation = await call(client, "POST", f"{base}/connection", mine, json={"note": "Hello"})
    assert status == 200 and relation["connection"] == "sent"
    status, relation = await call(client, "POST", f"/api/v1/network/people/{asha['_id']}/connection/accept", theirs)
    assert status == 200 and relation["connection"] == "connected"
    status, relation = await call(client, "PUT", f"{base}/follow", mine)
    assert status == 200 and relation["following"]
    status, listed = await call(client, "GET", "/api/v1/network/lists/following", mine)
    assert status == 200 and [item["id"] for item in listed["items"]] == [str(ravi["_id"])]
    assert listed["counts"] == {"connections": 1, "received": 0, "sent": 0, "followers": 0, "following": 1, "blocked": 0}
    status, relation = await call(client, "PUT", f"{base}/block", mine)
    assert status == 200 and relation["blocked"] and relation["connection"] == "none" and not relation["following"]
    status, problem = await call(client, "POST", f"/api/v1/network/people/{asha['_id']}/connection", theirs, json={})
    assert status == 403 and problem["detail"] == "You cannot connect with this member."
    status, problem = await call(client, "POST", f"/api/v1/network/people/{asha['_id']}/connection", mine, json={})
    assert status == 422 and problem["errors"][0]["field"] == "note"
    assert (await call(client, "POST", f"/api/v1/network/people/{gone['_id']}/connection", mine, json={}))[0] == 404
    assert (await call(client, "GET", "/api/v1/network/lists/everyone", mine))[0] == 404
    assert (await call(client, "GET", "/api/v1/network/lists/connections"))[0] == 401
    assert (await call(client, "DELETE", f"{base}/connection", mine))[0] == 404


async def test_a_long_list_pages_with_a_cursor_through_ties(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    fans = [await make_user(db) for _ in range(5)]
    same_moment = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    await db[queries.FOLLOWS].insert_many([{"_id": queries.follow_key(fan["_id"], asha["_id"]), "follower_id": fan["_id"],
                                            "followed_id": asha["_id"], "at": same_moment} for fan in fans])
    token, seen, cursor = await bearer_token(db, asha), [], None
    for _ in range(3):
        status, page = await call(client, "GET", "/api/v1/network/lists/followers", token,
                                  params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert status == 200 and page["counts"]["followers"] == 5
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
    assert cursor is None and sorted(seen) == sorted(str(fan["_id"]) for fan in fans), "every follower once"
    await sign_in(client, asha)
    first = await (await client.get("/network/lists/followers")).text()
    assert "Followers (5)" in first and ">More<" not in first, "five fit on one page"
