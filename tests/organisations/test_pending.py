"""A person who registered at an organisation without an address under its domains is pending:
a member of no organisation, so none of its private content reaches them anywhere.

Each test registers and verifies through the real pages, as an impostor would, and then tries
one way in; before membership had to be earned every one of them got in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.search_pages.routes import INDEXER
from tests.factories import bearer_token, make_org, make_user
from tests.organisations.support import private_category, register_and_verify
from tests.realtime.probe import SocketProbe, server_url, session_cookie


@pytest.fixture
async def ministry(client: TestClient, db: Any) -> dict[str, Any]:
    """An organisation claiming ``jalshakti.gov.in``, a private category, a member and their thread."""
    org = await make_org(db, name="Ministry of Jal Shakti", domains=("jalshakti.gov.in",))
    category = await private_category(db, org, "jal-internal")
    member = await make_user(db, org=org, name="Rohan Menon", email="rohan@jalshakti.gov.in")
    headers = {"Authorization": f"Bearer {await bearer_token(db, member)}"}
    created = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads", headers=headers,
                                json={"title": "Confidential zephyrine reservoir memo", "kind": "discussion",
                                      "body": "Internal notes on the zephyrine reservoir allocation."})
    assert created.status == 201, await created.text()
    return {"org": org, "category": category, "member": member, "headers": headers,
            "thread": (await created.json())["thread"]}


@pytest.fixture
async def impostor(client: TestClient, db: Any, ministry: dict[str, Any]) -> dict[str, Any]:
    return await register_and_verify(client, db, ministry["org"], "kavita.iyer@example.com")


async def test_a_self_declared_member_is_pending_and_member_of_nothing(client: TestClient, db: Any,
                                                                        ministry: dict[str, Any],
                                                                        impostor: dict[str, Any]) -> None:
    assert impostor["org_id"] is None
    me = await (await client.get("/api/v1/me")).json()
    assert me["org_id"] is None
    mine = await (await client.get("/api/v1/me/membership")).json()
    assert mine["org_id"] is None
    assert mine["request"]["status"] == "pending" and mine["request"]["org_id"] == str(ministry["org"]["_id"])
    page = await (await client.get("/account")).text()
    assert "Your request to join Ministry of Jal Shakti is waiting" in page


async def test_pending_reads_no_private_category_or_thread_page_or_api(client: TestClient, ministry: dict[str, Any],
                                                                       impostor: dict[str, Any]) -> None:
    slug, thread_id = ministry["category"]["slug"], ministry["thread"]["id"]
    for path in (f"/forums/c/{slug}", f"/forums/t/{thread_id}", f"/api/v1/forums/threads/{thread_id}",
                 f"/api/v1/forums/categories/{slug}/threads"):
        response = await client.get(path)
        assert response.status == 404, path
        assert "zephyrine" not in await response.text(), path
    listing = await (await client.get("/api/v1/forums/categories")).json()
    assert slug not in {item["slug"] for item in listing["items"]}
    assert "jal-internal" not in await (await client.get("/forums")).text()
    for path in (f"/forums/c/{slug}/feed.atom", f"/forums/t/{thread_id}/feed.atom"):
        feed = await client.get(path)
        assert feed.status == 404 and "zephyrine" not in await feed.text(), path
    assert (await client.get(f"/forums/t/{thread_id}", headers=ministry["headers"])).status == 200, \
        "the organisation's real member still reads it"


async def test_pending_finds_nothing_private_in_search_or_suggestions(client: TestClient, ministry: dict[str, Any],
                                                                      impostor: dict[str, Any]) -> None:
    await client.app[INDEXER].drain()
    member_view = await (await client.get("/api/v1/search", params={"q": "zephyrine"}, headers=ministry["headers"])).json()
    assert member_view["total"] == 1, "the thread is indexed and a member finds it"
    found = await (await client.get("/api/v1/search", params={"q": "zephyrine"})).json()
    assert found["total"] == 0 and found["hits"] == []
    assert str(ministry["org"]["_id"]) not in str(found["facets"])
    assert "reservoir memo" not in await (await client.get("/search", params={"q": "zephyrine"})).text()
    assert "reservoir memo" not in await (await client.get("/search/suggest", params={"q": "zephyr"})).text()
    member_suggestions = await client.get("/search/suggest", params={"q": "zephyr"}, headers=ministry["headers"])
    assert "reservoir memo" in await member_suggestions.text(), "the suggestion exists for members"


async def test_pending_is_in_no_private_mention_list_and_gets_none(client: TestClient, ministry: dict[str, Any],
                                                                   impostor: dict[str, Any]) -> None:
    category_id = str(ministry["category"]["_id"])
    offered = await (await client.get("/api/v1/forums/mentions", params={"q": "Kavita", "category": category_id},
                                      headers=ministry["headers"])).json()
    assert offered["items"] == [], "members mentioning in their private category are not offered the pending person"
    refused = await client.get("/api/v1/forums/mentions", params={"q": "Rohan", "category": category_id})
    assert refused.status == 404
    assert "Rohan" not in await refused.text()


@pytest.fixture
async def probe() -> AsyncIterator[SocketProbe]:
    made = SocketProbe()
    yield made
    await made.close()


async def test_pending_joins_no_room_of_the_organisation(client: TestClient, ministry: dict[str, Any],
                                                         impostor: dict[str, Any], probe: SocketProbe) -> None:
    await probe.connect(server_url(client), cookie=session_cookie(client))
    for room in (f"org:{ministry['org']['_id']}", f"category:{ministry['category']['_id']}",
                 f"thread:{ministry['thread']['id']}"):
        ack = await probe.call("join", {"room": room})
        assert ack["ok"] is False and ack["error"]["status"] == 404, room
    assert (await probe.call("join", {"room": f"user:{impostor['_id']}"}))["ok"] is True, "their own room still works"
