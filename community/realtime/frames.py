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
"""

from __future__ import annotations

import json
import logging
from typing import Any

from engineio.async_drivers.aiohttp import WebSocket
from socketio import packet as sio_packet

from community.errors import BadRequest
from community.logs import Throttled
from community.requests import parse_json

log = logging.getLogger("community.realtime")

MALFORMED_FRAMES = Throttled(log, "malformed socket frame refused")

ENGINE_TYPES = frozenset("0123456")
"""Engine.IO packet types (open, close, ping, pong, message, upgrade, noop); the rest are unknown."""
ENGINE_MESSAGE = "4"
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
    try:
        decoded = CheckedPacket(encoded_packet=frame[1:])
    except (ValueError, TypeError, IndexError, BadRequest):
        return "not a Socket.IO packet"
    if decoded.packet_type not in CLIENT_PACKETS or decoded.attachment_count:
        return "not a packet a client may send"
    return None


class CheckedWebSocket(WebSocket):
    """python-engineio's aiohttp WebSocket, refusing malformed frames as they arrive."""

    async def wait(self) -> str | bytes | None:
        frame: str | bytes = await super().wait()
        reason = problem(frame)
        if reason is None:
            return frame
        request = self.environ.get("aiohttp.request")
        MALFORMED_FRAMES(reason=reason, peer=request.remote if request is not None else None)
        return None
