"""Rebuild every search index from storage: ``python run.py reindex`` (or ``python -m search.reindex``).

Each index is emptied and refilled from its source collections in batches, through the same
document builders the indexer uses. Outbox entries written meanwhile are indexed afterwards by
the indexer as usual; replaying them is harmless.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from search import documents
from search.definitions import INDEXES
from search.engine import SearchEngine

from community.storage.api import Database

BATCH = 2000


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


async def reindex(db: Database, engine: SearchEngine, progress: Progress | None = None,
                  indexes: Iterable[str] | None = None) -> dict[str, int]:
    """Empty and refill ``indexes`` (default: all); the number of documents written per index."""
    written: dict[str, int] = {}
    for index in indexes or INDEXES:
        task = progress.add_task(index, total=await documents.source_count(db, index)) if progress else None
        await engine.clear(index)
        count, pending, sources = 0, [], 0
        async for doc_id in documents.source_ids(db, index):
            pending.extend((await documents.load(db, index, doc_id)).upserts)
            sources += 1
            if len(pending) >= BATCH:
                await engine.upsert(index, pending)
                count += len(pending)
                pending = []
                if progress and task is not None:
                    progress.update(task, completed=sources)
        if pending:
            await engine.upsert(index, pending)
            count += len(pending)
        if progress and task is not None:
            progress.update(task, completed=sources)
        written[index] = count
    return written


async def run(settings: Any) -> dict[str, int]:
    """Reindex the deployment ``settings`` (``community.config.Settings``) describe."""
    from community.commands import open_db
    from search import open_engine

    engine = await open_engine(settings.meilisearch_url, settings.meilisearch_key, settings.data_dir)
    try:
        async with open_db(settings) as db:
            with progress_bar() as progress:
                return await reindex(db, engine, progress)
    finally:
        await engine.close()


if __name__ == "__main__":
    from community.config import load_settings

    asyncio.run(run(load_settings(dict(os.environ))))
