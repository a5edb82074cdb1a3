"""Every WebSocket frame a client sends is checked before Engine.IO or Socket.IO decodes it.

Undecodable frames made python-engineio and python-socketio log an ERROR with a traceback (an
empty frame even escaped as an unhandled request error), a log flood anyone with a socket can
cause, and a frame nested a thousand deep exhausted the JSON parser's recursion. Now a frame
that is not a well-formed Engine.IO packet, or a message that is not a well-formed Socket.IO
packet a client may send, is refused with one throttled warning line and the connection is
closed, as if the client had hung up. Engine.IO's own packets from a client (close, pong,
upgrade) carry no payload but ``probe``; a message is decoded as a Socket.IO packet with the
API's JSON limits (:func:`community.requests.parse_json`).

Our clients send only text frames (JSON events); a binary frame (or Engine.IO's base64 form of
one, ``b...``) is refused too.

The long-polling transport sends the same packets as the body of a POST, several joined by
``\x1e``; :func:`checked_request` reads that body before Engine.IO does and checks each packet
the same way. A malformed body is replaced by Engine.IO's close packet: the connection is closed
as if the client had hung up, as after a refused frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import engineio
from aiohttp import web
from engineio.async_drivers.aiohttp import WebSocket, translate_request
from engineio.payload import Payload
from socketio import packet as sio_packet

from community.errors import BadRequest
from community.logs import Throttled
from community.realtime import wire
from community.requests import parse_json

log = logging.getLogger("community.realtime")

MALFORMED_FRAMES = Throttled(log, "malformed socket frame refused")

ENGINE_TYPES = frozenset("0123456")
"""Engine.IO packet types (open, close, ping, pong, message, upgrade, noop); the rest are unknown."""
ENGINE_MESSAGE = "4"
CLOSE = b"1"
"""Engine.IO's close packet, as a client sends it when it hangs up."""
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect"})
"""Names python-socketio gives its own handlers: a client's event of one of these names would
run the connect or disconnect handler on a live socket (a "disconnect" left it listening but
absent from presence, attendance and session expiry)."""
CLIENT_PACKETS = frozenset({sio_packet.CONNECT, sio_packet.DISCONNECT, sio_packet.EVENT, sio_packet.ACK})
"""The Socket.IO packets a client may send without binary attachments."""


class _Json:
    """Socket.IO's packet codec with the API's JSON limits (depth, 64-bit integers)."""

    @staticmethod
    def loads(text: str) -> Any:
        return parse_json(text)

    @staticmethod
    def dumps(value: Any, **options: Any) -> str:
        return json.dumps(value, **options)


class CheckedPacket(sio_packet.Packet):
    json = _Json


def problem(frame: str | bytes) -> str | None:
    """What is wrong with ``frame`` from a client, or ``None`` when it may be decoded."""
    if isinstance(frame, bytes) or frame[:1] == "b":
        return "binary frame"
    if not frame or frame[0] not in ENGINE_TYPES:
        return "not an Engine.IO packet"
    if frame[0] != ENGINE_MESSAGE:
        return None if frame[1:] in ("", "probe") else "a payload where Engine.IO takes none"
    if len(frame) == 1:
        return "an empty message"
    try:
        decoded = CheckedPacket(encoded_packet=frame[1:])
    except (ValueError, TypeError, IndexError, BadRequest):
        return "not a Socket.IO packet"
    if decoded.packet_type not in CLIENT_PACKETS or decoded.attachment_count:
        return "not a packet a client may send"
    if decoded.packet_type == sio_packet.EVENT and not (
            isinstance(decoded.data, list) and decoded.data and isinstance(decoded.data[0], str)
            and decoded.data[0] not in RESERVED_EVENTS):
        return "an event without a name a client may send"
    return None


class CheckedWebSocket(WebSocket):
    """python-engineio's aiohttp WebSocket, refusing malformed frames as they arrive, and
    declining per-message deflate.

    Browsers offer the deflate extension and aiohttp accepts it by default. Our messages are
    small JSON events, which deflate hardly shrinks, and a broadcast sends the same text to every
    socket of a room, compressed once per socket: with 500 sockets watching a poll, compressing
    and framing was 60% of the server's CPU, and each socket held a compressor of its own.

    While its handler runs, the connection is known to :mod:`community.realtime.wire`, which
    writes broadcasts to it directly."""

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        socket = wire.attach(self.handler, self._sock)
        try:
            await self.handler(self)
        finally:
            wire.detach(socket)
        return self._sock

    async def wait(self) -> str | bytes | None:
        frame: str | bytes = await super().wait()
        reason = problem(frame)
        if reason is None:
            return frame
        request = self.environ.get("aiohttp.request")
        MALFORMED_FRAMES(reason=reason, peer=request.remote if request is not None else None)
        return None


class _Body:
    """A polling POST's body, already read, in the shape Engine.IO reads it from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def read(self, length: int = -1) -> bytes:
        return self.body


def payload_problem(body: bytes) -> str | None:
    """What is wrong with a polling POST's ``body``, or ``None`` when Engine.IO may decode it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    frames = text.split("\x1e")
    if len(frames) > Payload.max_decode_packets:
        return "too many packets in one request"
    return next((reason for reason in map(problem, frames) if reason is not None), None)


def _answer_waiting_poll(server: engineio.AsyncServer, sid: str | None) -> None:
    """Engine.IO closes a polling socket on its close packet without answering the GET that waits
    for the socket's next packets, which then holds its request (and a client that waits for it
    to end its hang-up) for the ping interval and time-out, 45 seconds. An empty answer ends it now."""
    socket = server.sockets.get(sid) if sid else None
    if socket is not None and not socket.upgraded:
        socket.queue.put_nowait(None)


def checked_request(server: engineio.AsyncServer) -> Callable[[web.Request], Awaitable[dict[str, Any]]]:
    """Engine.IO's ``translate_request`` for ``server``, checking a polling POST's packets first
    (a body over the server's limit is left unread: Engine.IO refuses it itself)."""

    async def translate(request: web.Request) -> dict[str, Any]:
        environ: dict[str, Any] = translate_request(request)
        length = request.content_length or 0
        if request.method != "POST" or length > server.max_http_buffer_size:
            return environ
        try:
            body = await request.content.readexactly(length)
        except asyncio.IncompleteReadError:
            body = b""
        reason = "cut short" if len(body) < length else payload_problem(body)
        if reason is not None:
            MALFORMED_FRAMES(reason=reason, peer=request.remote)
            body = CLOSE
        if CLOSE in body.split(b"\x1e"):
            _answer_waiting_poll(server, request.query.get("sid"))
        environ["wsgi.input"] = _Body(body)
        return environ

    return translate
