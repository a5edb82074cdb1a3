"""The one way services push live updates: ``await emitter.emit(event, data, room=...)``,
close sockets whose sign-in has ended: ``await emitter.hang_up(room)``, and take a person's
sockets out of a room they may no longer be in: ``await emitter.remove_from_room(user_id, room)``.

Services call it only after their write has committed. With ``REDIS_URL`` set the server's
Redis manager publishes the event, so it reaches the sockets of every process.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from bson import ObjectId

import socketio

from community.policy import ROOM_KINDS

log = logging.getLogger("community.realtime")


HANG_UP_ROOM_KINDS = frozenset({"user", "session"})
"""Rooms whose sockets are closed when a sign-in ends: a person's (signed out everywhere) or one
session's or API token's (``session:``, which no client may join)."""


def user_room(user_id: ObjectId | str) -> str:
    return f"user:{user_id}"


def session_room(credential_hash: str) -> str:
    """The room of the sockets opened with one session or API token, named from the hash the
    store keeps, hashed again: neither the token nor the store's key travels through Redis."""
    return "session:" + hashlib.sha256(b"socket-room:" + credential_hash.encode()).hexdigest()[:32]


def room_kind(room: str) -> str:
    """The kind of a room name ("user" for "user:<id>"); ValueError for a name outside the scheme."""
    kind, sep, ident = room.partition(":")
    if not sep or kind not in ROOM_KINDS or not ident:
        raise ValueError(f"not a room name: {room!r}")
    return kind


class Emitter:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def emit(self, event: str, data: dict[str, Any], *, room: str, namespace: str = "/") -> None:
        """Send ``event`` to everyone in ``room``; a failure is logged, never raised, because the
        write that caused it has already committed and must not be reported as failed."""
        room_kind(room)
        try:
            await self.sio.emit(event, data, room=room, namespace=namespace)
        except Exception:
            log.exception("live update not sent", extra={"event": event, "room": room})

    async def hang_up(self, room: str, *, namespace: str = "/") -> None:
        """Disconnect every socket in ``room`` (a person's or a session's), on every process.
        Like :meth:`emit`, a failure is logged and not raised: the sign-out has already happened."""
        kind, _sep, _ident = room.partition(":")
        if kind not in HANG_UP_ROOM_KINDS:
            raise ValueError(f"not a room of sign-ins: {room!r}")
        try:
            await self.sio.manager.disconnect_room(room, namespace)
        except Exception:
            log.exception("sockets not disconnected", extra={"room_kind": kind})

    async def remove_from_room(self, user_id: ObjectId | str, room: str, *, namespace: str = "/") -> None:
        """Take the person's sockets out of ``room`` and the rooms within it (``<room>:hosts``), on
        every process, each told with ``room:removed``; they stay connected. Like :meth:`emit`, a
        failure is logged and not raised: the write that took the person out has committed."""
        kind = room_kind(room)
        if kind in HANG_UP_ROOM_KINDS:
            raise ValueError(f"nobody is taken out of a room of sign-ins: {room!r}")
        try:
            await self.sio.manager.remove_from_room(user_room(user_id), room, namespace)
        except Exception:
            log.exception("sockets not taken out of a room", extra={"room_kind": kind})
