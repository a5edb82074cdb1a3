"""Presence: how many people are in an event room, counted once per person, cleaned up on disconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.realtime.presence import Presence
from community.realtime.server import PRESENCE
from community.realtime.sockets import PRESENCE_INTERVAL_SECONDS
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def test_event_rooms_count_people_and_forget_those_who_disconnect(client: TestClient, db: Any,
                                                                        probes: Probes) -> None:
    event = {"_id": ObjectId(), "org_id": None}
    await db.events.insert_one(event)
    room = {"room": f"event:{event['_id']}"}
    asha, ravi = await make_user(db), await make_user(db)
    url = server_url(client)
    asha_socket = await probes().connect(url, token=await bearer_token(db, asha))
    assert (await asha_socket.call("join", room))["present"] == 1
    assert await asha_socket.next("presence") == {**room, "present": 1}

    ravi_tabs = [await probes().connect(url, token=await bearer_token(db, ravi)) for _ in range(2)]
    assert (await ravi_tabs[0].call("join", room))["present"] == 2
    assert await asha_socket.next("presence") == {**room, "present": 2}
    assert (await ravi_tabs[1].call("join", room))["present"] == 2, "a second tab is not a second person"
    assert (await asha_socket.call("presence", room))["present"] == 2

    await ravi_tabs[0].close()
    await asha_socket.nothing("presence")
    await ravi_tabs[1].close()
    assert await asha_socket.next("presence") == {**room, "present": 1}
    await asha_socket.close()
    for _ in range(50):
        if await client.app[PRESENCE].count(room["room"]) == 0:
            break
        await asyncio.sleep(0.02)
    assert await client.app[PRESENCE].count(room["room"]) == 0


async def test_presence_is_only_told_to_members_of_the_room(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    probe = await probes().connect(server_url(client), token=await bearer_token(db, user))
    ack = await probe.call("presence", {"room": f"event:{ObjectId()}"})
    assert ack["ok"] is False and ack["error"]["status"] == 404


async def test_presence_counts_people_not_sockets() -> None:
    presence = Presence()
    assert await presence.enter("event:1", "a") is True
    assert await presence.enter("event:1", "a") is False
    assert await presence.enter("event:1", "b") is True
    assert await presence.count("event:1") == 2
    assert await presence.leave("event:1", "a") is False
    assert await presence.leave("event:1", "a") is True
    assert await presence.leave("event:1", "a") is False
    assert await presence.count("event:1") == 1


async def test_a_crowd_arriving_at_once_is_announced_in_a_few_messages_not_one_per_person(
        client: TestClient, db: Any, probes: Probes) -> None:
    event = {"_id": ObjectId(), "org_id": None}
    await db.events.insert_one(event)
    room = {"room": f"event:{event['_id']}"}
    url = server_url(client)
    host = await probes().connect(url, token=await bearer_token(db, await make_user(db)))
    await host.call("join", room)
    assert (await host.next("presence"))["present"] == 1
    crowd = [await probes().connect(url, token=await bearer_token(db, await make_user(db))) for _ in range(6)]
    await asyncio.gather(*(guest.call("join", room) for guest in crowd))
    heard = [await host.next("presence", timeout=3)]
    while heard[-1]["present"] != 7:
        heard.append(await host.next("presence", timeout=3))
    assert len(heard) <= 2, heard
    await asyncio.sleep(PRESENCE_INTERVAL_SECONDS * 1.2)  # a trailing announcement is due within one interval
    await host.nothing("presence")
