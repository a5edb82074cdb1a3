"""What every forum write shares: the transaction, the search outbox, events after commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from community.forums.queries import POSTS, THREADS
from search import outbox

log = logging.getLogger("community.forums")

SEARCH_INDEX = "threads_posts"
"""Forum documents in search: a thread (title and opening post) is one document, each reply another
(``search.documents`` builds them from storage)."""


async def reindex(db: Any, session: Any, *ids: ObjectId) -> None:
    """Tell search, inside the caller's transaction, that these threads or posts changed."""
    for doc_id in ids:
        await outbox.record(db, index=SEARCH_INDEX, doc_id=str(doc_id), session=session)


async def reindex_whole_thread(db: Any, session: Any, thread_id: ObjectId) -> None:
    """A change every post of the thread carries (visibility, category, title): re-index them all."""
    replies = db[POSTS].find({"thread_id": thread_id, "number": {"$gt": 1}}, {"_id": 1}, session=session)
    await reindex(db, session, thread_id, *[row["_id"] async for row in replies])


async def reindex_authored(db: Any, user_id: ObjectId, session: Any) -> None:
    """Erasure hook: thread and reply documents carry their author's name, so every one the
    person wrote is re-indexed (from the anonymised account) inside the erasure's transaction."""
    threads = db[THREADS].find({"author_id": user_id}, {"_id": 1}, session=session)
    replies = db[POSTS].find({"author_id": user_id, "number": {"$gt": 1}}, {"_id": 1}, session=session)
    await reindex(db, session, *[row["_id"] async for row in threads], *[row["_id"] async for row in replies])


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
