"""Follows bring a person's new threads; a block ends connection and follows and stops requests,
follows, mentions and the fields visible to connections."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import actions
from community.accounts.sessions import actor_for_user
from community.errors import Forbidden, Invalid
from community.forums.mentions import mention_markup
from community.network import connections, queries
from community.notifications.routes import NOTIFIER
from community.profiles import show
from community.profiles.verification import EndorsementRule
from tests.factories import act
from tests.forums.conftest import Forum
from tests.network.helpers import ask, block, connect, follow


async def _kinds(client: TestClient, user: dict[str, Any]) -> list[str]:
    await client.app[NOTIFIER].drain()
    return [row["kind"] for row in await client.app[NOTIFIER].db.notifications.find({"user_id": user["_id"]}).to_list(None)]


async def test_a_followed_persons_new_thread_reaches_the_follower(client: TestClient, forum: Forum,
                                                                  captured_effects: actions.Effects) -> None:
    public = await forum.category()
    author, follower, stranger = await forum.person(), await forum.person(), await forum.person()
    both = await forum.person()
    assert await follow(client.app, follower, author)
    assert not await follow(client.app, follower, author), "following again changes nothing"
    await follow(client.app, both, author)
    response = await client.put(f"/api/v1/forums/categories/{public['slug']}/follow", headers=forum.headers(both))
    assert response.status == 200
    await forum.thread(public, author, title="Single bids in GeM tenders")
    [intent] = [n for n in captured_effects.notifications if n["kind"] == "followed_thread"]
    assert intent["to"]["set"] == "forum.author_followers" and intent["to"]["args"]["author_id"] == author["_id"]
    assert await _kinds(client, follower) == ["followed_thread"]
    assert await _kinds(client, both) == ["new_thread"], "told once, as a follower of the category"
    assert await _kinds(client, stranger) == []


async def test_a_followed_persons_thread_in_a_space_the_follower_cannot_read_is_not_told(
        client: TestClient, forum: Forum) -> None:
    private = await forum.category("ministry-a-internal", org="Ministry A")
    author, outsider = await forum.person("Ministry A"), await forum.person("Ministry B")
    await follow(client.app, outsider, author)
    await forum.thread(private, author, title="Internal note on pay fixation")
    assert await _kinds(client, outsider) == []


async def test_a_block_ends_connection_and_follows_and_stops_the_next(client: TestClient, app: web.Application,
                                                                      db: Any, forum: Forum) -> None:
    asha, ravi = await forum.person(), await forum.person()
    await connect(app, asha, ravi)
    await follow(app, asha, ravi)
    await follow(app, ravi, asha)
    assert "email" in await show.visible_profile(db, actor_for_user(ravi), asha["_id"], EndorsementRule())
    assert await block(app, asha, ravi)
    assert not await queries.is_connected(db, asha["_id"], ravi["_id"])
    assert await db[queries.FOLLOWS].count_documents({}) == 0
    assert "email" not in await show.visible_profile(db, actor_for_user(ravi), asha["_id"], EndorsementRule())
    with pytest.raises(Forbidden):
        await follow(app, ravi, asha)
    with pytest.raises(Forbidden):
        await ask(app, ravi, asha)
    relation = await connections.relation(db, actor_for_user(ravi), asha["_id"])
    assert (relation["can_connect"], relation["can_follow"], relation["blocked"]) == (False, False, False)
    mine = await connections.relation(db, actor_for_user(asha), ravi["_id"])
    assert (mine["can_connect"], mine["blocked"]) == (False, True)
    assert await act(app, actor_for_user(asha), connections.set_blocked, ravi["_id"], False)
    assert (await connections.relation(db, actor_for_user(ravi), asha["_id"]))["can_connect"]
    assert not await queries.is_connected(db, asha["_id"], ravi["_id"]), "lifting a block restores nothing"


async def test_a_block_drops_a_waiting_request_and_its_expiry(app: web.Application, db: Any, forum: Forum,
                                                              captured_effects: actions.Effects) -> None:
    asha, ravi = await forum.person(), await forum.person()
    await ask(app, ravi, asha)
    request_id = (await queries.connection(db, asha["_id"], ravi["_id"]) or {})["request_id"]
    await block(app, asha, ravi)
    assert await queries.connection(db, asha["_id"], ravi["_id"]) is None
    assert captured_effects.cancelled == [connections.expiry_key(request_id)]


async def test_nobody_follows_or_blocks_themselves(app: web.Application, db: Any, forum: Forum) -> None:
    asha = await forum.person()
    with pytest.raises(Invalid):
        await follow(app, asha, asha)
    with pytest.raises(Invalid):
        await block(app, asha, asha)
    assert await db[queries.FOLLOWS].count_documents({}) == 0 and await db[queries.BLOCKS].count_documents({}) == 0


async def test_a_blocked_person_cannot_mention_the_blocker(client: TestClient, forum: Forum) -> None:
    public = await forum.category()
    asha, ravi = await forum.person(name="Asha Menon"), await forum.person(name="Ravi Kumar")
    await block(client.app, asha, ravi)
    await forum.thread(public, ravi, title="A question for Asha", body=f"{mention_markup('Asha Menon', asha['_id'])} see this")
    assert "mention" not in await _kinds(client, asha)
    found = await (await client.get("/api/v1/forums/mentions?q=asha", headers=forum.headers(ravi))).json()
    assert found["items"] == [], "the composer does not offer the blocker"
