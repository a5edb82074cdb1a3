"""The search layer: one engine interface over Meilisearch (production) and tantivy (embedded).

Features call ``search.outbox.record`` inside their storage transaction; the indexer
(``search.indexer``) brings the engine up to date; pages call ``SearchEngine.search`` with the
viewer filter from ``community.policy.search_visibility``.
"""

from __future__ import annotations

from pathlib import Path

from search.definitions import ALL, INDEXES
from search.embedded import EmbeddedEngine
from search.engine import Hit, SearchEngine, SearchResult, Sort
from search.meili import MeilisearchEngine

__all__ = ["ALL", "INDEXES", "EmbeddedEngine", "Hit", "MeilisearchEngine", "SearchEngine", "SearchResult",
           "Sort", "open_engine"]


async def open_engine(meilisearch_url: str | None, meilisearch_key: str | None,
                      data_dir: Path | None) -> SearchEngine:
    """Meilisearch when a URL is configured, else the embedded index under ``data_dir/search``
    (in memory when ``data_dir`` is None). The engine's indexes exist when this returns."""
    engine: SearchEngine
    if meilisearch_url:
        engine = MeilisearchEngine(meilisearch_url, meilisearch_key or None)
    else:
        engine = EmbeddedEngine(data_dir / "search" if data_dir is not None else None)
    await engine.ensure_indexes()
    return engine
