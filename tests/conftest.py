"""Shared fixtures: settings on an isolated in-memory store, the app, a client, CSRF helpers.

Every test gets its own ``sqlite:///:memory:`` store and temporary data folder, so tests never
share state and can never reach a real deployment's database.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import actions, keys
from community.app import create_app
from community.config import Settings, load_settings
from community.storage import connect
from community.storage.indexes import ensure_indexes
from search.embedded import EmbeddedEngine

TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    loaded = load_settings({"DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING"})
    return replace(loaded, storage_url="sqlite:///:memory:")


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client: Callable[..., Any], app: web.Application) -> TestClient:
    return await aiohttp_client(app)


@pytest.fixture
def db(client: TestClient) -> Any:
    """The started app's database (the client fixture has run the cleanup contexts)."""
    return client.app[keys.DB]


@pytest.fixture
async def bare_db() -> AsyncIterator[Any]:
    """An indexed in-memory store with no app around it, so no indexer drains its search outbox."""
    client = connect("sqlite:///:memory:")
    created = client["community"]
    await ensure_indexes(created)
    yield created
    await client.close()


@pytest.fixture
async def embedded_engine(tmp_path: Path) -> AsyncIterator[EmbeddedEngine]:
    """An empty embedded search engine in the test's own folder."""
    created = EmbeddedEngine(tmp_path / "search")
    await created.ensure_indexes()
    yield created
    await created.close()


async def csrf_token(client: TestClient, path: str = "/") -> str:
    """Load a page the way a browser would and return the form token it carries."""
    response = await client.get(path)
    match = TOKEN_PATTERN.search(await response.text())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def token() -> Callable[..., Any]:
    return csrf_token


async def post_form(client: TestClient, path: str, data: dict[str, Any], *, from_page: str = "/",
                    **kwargs: Any) -> Any:
    """Submit a form as a browser would: with the CSRF token of a page it loaded first."""
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, from_page)}, **kwargs)


@pytest.fixture
def submit() -> Callable[..., Any]:
    return post_form



@pytest.fixture
def captured_effects() -> Iterator[actions.Effects]:
    """What every action committed during the test produced: events, notification intents,
    reindexes, scheduled and cancelled jobs (a refused or rolled-back write adds nothing)."""
    with actions.capture() as captured:
        yield captured
