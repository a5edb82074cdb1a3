"""What every forum write shares: the transaction, the search outbox, events after commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bson import ObjectId

T = TypeVar("T")
log = logging.getLogger("community.forums")

THREAD_INDEX = "threads"
"""The search index forum threads go to; a thread's document carries its visible replies, so a
reply's change re-indexes its thread (see ``community.forums.search_docs``)."""


async def in_transaction(db: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` all-or-nothing; it may be retried on a transient error, so it must
    only read and write through the session it is given."""
    async with db.client.start_session() as session:
        return await session.with_transaction(work)


async def reindex_thread(db: Any, thread_id: ObjectId, session: Any, *, op: str = "upsert") -> None:
    """Tell search, inside the caller's transaction, that a thread (or one of its posts) changed."""
    from search import outbox

    await outbox.record(db, index=THREAD_INDEX, doc_id=str(thread_id), op=op, session=session)


@dataclass(slots=True)
class Events:
    """Socket events gathered during a write and sent only once it has committed."""

    pending: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def add(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.pending.append((event, data, room))

    async def send(self, emitter: Any) -> None:
        if emitter is None:
            return
        for event, data, room in self.pending:
            try:
                await emitter.emit(event, data, room=room)
            except Exception:  # a live update lost must never undo or fail a committed write
                log.exception("forum event not sent", extra={"event": event, "room": room})
        self.pending.clear()


def thread_room(thread_id: ObjectId) -> str:
    return f"thread:{thread_id}"


def category_room(category_id: ObjectId) -> str:
    return f"category:{category_id}"
