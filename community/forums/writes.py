"""What every forum write shares: its search documents, its rooms."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.actions import Action
from community.forums.queries import POSTS, THREADS
from community.storage.api import Database
from search import outbox

SEARCH_INDEX = "threads_posts"
"""Forum documents in search: a thread (title and opening post) is one document, each reply another
(``community.forums.storage`` builds them from storage)."""


async def reindex(tx: Action, *ids: ObjectId) -> None:
    """Tell search, inside the action's transaction, that these threads or posts changed."""
    await tx.reindex(SEARCH_INDEX, *ids)


async def reindex_whole_thread(tx: Action, thread_id: ObjectId) -> None:
    """A change every post of the thread carries (visibility, category, title): re-index them all."""
    replies = tx.db[POSTS].find({"thread_id": thread_id, "number": {"$gt": 1}}, {"_id": 1}, session=await tx.start())
    await reindex(tx, thread_id, *[row["_id"] async for row in replies])


async def reindex_authored(db: Database, user_id: ObjectId, session: Any) -> None:
    """Erasure hook: thread and reply documents carry their author's name, so every one the
    person wrote is re-indexed (from the anonymised account) inside the erasure's transaction."""
    threads = db[THREADS].find({"author_id": user_id}, {"_id": 1}, session=session)
    replies = db[POSTS].find({"author_id": user_id, "number": {"$gt": 1}}, {"_id": 1}, session=session)
    for doc_id in [row["_id"] async for row in threads] + [row["_id"] async for row in replies]:
        await outbox.record(db, session, SEARCH_INDEX, doc_id)


def thread_room(thread_id: ObjectId) -> str:
    return f"thread:{thread_id}"


def category_room(category_id: ObjectId) -> str:
    return f"category:{category_id}"
