"""A broadcast's frame is written straight to each idle WebSocket connection
(``community.realtime.wire``); everything else still goes through the socket's queue, in order."""

from __future__ import annotations

import asyncio
import json
import socket as sockets
from collections.abc import Callable
from typing import Any

import pytest
import websockets
from aiohttp.test_utils import TestClient
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet

from community import keys
from community.realtime import wire
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[..., SocketProbe]


def engine_socket(client: TestClient, probe: SocketProbe) -> AsyncSocket:
    sio = client.app[keys.SIO]
    engine: AsyncSocket = sio.eio.sockets[sio.manager.eio_sid_from_sid(probe.sio.get_sid("/"), "/")]
    return engine


def queued_sends(monkeypatch: pytest.MonkeyPatch, engine: AsyncSocket) -> list[Any]:
    """The packets python-engineio's ``send`` queues for ``engine`` from now on."""
    queued: list[Any] = []
    send = engine.send

    async def recording(pkt: Any) -> None:
        queued.append(pkt.data)
        await send(pkt)

    monkeypatch.setattr(engine, "send", recording)
    return queued


def queue_directly(client: TestClient, engine: AsyncSocket, event: str, data: Any) -> None:
    """What ``emit(to=...)`` with a callback does: the packet goes to ``engine``'s queue, and its
    writer task has not run yet when the next line runs (no await in between)."""
    encoded = client.app[keys.SIO].packet_class(packet.EVENT, namespace="/", data=[event, data]).encode()
    engine.queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, encoded))


async def _joined(client: TestClient, probes: Probes, token: str, room: str, transport: str = "websocket") -> SocketProbe:
    probe = await probes(transport=transport).connect(server_url(client), token=token)
    assert (await probe.call("join", {"room": room}))["ok"] is True
    return probe


async def test_a_broadcast_is_written_straight_to_websockets_and_queued_for_long_polling(
        client: TestClient, db: Any, probes: Probes, monkeypatch: pytest.MonkeyPatch) -> None:
    user = await make_user(db)
    token, room = await bearer_token(db, user), f"org:{user['org_id']}"
    websocket = await _joined(client, probes, token, room)
    polling = await _joined(client, probes, token, room, transport="polling")
    through_websocket = queued_sends(monkeypatch, engine_socket(client, websocket))
    through_polling = queued_sends(monkeypatch, engine_socket(client, polling))
    await client.app[keys.EMITTER].emit("announcement", {"text": "Office closed on Friday"}, room=room)
    assert await websocket.next("announcement") == {"text": "Office closed on Friday"}
    assert await polling.next("announcement") == {"text": "Office closed on Friday"}
    assert through_websocket == [], "the WebSocket's writer was idle: the frame went straight to its connection"
    assert len(through_polling) == 1 and "Office closed" in through_polling[0]


async def test_a_broadcast_arrives_after_what_was_queued_for_a_socket_before_it(
        client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    token, room = await bearer_token(db, user), f"org:{user['org_id']}"
    websocket = await _joined(client, probes, token, room)
    polling = await _joined(client, probes, token, room, transport="polling")
    for probe in (websocket, polling):
        queue_directly(client, engine_socket(client, probe), "step", 1)
    await client.app[keys.EMITTER].emit("step", 2, room=room)
    await client.app[keys.EMITTER].emit("step", 3, room=room)
    for probe in (websocket, polling):
        assert [await probe.next("step") for _ in range(3)] == [1, 2, 3]
    await client.app[keys.EMITTER].emit("step", 4, room=room)
    assert await websocket.next("step") == 4 and await polling.next("step") == 4


async def test_a_connection_that_just_closed_does_not_stop_the_others(
        client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    token, room = await bearer_token(db, user), f"org:{user['org_id']}"
    first, gone, last = [await _joined(client, probes, token, room) for _ in range(3)]
    engine = engine_socket(client, gone)
    wire._CONNECTIONS[engine]._writer.transport.abort()  # type: ignore[union-attr]
    await client.app[keys.EMITTER].emit("announcement", {"n": 1}, room=room)
    assert await first.next("announcement") == {"n": 1} and await last.next("announcement") == {"n": 1}
    await asyncio.wait_for(gone.disconnected.wait(), 5)
    await client.app[keys.EMITTER].emit("announcement", {"n": 2}, room=room)
    assert await first.next("announcement") == {"n": 2} and await last.next("announcement") == {"n": 2}


async def test_a_connection_with_a_full_buffer_has_its_frames_queued(
        client: TestClient, db: Any, probes: Probes, monkeypatch: pytest.MonkeyPatch) -> None:
    user = await make_user(db)
    token, room = await bearer_token(db, user), f"org:{user['org_id']}"
    slow, quick = await _joined(client, probes, token, room), await _joined(client, probes, token, room)
    engine = engine_socket(client, slow)
    transport = wire._CONNECTIONS[engine]._writer.transport  # type: ignore[union-attr]
    monkeypatch.setattr(transport, "get_write_buffer_size", lambda: wire.BUFFER_LIMIT + 1)
    through_slow = queued_sends(monkeypatch, engine)
    through_quick = queued_sends(monkeypatch, engine_socket(client, quick))
    await client.app[keys.EMITTER].emit("announcement", {"n": 1}, room=room)
    assert await slow.next("announcement") == {"n": 1} and await quick.next("announcement") == {"n": 1}
    assert len(through_slow) == 1 and through_quick == []


async def _stalled_client(client: TestClient, token: str, room: str) -> Any:
    """A raw Socket.IO client with a small receive buffer that joins ``room`` and then stops reading."""
    raw = sockets.socket()
    raw.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    raw.connect((client.host, client.port))
    ws = await websockets.connect(f"ws://{client.host}:{client.port}/socket.io/?EIO=4&transport=websocket",
                                  sock=raw, max_size=None, max_queue=1, ping_interval=None)
    assert str(await ws.recv()).startswith("0")
    await ws.send("40" + json.dumps({"token": token}))
    assert str(await ws.recv()).startswith("40")
    await ws.send("420" + json.dumps(["join", {"room": room}]))
    assert str(await ws.recv()).startswith("430")
    return ws


async def test_a_client_that_stops_reading_is_dropped_once_its_backlog_is_full(
        client: TestClient, db: Any, probes: Probes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "MAX_BACKLOG", 20)
    user = await make_user(db)
    token, room = await bearer_token(db, user), f"org:{user['org_id']}"
    reader = await _joined(client, probes, token, room)
    sio = client.app[keys.SIO]
    dropped_before = wire.SLOW_SOCKETS.seen
    before = set(sio.eio.sockets)
    stalled = await _stalled_client(client, token, room)
    (stalled_sid,) = set(sio.eio.sockets) - before
    engine = sio.eio.sockets[stalled_sid]
    wire._CONNECTIONS[engine]._writer.transport.get_extra_info("socket").setsockopt(  # type: ignore[union-attr]
        sockets.SOL_SOCKET, sockets.SO_SNDBUF, 4096)
    text = "x" * 64 * 1024
    sent = 0
    while not engine.closed and sent < 2000:
        await client.app[keys.EMITTER].emit("bulk", {"n": sent, "text": text}, room=room)
        sent += 1
        assert engine.queue.qsize() <= wire.MAX_BACKLOG
        await asyncio.sleep(0)
    for _ in range(100):
        if engine.closed:
            break
        await asyncio.sleep(0.05)
    assert engine.closed, f"the stalled client was still connected after {sent} messages"
    assert wire.SLOW_SOCKETS.seen == dropped_before + 1
    assert stalled_sid not in sio.eio.sockets or sio.eio.sockets[stalled_sid].closed
    await client.app[keys.EMITTER].emit("bulk", {"n": -1, "text": ""}, room=room)
    while (await reader.next("bulk"))["n"] != -1:
        pass
    await stalled.close()
