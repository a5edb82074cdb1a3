"""Engines for the contract suite: the embedded one always, Meilisearch when MEILISEARCH_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from search.embedded import EmbeddedEngine
from search.engine import SearchEngine
from search.meili import MeilisearchEngine

NO_MEILISEARCH = "MEILISEARCH_URL is not set, so the contract suite runs on the embedded engine only"


@pytest.fixture(params=["embedded", "meilisearch"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchEngine]:
    """A fresh, empty engine of each kind (a new Meilisearch index per test, removed after)."""
    created: SearchEngine
    if request.param == "embedded":
        created = EmbeddedEngine(tmp_path / "search")
    else:
        url = os.environ.get("MEILISEARCH_URL")
        if not url:
            pytest.skip(NO_MEILISEARCH)
        created = MeilisearchEngine(url, os.environ.get("MEILISEARCH_KEY"), uid=f"test_{uuid.uuid4().hex}")
    await created.ensure_indexes()
    yield created
    if isinstance(created, MeilisearchEngine):
        await created.client.delete_index_if_exists(created.uid)
    await created.close()
