"""The one way services push live updates: ``await emitter.emit(event, data, room=...)``.

Services call it only after their write has committed. With ``REDIS_URL`` set the server's
Redis manager publishes the event, so it reaches the sockets of every process.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from community.policy import ROOM_KINDS

log = logging.getLogger("community.realtime")


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
