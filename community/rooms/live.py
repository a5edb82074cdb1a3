"""Question counts pushed live, folded per room.

At 200 upvotes a second, one broadcast per vote to a room of thousands would be the whole of a
process's time (a broadcast costs the server about 14 microseconds a socket, half of it the
kernel's send: ``community.realtime.wire``). So a committed upvote only records the question's
new count; at most every ``FOLD_SECONDS`` each room with changes gets one ``room:votes`` event
carrying every changed question's latest count, and every client re-sorts from that. A room
so large that its broadcast takes long waits twice that long before its next push
(``PAUSE_FACTOR``), so pushing never takes more than a third of the process from the votes
themselves. Each process folds the votes it took; with Redis the event
reaches every process's sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from aiohttp import web

from community import keys

FOLD_SECONDS = 0.1
PAUSE_FACTOR = 2.0


class VotePushes:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._pending: dict[str, dict[str, int]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._quiet_until: dict[str, float] = {}

    def changed(self, room: str, question_id: str, votes: int) -> None:
        counts = self._pending.setdefault(room, {})
        counts[question_id] = max(votes, counts.get(question_id, 0))
        if room not in self._tasks:
            self._tasks[room] = asyncio.create_task(self._push(room))

    async def _push(self, room: str) -> None:
        await asyncio.sleep(FOLD_SECONDS)
        await asyncio.sleep(max(0.0, self._quiet_until.pop(room, 0.0) - time.monotonic()))
        del self._tasks[room]
        counts = self._pending.pop(room, {})
        emitter = self.app.get(keys.EMITTER)
        if counts and emitter is not None:
            started = time.monotonic()
            await emitter.emit("room:votes", {"room": room, "votes": [{"id": key, "votes": value}
                                                                      for key, value in counts.items()]}, room=room)
            ended = time.monotonic()
            self._quiet_until[room] = ended + PAUSE_FACTOR * (ended - started)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


PUSHES: web.AppKey[VotePushes] = web.AppKey("room_vote_pushes")


async def pushes_context(app: web.Application) -> AsyncIterator[None]:
    yield
    with contextlib.suppress(Exception):
        await app[PUSHES].close()
