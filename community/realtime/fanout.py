"""Client managers that hand a broadcast to every local socket in one pass.

python-socketio's ``AsyncManager.emit`` wraps each recipient's send in its own task. On the
WebSocket transport a send only appends to that socket's queue (never waits), so the tasks buy
nothing and cost the most per recipient. These managers encode the packet once and, for a
socket on the WebSocket transport whose writer is idle, write its frame, also built once,
straight to the connection (:mod:`community.realtime.wire`); every other socket (long-polling,
mid-upgrade, with packets still queued, a full buffer) has the packet queued as before, and its
own writer task sends it, so one slow client never delays the others. A socket that has stopped
reading is dropped once its backlog reaches ``wire.MAX_BACKLOG``. Emits that want
acknowledgements keep the library's path.

They also disconnect a whole room (``disconnect_room``), which the library cannot do across
processes: with Redis, a ``close_room`` message that carries ``"disconnect": true`` makes every
process disconnect its own members of the room before closing it. And they take one person's
sockets out of one room (``remove_from_room``), for someone who may no longer be in it: a
``close_room`` message that names the person's room (``"person"``) makes every process hand its
own sockets of that person to the namespace (``RemovesFromRooms``), and closes nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import engineio
import socketio
from engineio import packet as eio_packet
from socketio import packet

from community.realtime import wire

log = logging.getLogger("community.realtime")


class RemovesFromRooms(Protocol):
    async def remove_here(self, person_room: str, room: str) -> None:
        """Take this process's sockets in ``person_room`` out of ``room``."""


class DirectFanOut(socketio.AsyncManager):
    async def emit(self, event: str, data: Any, namespace: str, room: str | None = None, skip_sid: Any = None,
                   callback: Any = None, to: str | None = None, **kwargs: Any) -> None:
        room = to or room
        if callback is not None or namespace not in self.rooms:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        if isinstance(encoded, list):  # binary attachments: one frame each, through the queues
            await self._queue_all([eio_packet.Packet(eio_packet.MESSAGE, part) for part in encoded],
                                  namespace, room, skip)
            return
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = wire.text_frame(message.encode())
        sockets = self.server.eio.sockets
        late = wire.late_pongs(self.server.eio)
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            transport = wire.writable(socket, late) if socket is not None else None
            if transport is not None:
                transport.write(frame)
            elif socket is None or not wire.drop_if_backlogged(socket):
                await self._queue(eio_sid, message)

    async def _queue_all(self, frames: list[eio_packet.Packet], namespace: str, room: str | None,
                         skip: set[Any]) -> None:
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid not in skip:
                for frame in frames:
                    await self._queue(eio_sid, frame)

    async def _queue(self, eio_sid: str, frame: eio_packet.Packet) -> None:
        try:
            await self.server._send_eio_packet(eio_sid, frame)  # what AsyncManager.emit itself calls
        except engineio.exceptions.EngineIOError:  # that socket closed meanwhile; the rest still get it
            pass

    async def disconnect_room(self, room: str, namespace: str) -> None:
        """Disconnect every socket of this process in ``room``."""
        for sid, _eio_sid in list(self.get_participants(namespace, room)):
            await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)

    async def remove_from_room(self, person_room: str, room: str, namespace: str) -> None:
        """Take the sockets of this process in ``person_room`` out of ``room``, through the
        namespace, which forgets them there too (presence, attendance)."""
        handler: RemovesFromRooms = self.server.namespace_handlers[namespace]
        await handler.remove_here(person_room, room)


class DirectFanOutRedis(socketio.AsyncRedisManager, DirectFanOut):
    """Publishes through Redis as usual; what arrives from Redis is delivered by :class:`DirectFanOut`."""

    async def disconnect_room(self, room: str, namespace: str) -> None:
        """Disconnect ``room``'s sockets here, and tell every other process to do the same."""
        message = {"method": "close_room", "room": room, "namespace": namespace, "disconnect": True,
                   "host_id": self.host_id}
        await self._handle_close_room(message)
        await self._publish(message)

    async def remove_from_room(self, person_room: str, room: str, namespace: str) -> None:
        """Take ``person_room``'s sockets out of ``room`` here, and tell every other process to do the same."""
        message = {"method": "close_room", "room": room, "namespace": namespace, "person": person_room,
                   "host_id": self.host_id}
        await self._handle_close_room(message)
        await self._publish(message)

    async def _handle_close_room(self, message: dict[str, Any]) -> None:
        if message.get("person"):
            await DirectFanOut.remove_from_room(self, message["person"], message["room"], message["namespace"])
            return
        if message.get("disconnect"):
            await DirectFanOut.disconnect_room(self, message["room"], message["namespace"])
        await super()._handle_close_room(message)
