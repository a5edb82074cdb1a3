"""Presence through Redis: two servers (two apps on their own ports, as two processes would be)
report the same count, and a process that died without cleaning up stops counting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from bson import ObjectId

from community import keys
from community.app import create_app
from community.config import Settings
from community.realtime.presence import PROCESSES_KEY, STALE_AFTER_SECONDS, SharedPresence, room_key
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

pytestmark = [pytest.mark.redis]

Probes = Callable[[], SocketProbe]


async def test_two_servers_count_the_same_people_and_tell_each_others_sockets(
        redis_url: str, aiohttp_client: Any, settings: Settings, tmp_path: Path, probes: Probes) -> None:
    """``redis_url`` comes first so Redis outlives both servers at teardown."""
    event_id = ObjectId()
    servers = []
    for name in ("a", "b"):  # each its own data folder (the search index locks its own)
        (tmp_path / name).mkdir()
        servers.append(await aiohttp_client(create_app(replace(settings, redis_url=redis_url,
                                                               data_dir=tmp_path / name))))
    sockets = []
    for server in servers:  # each has its own store: the same event, a different person
        db = server.app[keys.DB]
        await db.events.insert_one({"_id": event_id, "org_id": None})
        sockets.append(await probes().connect(server_url(server), token=await bearer_token(db, await make_user(db))))
    room = {"room": f"event:{event_id}"}
    on_a, on_b = sockets
    assert (await on_a.call("join", room))["present"] == 1
    assert (await on_a.next("presence"))["present"] == 1
    assert (await on_b.call("join", room))["present"] == 2, "server B counts the person on server A"
    heard = await on_a.next("presence")
    while heard["present"] != 2:
        heard = await on_a.next("presence")
    await on_b.close()
    heard = await on_a.next("presence")
    while heard["present"] != 1:
        heard = await on_a.next("presence")
    assert (await on_a.call("presence", room))["present"] == 1


async def test_a_dead_process_stops_counting_and_its_entries_are_removed(redis_url: str) -> None:
    presence = SharedPresence(redis_url)
    await presence.start()
    raw = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await presence.enter("event:1", "asha")
        await raw.zadd(PROCESSES_KEY, {"deadbeef": time.time() - STALE_AFTER_SECONDS - 1})
        await raw.hset(room_key("event:1"), mapping={"deadbeef|ravi": 1})
        assert await presence.count("event:1") == 1
        assert await raw.hkeys(room_key("event:1")) == [f"{presence.process}|asha"]
    finally:
        await presence.close()
        assert await raw.hkeys(room_key("event:1")) == [], "a clean stop leaves nothing behind"
        await raw.aclose()


async def test_acknowledgements_reuse_a_count_for_a_second_and_announcements_count_afresh(redis_url: str) -> None:
    presence = SharedPresence(redis_url)
    await presence.start()
    raw = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await presence.enter("event:2", "asha")
        assert await presence.count("event:2") == 1
        await raw.zadd(PROCESSES_KEY, {"otherprocess": time.time()})
        await raw.hset(room_key("event:2"), mapping={"otherprocess|ravi": 1})
        assert await presence.count("event:2") == 1, "within the second the count is reused"
        assert await presence.count("event:2", fresh=True) == 2
    finally:
        await presence.close()
        await raw.aclose()


async def test_a_stopped_server_leaves_no_connection_open_to_redis(
        redis_url: str, aiohttp_client: Any, settings: Settings, tmp_path: Path, probes: Probes) -> None:
    server = await aiohttp_client(create_app(replace(settings, redis_url=redis_url, data_dir=tmp_path)))
    db = server.app[keys.DB]
    probe = await probes().connect(server_url(server), token=await bearer_token(db, await make_user(db)))
    assert (await probe.call("join", {"room": f"event:{ObjectId()}"})) is not None
    await server.app[keys.EMITTER].emit("ping", {}, room=f"event:{ObjectId()}")  # the publishing client connects
    await probe.close()
    watcher = aioredis.from_url(redis_url)
    try:
        assert len(await watcher.client_list()) > 1, "the running server holds connections"
        await server.close()
        clients = await watcher.client_list()
        assert len(clients) == 1, f"only this test's own connection is left: {clients}"
    finally:
        await watcher.aclose()


async def test_a_person_taken_out_of_a_room_on_one_server_leaves_it_on_the_other(
        redis_url: str, aiohttp_client: Any, settings: Settings, tmp_path: Path, probes: Probes) -> None:
    event_id = ObjectId()
    room = {"room": f"event:{event_id}"}
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(await aiohttp_client(create_app(replace(settings, redis_url=redis_url,
                                                               data_dir=tmp_path / name))))
    db = servers[1].app[keys.DB]
    await db.events.insert_one({"_id": event_id, "org_id": None})
    leaving, staying = await make_user(db), await make_user(db)
    gone = await probes().connect(server_url(servers[1]), token=await bearer_token(db, leaving))
    kept = await probes().connect(server_url(servers[1]), token=await bearer_token(db, staying))
    for probe in (gone, kept):
        assert (await probe.call("join", room))["ok"] is True
    listening = aioredis.from_url(redis_url)
    try:
        for _ in range(100):  # both servers hear the channel before server A speaks on it
            if dict(await listening.pubsub_numsub("socketio"))[b"socketio"] >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await listening.aclose()
    await servers[0].app[keys.EMITTER].remove_from_room(leaving["_id"], room["room"])
    assert await gone.next("room:removed") == room, "server B's socket heard server A's removal"
    assert (await gone.call("presence", room))["ok"] is False and gone.sio.connected
    assert (await kept.call("presence", room)) == {"ok": True, "room": room["room"], "present": 1}
    await kept.nothing("room:removed")
