"""A real Socket.IO client (python-socketio's AsyncClient, over WebSocket or long-polling) that records what it hears."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestClient

from community.accounts.sessions import SESSION_COOKIE


def session_cookie(client: TestClient) -> str:
    """The session cookie a signed-in test browser holds."""
    for cookie in client.session.cookie_jar:
        if cookie.key == SESSION_COOKIE:
            return cookie.value
    raise AssertionError("this browser is not signed in")


def server_url(client: TestClient) -> str:
    return str(client.make_url("/")).rstrip("/")


class SocketProbe:
    """Owns its HTTP session, so even a refused connection leaves nothing open."""

    def __init__(self, local_address: str | None = None, *, reconnect: bool = False,
                 transport: str = "websocket") -> None:
        """``local_address``: the loopback address to connect from (a proxy tells clients apart by
        it); ``reconnect``: reconnect when the server goes, as the browser's client does;
        ``transport``: "websocket", or "polling" (which it keeps, never upgrading)."""
        self.transport = transport
        connector = aiohttp.TCPConnector(local_addr=(local_address, 0)) if local_address else None
        self.http = aiohttp.ClientSession(connector=connector)
        self.sio = socketio.AsyncClient(reconnection=reconnect, reconnection_delay=0.2, http_session=self.http)
        self.heard: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.disconnected = asyncio.Event()
        self.reconnected = asyncio.Event()
        self.sio.on("connect", self._connected)
        self.sio.on("*", self._record)
        self.sio.on("disconnect", self._gone)

    async def _record(self, event: str, data: Any = None) -> None:
        self.heard[event].put_nowait(data)

    async def _gone(self, reason: Any = None) -> None:
        self.disconnected.set()

    async def _connected(self) -> None:
        if self.disconnected.is_set():
            self.reconnected.set()

    async def connect(self, url: str, *, cookie: str | None = None, token: str | None = None,
                      origin: str | None = None) -> SocketProbe:
        headers = {}
        if cookie is not None:
            headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        if origin is not None:
            headers["Origin"] = origin
        await self.sio.connect(url, headers=headers, auth={"token": token} if token else None,
                               transports=[self.transport], wait_timeout=5)
        return self

    async def call(self, event: str, data: Any) -> Any:
        return await self.sio.call(event, data, timeout=5)

    async def next(self, event: str, timeout: float = 5) -> Any:
        return await asyncio.wait_for(self.heard[event].get(), timeout)

    async def nothing(self, event: str) -> None:
        """Assert ``event`` was not delivered, without waiting for nothing: the server answers one
        round trip after everything emitted before it, and one socket delivers in order, so an
        event emitted earlier would have arrived by the time the answer does."""
        await self.call("leave", {"room": "org:000000000000000000000000"})
        assert self.heard[event].empty(), f"unexpected {event}: {self.heard[event].get_nowait()}"

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        await self.http.close()
