"""Search in the application: the engine and its indexer for the app's lifetime, readiness, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import api, background, keys
from community.search_pages import find, schemas, views
from search import storage
from community.storage.facts import declare
from search import open_engine
from search.indexer import Indexer
from search.outbox import lag

log = logging.getLogger("community.search")

INDEXER: web.AppKey[Indexer] = web.AppKey("search_indexer")
LAG_READY_SECONDS = 300.0
"""Readiness fails when the oldest change not yet searchable is older than this."""


async def search_context(app: web.Application) -> AsyncIterator[None]:
    """Open the engine (after storage), run the outbox indexer in the background, close both."""
    settings = app[keys.SETTINGS]
    engine = await open_engine(settings.meilisearch_url, settings.meilisearch_key, settings.data_dir)
    if getattr(engine, "needs_reindex", False):
        log.warning("search index was rebuilt empty; run `python run.py reindex`")
    indexer = Indexer(app[keys.DB], engine)
    app[keys.SEARCH] = engine
    app[INDEXER] = indexer
    async with background.running(indexer.run(), name="search-indexer"):
        yield
    await engine.close()


def readiness(app: web.Application) -> Any:
    async def check() -> dict[str, Any]:
        behind = await lag(app[keys.DB])
        return {"name": "search", "ok": behind.oldest_seconds < LAG_READY_SECONDS, "pending": behind.pending,
                "oldest_seconds": round(behind.oldest_seconds, 1), "failing": behind.failing}
    return check


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    aiohttp_jinja2.get_env(app).globals["search_kind_label"] = find.kind_label
    app.cleanup_ctx.append(search_context)
    app[keys.READINESS_CHECKS].append(readiness(app))
    app.router.add_get("/search", views.results_page, name="search")
    app.router.add_get("/search/suggest", views.suggestions, name="search.suggest")
    api.route(app, "GET", "/search", views.search_api, summary="Search threads, people, events and vacancies",
              tag="search", response=schemas.SearchOut, auth=False, name="api.search",
              query=schemas.SearchParams)
