"""Live results: after a vote commits, everyone watching the poll's subject hears of it, at most
once per poll in each short window.

At 500 votes a second, one broadcast per vote would be 500 broadcasts a second, each to every
watcher. Instead the first change in a quiet spell is pushed at once and later ones wait for
the end of the window, then go out as one push carrying the counts as they are then. The push
(``poll:results``) holds the counts only when anybody may see them (``results.shared_counts``);
otherwise it says only how many voted, and a page that shows its viewer the results fetches
them again for that viewer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aiohttp import web
from bson import ObjectId

from community import keys
from community.polls.results import shared_counts

log = logging.getLogger("community.polls")

WINDOW_SECONDS = 0.05
MAX_REMEMBERED = 10_000
"""Polls whose last push time is kept; past it, those quiet for a whole window are forgotten."""


class ResultPushes:
    """One app's pending pushes: a poll has at most one waiting at any time."""

    def __init__(self, app: Mapping[Any, Any], window: float = WINDOW_SECONDS) -> None:
        self.app = app
        self.window = window
        self.sent = 0
        self._last: dict[ObjectId, float] = {}
        self._pending: dict[ObjectId, asyncio.Task[None]] = {}

    def changed(self, poll_id: ObjectId, room: str) -> None:
        """A vote on ``poll_id`` has committed; push now, or once the current window ends."""
        if poll_id in self._pending:
            return
        if len(self._last) > MAX_REMEMBERED:
            quiet = time.monotonic() - self.window
            self._last = {key: at for key, at in self._last.items() if at > quiet}
        wait = self._last.get(poll_id, -self.window) + self.window - time.monotonic()
        self._pending[poll_id] = asyncio.create_task(self._push(poll_id, room, max(wait, 0.0)))

    async def _push(self, poll_id: ObjectId, room: str, after: float) -> None:
        try:
            if after:
                await asyncio.sleep(after)
        finally:
            del self._pending[poll_id]
        self._last[poll_id] = time.monotonic()
        emitter = self.app.get(keys.EMITTER)
        try:
            payload = await shared_counts(self.app[keys.DB], poll_id, self.app[keys.CLOCK]())
        except Exception:
            log.exception("poll results not read for the live push")
            return
        if payload is not None and emitter is not None:
            self.sent += 1
            await emitter.emit("poll:results", payload, room=room)

    async def close(self) -> None:
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


PUSHES: web.AppKey[ResultPushes] = web.AppKey("poll_result_pushes")


def changed(app: Mapping[Any, Any], poll_id: ObjectId, room: str) -> None:
    """Tell the app's watchers of ``room`` that ``poll_id``'s votes changed (nothing for an app
    without live updates, such as a maintenance command's)."""
    pushes = app.get(PUSHES)
    if pushes is not None:
        pushes.changed(poll_id, room)


async def pushes_context(app: web.Application) -> AsyncIterator[None]:
    """Cancel pushes still waiting when the server stops."""
    yield
    await app[PUSHES].close()
