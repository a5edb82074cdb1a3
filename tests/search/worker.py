"""A process that writes searchable changes and indexes them, for the kill tests.

``python -m tests.search.worker DB_FILE INDEX_DIR write N`` commits N threads (each with its
outbox entry, in one transaction per thread), prints ``committed`` and then waits to be killed
before any indexing. ``... index`` runs the indexer one entry per round, printing ``indexed``
after each, until killed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

from community.app import declare_storage
from community.config import load_settings
from community.forums.queries import POSTS, THREADS
from community.storage import connect
from search.embedded import EmbeddedEngine
from search.indexer import Indexer
from search.outbox import record


async def write_thread(client: Any, db: Any, title: str) -> ObjectId:
    thread_id, post_id, now = ObjectId(), ObjectId(), datetime.now(UTC)

    async def work(session: Any) -> None:
        await db[THREADS].insert_one({"_id": thread_id, "title": title, "org_id": None, "first_post_id": post_id,
                                      "created_at": now, "votes": 0, "hidden": False, "deleted": False},
                                     session=session)
        await db[POSTS].insert_one({"_id": post_id, "thread_id": thread_id, "number": 1, "body": "opening post",
                                    "created_at": now, "hidden": False, "deleted": False}, session=session)
        await record(db, session, "threads_posts", thread_id)

    async with client.start_session() as session:
        await session.with_transaction(work)
    return thread_id


async def main(db_file: str, index_dir: str, mode: str, count: int) -> None:
    declare_storage(load_settings({"DATA_DIR": str(Path(db_file).parent)}))
    client = connect(f"sqlite:///{db_file}")
    db = client["community"]
    if mode == "write":
        for i in range(count):
            await write_thread(client, db, f"Waterway survey {i}")
        print("committed", flush=True)
        await asyncio.Event().wait()
    engine = EmbeddedEngine(Path(index_dir))
    await engine.ensure_indexes()
    indexer = Indexer(db, engine, batch=1)
    while await indexer.run_once():
        print("indexed", flush=True)
    print("drained", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0))
