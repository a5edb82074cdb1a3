"""A broadcast's WebSocket frame, built once, written straight to each idle connection.

Through the libraries, every recipient of a broadcast costs a queue put and a log call
(python-engineio's ``AsyncSocket.send``), then a wake-up of that socket's writer task, which
encodes the packet again, encodes it to UTF-8, frames it (aiohttp's ``WebSocketWriter``) and
writes it: about 40 microseconds a socket, most of a live room's broadcast. Server-to-client
frames are unmasked, so one frame's bytes serve every recipient, and for a socket whose writer
has nothing left to send, writing them to its transport is what the writer would have done.
That leaves about 14 microseconds a socket (bench/events.py, server CPU per chat message), half
of it the kernel's send on loopback.

A frame is written directly only when nothing can come before it or be lost (:func:`writable`);
otherwise it goes through the socket's queue as before, which keeps the order. A client that
stops reading fills its transport's buffer; past ``BUFFER_LIMIT`` its frames queue up, and a
socket with ``MAX_BACKLOG`` packets queued is dropped (:func:`drop`) rather than holding more
of the server's memory; its client reconnects and the page fetches what it missed.

What this relies on beyond the libraries' public API (python-engineio 4, aiohttp 3) is here
and nowhere else:

- python-engineio's ``AsyncSocket``: ``upgraded``, ``closing``, ``closed``, ``last_ping`` and
  its server's ``ping_timeout`` (what ``send`` checks before queueing); its ``queue``, which
  once the socket is upgraded only its WebSocket writer task reads, and in which that task
  waits (``queue.get()``, a waiter in ``asyncio.Queue._getters``) exactly when it has written
  every packet it took: an empty queue (``asyncio.Queue._queue``) with a waiting reader means
  nothing is in flight. The
  transport's handler is the bound method ``AsyncSocket._websocket_handler``.
- aiohttp's ``WebSocketResponse``: ``_writer`` (a ``WebSocketWriter``: its ``transport`` and
  ``_closing``, set once a close frame has gone) and ``_closing`` (a close frame received).
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from typing import Any

from aiohttp import web
from engineio.async_socket import AsyncSocket

from community.logs import Throttled

log = logging.getLogger("community.realtime")

SLOW_SOCKETS = Throttled(log, "socket dropped: its client stopped reading")

BUFFER_LIMIT = 64 * 1024
"""Bytes a connection's transport may hold unsent and still take a frame directly (asyncio's
default high-water mark, past which it pauses aiohttp's own writes)."""
MAX_BACKLOG = 1000
"""Packets a socket may have queued before it is dropped: about 100 seconds of a live room's
pushes (folded to ten a second), with the transport's buffer full all that time."""

_CONNECTIONS: dict[AsyncSocket, web.WebSocketResponse] = {}
"""Each Engine.IO socket on the WebSocket transport, with its aiohttp response (``attach``)."""

_TEXT = 0x81
"""FIN and the text opcode: a whole text frame."""


def attach(handler: Any, response: web.WebSocketResponse) -> AsyncSocket | None:
    """Record the connection that ``handler`` (python-engineio's WebSocket handler of one socket)
    serves; returns the socket, to :func:`detach` when the handler has returned."""
    socket = getattr(handler, "__self__", None)
    if not isinstance(socket, AsyncSocket):
        return None
    _CONNECTIONS[socket] = response
    return socket


def detach(socket: AsyncSocket | None) -> None:
    if socket is not None:
        _CONNECTIONS.pop(socket, None)


def text_frame(payload: str) -> bytes:
    """An unmasked, unfragmented WebSocket text frame carrying ``payload`` (RFC 6455, 5.2)."""
    data = payload.encode("utf-8")
    size = len(data)
    if size < 126:
        header = struct.pack("!BB", _TEXT, size)
    elif size < 65536:
        header = struct.pack("!BBH", _TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _TEXT, 127, size)
    return header + data


def _transport(socket: AsyncSocket) -> asyncio.Transport | None:
    """The open transport of ``socket``'s WebSocket connection, if it has one that may still send."""
    response = _CONNECTIONS.get(socket)
    if response is None or response._closing:
        return None
    writer = response._writer
    if writer is None or writer._closing:
        return None
    transport: asyncio.Transport = writer.transport
    return None if transport.is_closing() else transport


def writable(socket: AsyncSocket, late: float) -> asyncio.Transport | None:
    """The transport to write a frame for ``socket`` to at once, or ``None`` when the packet must
    go through its queue: on long-polling or mid-upgrade, closing, overdue for a pong (a ping sent
    before ``late``, a ``time.time()``: ``send`` then closes it), a packet still queued or being
    written, or a full buffer. Called for every recipient of a broadcast, so it reads the queue's
    deque and waiters directly."""
    if not socket.upgraded or socket.closing or socket.closed:
        return None
    last_ping = socket.last_ping
    if last_ping and last_ping < late:
        return None
    queue = socket.queue
    waiters = queue._getters
    if queue._queue or not waiters or waiters[-1].done():
        return None
    transport = _transport(socket)
    if transport is None or transport.get_write_buffer_size() > BUFFER_LIMIT:
        return None
    return transport


def late_pongs(server: Any) -> float:
    """For :func:`writable`: pings sent before this time, unanswered, are overdue on ``server``
    (python-engineio's), as its ``AsyncSocket.check_ping_timeout`` reckons."""
    return time.time() - float(server.ping_timeout)


def drop_if_backlogged(socket: AsyncSocket) -> bool:
    """Whether ``socket`` is on the WebSocket transport with ``MAX_BACKLOG`` packets queued: then
    its connection is cut, and it is sent nothing more. Its handler ends the session as for a
    client that hung up (the namespace hears the disconnect), releasing the queue and the
    buffer. A long-polling socket's backlog is python-engineio's to end: its ping time-out
    closes a client that stopped asking."""
    if socket.queue.qsize() < MAX_BACKLOG or socket not in _CONNECTIONS:
        return False
    transport = _transport(socket)
    if transport is not None:
        SLOW_SOCKETS(queued=socket.queue.qsize(), unsent_bytes=transport.get_write_buffer_size())
        transport.abort()
    return True
