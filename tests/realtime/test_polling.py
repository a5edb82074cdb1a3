"""Socket.IO's long-polling transport, with a real python-socketio client that never upgrades:
its messages are POSTs, which pass the CSRF check without a token (they name a session only the
page was told), and the session cookie authenticates the connection as it does a WebSocket's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.accounts.sessions import SESSION_COOKIE, digest
from community.app import create_app
from community.config import Settings
from community.realtime.server import hang_up
from tests.factories import make_user, sign_in
from tests.realtime.probe import SocketProbe, server_url, session_cookie
from tests.realtime.test_session_end import ManualClock

Probes = Callable[..., SocketProbe]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> web.Application:
    made = create_app(settings)
    made[keys.CLOCK] = clock
    return made


async def _polling(client: TestClient, probes: Probes, **credential: str) -> SocketProbe:
    probe = await probes(transport="polling").connect(server_url(client), **credential)
    assert probe.sio.transport() == "polling"
    return probe


async def test_a_browser_on_long_polling_connects_with_its_cookie_joins_a_room_and_hears_it(
        client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    probe = await _polling(client, probes, cookie=session_cookie(client))
    ack = await probe.call("join", {"room": f"org:{user['org_id']}"})
    assert ack["ok"] is True, "the join went as a POST, past the CSRF check, and was answered"
    await client.app[keys.EMITTER].emit("announcement", {"text": "Office closed on Friday"}, room=f"org:{user['org_id']}")
    assert await probe.next("announcement") == {"text": "Office closed on Friday"}
    await client.app[keys.EMITTER].emit("ping", {"n": 1}, room=f"user:{user['_id']}")
    assert await probe.next("ping") == {"n": 1}


@pytest.mark.parametrize("credential", [{}, {"cookie": "not-a-session"}])
async def test_without_a_live_session_a_polling_socket_is_refused(client: TestClient, probes: Probes,
                                                                  credential: dict[str, str]) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _polling(client, probes, **credential)


async def test_another_sites_page_cannot_poll_with_the_members_cookie(client: TestClient, db: Any,
                                                                      probes: Probes) -> None:
    await sign_in(client, await make_user(db))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _polling(client, probes, cookie=session_cookie(client), origin="https://evil.example")


async def test_a_post_into_an_open_polling_session_from_another_site_is_refused(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db))
    url = f"{server_url(client)}/socket.io/?EIO=4&transport=polling"
    cookie = {"Cookie": f"{SESSION_COOKIE}={session_cookie(client)}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=cookie) as response:
            opened = await response.text()
        sid = opened[opened.index('"sid":"') + 7:].split('"', 1)[0]
        async with http.post(f"{url}&sid={sid}", data="40", headers={**cookie, "Origin": "https://evil.example"}) as refused:
            assert refused.status in (400, 403)
        assert not _connected(client), "the connect packet from another site was not taken"
        async with http.post(f"{url}&sid={sid}", data="40", headers={**cookie, "Origin": server_url(client)}) as taken:
            assert taken.status == 200
        assert _connected(client), "the same packet from our own page connects"


def _connected(client: TestClient) -> list[str]:
    return list(client.app[keys.SIO].manager.rooms.get("/", {}).get(None, {}))

async def test_polling_keeps_no_session_alive_that_a_websocket_would_not(client: TestClient, db: Any,
                                                                         probes: Probes, clock: ManualClock) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    stored = {"_id": digest(session_cookie(client))}
    seen = (await db.sessions.find_one(stored))["seen_at"]
    probe = await _polling(client, probes, cookie=session_cookie(client))
    clock.advance(minutes=5)
    assert (await probe.call("join", {"room": f"org:{user['org_id']}"}))["ok"] is True
    assert (await db.sessions.find_one(stored))["seen_at"] == seen, "the socket's requests did not touch the session"
    assert (await client.get("/account")).status == 200
    assert (await db.sessions.find_one(stored))["seen_at"] > seen, "a page's request does"


async def test_hanging_up_over_polling_answers_the_waiting_request_at_once(client: TestClient, db: Any,
                                                                           probes: Probes) -> None:
    await sign_in(client, await make_user(db))
    probe = await _polling(client, probes, cookie=session_cookie(client))
    started = time.monotonic()
    await probe.sio.disconnect()
    assert time.monotonic() - started < 5, "not held until the ping time-out (45 s)"
    assert not _connected(client)


async def test_a_stopping_server_drops_its_sockets_so_that_their_clients_reconnect(client: TestClient, db: Any,
                                                                                   probes: Probes) -> None:
    await sign_in(client, await make_user(db))
    sockets = [await probes(reconnect=True, transport=transport).connect(server_url(client),
                                                                         cookie=session_cookie(client))
               for transport in ("websocket", "polling")]
    await hang_up(client.app)
    for probe in sockets:
        await asyncio.wait_for(probe.reconnected.wait(), 10)
