"""Joining a room asks the policy module; a refused join hears nothing from that room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.forums.queries import CATEGORIES, THREADS
from tests.factories import bearer_token, make_org, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def _connect(client: TestClient, db: Any, probes: Probes, user: dict[str, Any]) -> SocketProbe:
    return await probes().connect(server_url(client), token=await bearer_token(db, user))


async def _category(db: Any, org_id: ObjectId | None) -> dict[str, Any]:
    category = {"_id": ObjectId(), "name": "Budgeting", "slug": f"c{ObjectId()}", "org_id": org_id, "moderator_ids": []}
    await db[CATEGORIES].insert_one(category)
    return category


async def test_a_member_joins_their_organisation_room_and_hears_it(client: TestClient, db: Any,
                                                                    probes: Probes) -> None:
    user = await make_user(db)
    probe = await _connect(client, db, probes, user)
    ack = await probe.call("join", {"room": f"org:{user['org_id']}"})
    assert ack == {"ok": True, "room": f"org:{user['org_id']}", "present": 1}
    await client.app[keys.EMITTER].emit("announcement", {"text": "Office closed on Friday"}, room=f"org:{user['org_id']}")
    assert (await probe.next("announcement"))["text"] == "Office closed on Friday"


async def test_a_member_of_one_organisation_cannot_join_anothers_room(client: TestClient, db: Any,
                                                                       probes: Probes) -> None:
    home, other = await make_org(db), await make_org(db)
    user = await make_user(db, org=home)
    probe = await _connect(client, db, probes, user)
    ack = await probe.call("join", {"room": f"org:{other['_id']}"})
    assert ack["ok"] is False and ack["error"]["status"] == 404
    await client.app[keys.EMITTER].emit("announcement", {"text": "private"}, room=f"org:{other['_id']}")
    await probe.nothing("announcement")


async def test_nobody_joins_someone_elses_personal_room(client: TestClient, db: Any, probes: Probes) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    probe = await _connect(client, db, probes, asha)
    ack = await probe.call("join", {"room": f"user:{ravi['_id']}"})
    assert ack["ok"] is False
    await client.app[keys.EMITTER].emit("notification", {"text": "for Ravi"}, room=f"user:{ravi['_id']}")
    await probe.nothing("notification")


async def test_private_category_and_thread_rooms_follow_the_forum_rules(client: TestClient, db: Any,
                                                                         probes: Probes) -> None:
    home, other = await make_org(db), await make_org(db)
    public, private = await _category(db, None), await _category(db, other["_id"])
    thread = {"_id": ObjectId(), "category_id": private["_id"], "title": "Pay rules", "deleted": False, "hidden": False}
    await db[THREADS].insert_one(thread)
    outsider = await _connect(client, db, probes, await make_user(db, org=home))
    insider = await _connect(client, db, probes, await make_user(db, org=other))
    assert (await outsider.call("join", {"room": f"category:{public['_id']}"}))["ok"] is True
    assert (await outsider.call("join", {"room": f"category:{private['_id']}"}))["ok"] is False
    assert (await outsider.call("join", {"room": f"thread:{thread['_id']}"}))["ok"] is False
    assert (await insider.call("join", {"room": f"thread:{thread['_id']}"}))["ok"] is True
    await client.app[keys.EMITTER].emit("reply", {"n": 7}, room=f"thread:{thread['_id']}")
    assert await insider.next("reply") == {"n": 7}
    await outsider.nothing("reply")


async def test_event_rooms_are_open_to_all_members_unless_the_event_is_an_organisations(
        client: TestClient, db: Any, probes: Probes) -> None:
    home, other = await make_org(db), await make_org(db)
    open_event = {"_id": ObjectId(), "org_id": None, "audience": "everyone", "status": "published"}
    org_event = {"_id": ObjectId(), "org_id": other["_id"], "audience": "organisation", "status": "published"}
    await db.events.insert_many([open_event, org_event])
    probe = await _connect(client, db, probes, await make_user(db, org=home))
    assert (await probe.call("join", {"room": f"event:{open_event['_id']}"}))["ok"] is True
    assert (await probe.call("join", {"room": f"event:{org_event['_id']}"}))["ok"] is False
    assert (await probe.call("join", {"room": f"event:{ObjectId()}"}))["error"]["status"] == 404


async def test_after_leaving_a_room_its_events_stop(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    probe = await _connect(client, db, probes, user)
    room = f"org:{user['org_id']}"
    await probe.call("join", {"room": room})
    assert await probe.call("leave", {"room": room}) == {"ok": True, "room": room}
    await client.app[keys.EMITTER].emit("announcement", {"text": "gone"}, room=room)
    await probe.nothing("announcement")
