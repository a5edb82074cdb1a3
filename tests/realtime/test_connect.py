"""Who may open a socket: signed-in browsers by cookie, API clients by token, never another site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient

from community import keys
from tests.factories import bearer_token, make_user, sign_in
from tests.realtime.probe import SocketProbe, server_url, session_cookie

Probes = Callable[[], SocketProbe]


async def test_a_signed_in_browser_connects_with_its_cookie_and_hears_its_own_room(client: TestClient, db: Any,
                                                                                    probes: Probes) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    probe = await probes().connect(server_url(client), cookie=session_cookie(client))
    await client.app[keys.EMITTER].emit("ping", {"n": 1}, room=f"user:{user['_id']}")
    assert await probe.next("ping") == {"n": 1}


async def test_only_the_person_hears_their_room(client: TestClient, db: Any, probes: Probes) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await sign_in(client, asha)
    probe = await probes().connect(server_url(client), cookie=session_cookie(client))
    await client.app[keys.EMITTER].emit("ping", {"n": 1}, room=f"user:{ravi['_id']}")
    await probe.nothing("ping")


async def test_an_api_client_connects_with_a_bearer_token(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    probe = await probes().connect(server_url(client), token=await bearer_token(db, user))
    await client.app[keys.EMITTER].emit("ping", {"n": 2}, room=f"user:{user['_id']}")
    assert await probe.next("ping") == {"n": 2}


@pytest.mark.parametrize("credential", [{}, {"cookie": "not-a-session"}, {"token": "not-a-token"}])
async def test_without_a_valid_credential_the_socket_is_refused(client: TestClient, probes: Probes,
                                                                credential: dict[str, str]) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await probes().connect(server_url(client), **credential)


async def test_an_unverified_account_cannot_connect(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db, verified=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await probes().connect(server_url(client), token=await bearer_token(db, user))


async def test_another_sites_page_cannot_open_a_socket_with_the_members_cookie(client: TestClient, db: Any,
                                                                                probes: Probes) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await probes().connect(server_url(client), cookie=session_cookie(client), origin="https://evil.example")
    own = await probes().connect(server_url(client), cookie=session_cookie(client), origin=server_url(client))
    assert own.sio.connected


async def test_a_websocket_declines_per_message_deflate(client: TestClient) -> None:
    """Browsers offer the deflate extension; the server answers without it, so a broadcast is
    framed once per socket, not compressed once per socket (community.realtime.frames)."""
    async with client.session.ws_connect(client.make_url("/socket.io/?EIO=4&transport=websocket"),
                                         compress=15) as ws:
        opened = await ws.receive_str(timeout=5)
        assert opened.startswith("0{") and '"sid"' in opened
        assert ws.compress == 0
