"""A suspended member can read but cannot post: not through the page, the API or the socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from community.forums.queries import POSTS, THREADS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url


@pytest.fixture
async def probe() -> AsyncIterator[SocketProbe]:
    made = SocketProbe()
    yield made
    await made.close()


@pytest.fixture
async def reconnected() -> AsyncIterator[SocketProbe]:
    made = SocketProbe()
    yield made
    await made.close()


async def test_suspension_is_audited_and_blocks_every_way_of_posting(client: TestClient, forum: Forum,
                                                                    probe: SocketProbe,
                                                                    reconnected: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    await probe.connect(server_url(client), token=bala["token"])
    ack = await probe.call("forum:reply", {"thread_id": thread["id"], "body": "Before my suspension"})
    assert ack["ok"] is True and ack["number"] == 2

    for bad in ({"reason": "Repeated abuse", "days": 0}, {"reason": "", "days": 3}, {"days": "soon", "reason": "Abuse"}):
        response = await client.post(f"/api/v1/forums/members/{bala['_id']}/suspend", json=bad,
                                     headers=forum.headers(moderator))
        assert response.status == 422, bad
    assert (await client.post(f"/api/v1/forums/members/{bala['_id']}/suspend", json={"reason": "Abuse", "days": 3},
                              headers=forum.headers(asha))).status == 403
    response = await client.post(f"/api/v1/forums/members/{bala['_id']}/suspend",
                                 json={"reason": "Repeated abuse", "days": 3}, headers=forum.headers(moderator))
    assert response.status == 200
    entry = await forum.db.audit_log.find_one({"action": "member.suspend"})
    assert entry["actor_id"] == moderator["_id"] and entry["target_id"] == bala["_id"]
    assert entry["reason"] == "Repeated abuse" and entry["details"]["days"] == 3

    api = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Through the API"},
                            headers=forum.headers(bala))
    assert api.status == 403
    new_thread = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                   json={"title": "A thread while suspended", "body": "Should not be allowed"},
                                   headers=forum.headers(bala))
    assert new_thread.status == 403
    await asyncio.wait_for(probe.disconnected.wait(), 1)  # the suspension closed the open socket
    again = await reconnected.connect(server_url(client), token=bala["token"])
    ack = await again.call("forum:reply", {"thread_id": thread["id"], "body": "Through the socket"})
    assert ack["ok"] is False and ack["error"]["status"] == 403

    await sign_in(client, bala)
    page = await client.get(f"/forums/t/{thread['id']}")
    assert page.status == 200, "a suspended member can still read"
    html = await page.text()
    assert "Your account is suspended" in html and 'id="reply-form"' not in html
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    response = await client.post(f"/forums/t/{thread['id']}/reply", data={"csrf_token": token, "body": "Through the page"})
    assert response.status == 403
    assert await forum.db[POSTS].count_documents({"author_id": bala["_id"]}) == 1

    lifted = await client.request("DELETE", f"/api/v1/forums/members/{bala['_id']}/suspend",
                                  json={"reason": "Apology accepted"}, headers=forum.headers(moderator))
    assert (await lifted.json())["changed"] is True
    assert (await forum.db.audit_log.find_one({"action": "member.unsuspend"}))["reason"] == "Apology accepted"
    api = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Back again, politely"},
                            headers=forum.headers(bala))
    assert api.status == 201


async def test_a_suspension_ends_by_itself_once_its_time_has_passed(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    response = await client.post(f"/api/v1/forums/members/{bala['_id']}/suspend",
                                 json={"reason": "Cooling off", "days": 1}, headers=forum.headers(moderator))
    assert response.status == 200
    refused = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Still suspended"},
                                headers=forum.headers(bala))
    assert refused.status == 403

    await forum.db.users.update_one({"_id": bala["_id"]},
                                    {"$set": {"suspended_until": datetime.now(UTC) - timedelta(minutes=1)}})
    api = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Back through the API"},
                            headers=forum.headers(bala))
    assert api.status == 201, await api.text()
    started = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                json={"title": "A thread after my suspension", "body": "Posting is open to me again"},
                                headers=forum.headers(bala))
    assert started.status == 201, await started.text()

    await sign_in(client, bala)
    html = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert 'id="reply-form"' in html and "Your account is suspended" not in html
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    page = await client.post(f"/forums/t/{thread['id']}/reply", allow_redirects=False,
                             data={"csrf_token": token, "body": "Back through the page"})
    assert page.status == 303, await page.text()
    bodies = {post["body"] async for post in forum.db[POSTS].find({"author_id": bala["_id"]})}
    assert bodies == {"Back through the API", "Posting is open to me again", "Back through the page"}
    assert await forum.db[THREADS].count_documents({"author_id": bala["_id"]}) == 1
    assert (await forum.db.users.find_one({"_id": bala["_id"]}))["suspended_until"] is not None, \
        "the suspension ended by its date, not because anyone lifted it"
