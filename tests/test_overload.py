"""Load shedding through the real app: a request held in flight or a late event loop makes the
next request a fast 503 with ``Retry-After`` that writes nothing; health checks still answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.app import create_app
from community.config import ConfigError, Settings, load_settings
from community.overload import SHEDDER
from tests.factories import bearer_token, make_user


class Held:
    """A test route whose requests stay in flight until released."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def handler(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.release.wait()
        return web.Response(text="done")


@pytest.fixture
def held() -> Held:
    return Held()


@pytest.fixture
def app(settings: Settings, held: Held) -> web.Application:
    app = create_app(replace(settings, overload_max_in_flight=1, overload_max_lag_ms=100))
    app.router.add_get("/test/held", held.handler)
    return app


@pytest.fixture
async def holding(client: TestClient, held: Held) -> AsyncIterator[None]:
    """One request in flight (the limit is one) for the length of the test."""
    pending = asyncio.create_task(client.get("/test/held"))
    await held.arrived.wait()
    yield
    held.release.set()
    assert (await pending).status == 200


async def test_over_the_limit_an_api_write_is_refused_and_writes_nothing(client: TestClient, holding: None) -> None:
    db = client.app[keys.DB]
    admin = await make_user(db, roles=("officer", "admin"))
    token = await bearer_token(db, admin)
    response = await client.post("/api/v1/forums/categories", json={"name": "Procurement", "slug": "procurement"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status == 503
    assert response.headers["Retry-After"] == "1"
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == 503 and body["type"].endswith("/server-busy")
    assert await db.forum_categories.count_documents({}) == 0


async def test_a_page_is_refused_in_the_request_language(client: TestClient, holding: None) -> None:
    response = await client.get("/forums", headers={"Accept-Language": "hi"})
    assert response.status == 503
    assert response.headers["Retry-After"] == "1"
    assert response.content_type == "text/html"
    assert response.headers["Content-Language"] == "hi"
    page = await response.text()
    assert '<html lang="hi">' in page and "सर्वर" in page
    assert "Server busy" not in page


async def test_health_readiness_and_static_files_answer_while_shedding(client: TestClient, holding: None) -> None:
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    static = client.app.router["static"].url_for(filename="css/forums.css")
    assert (await client.get(static)).status == 200


async def test_a_released_request_frees_its_place(client: TestClient, held: Held) -> None:
    pending = asyncio.create_task(client.get("/test/held"))
    await held.arrived.wait()
    assert (await client.get("/forums")).status == 503
    held.release.set()
    assert (await pending).status == 200
    assert client.app[SHEDDER].in_flight == 0
    assert (await client.get("/forums")).status == 200


async def test_a_late_event_loop_sheds_new_requests(client: TestClient) -> None:
    """The loop is blocked for longer than the lag limit (100 ms here), as CPU-bound work blocks
    it; the monitor's next tick measures that, and for the next second requests are refused."""
    assert (await client.get("/forums")).status == 200
    time.sleep(0.3)
    await asyncio.sleep(0.001)  # the monitor's overdue timer fires before this later one
    assert client.app[SHEDDER].monitor.lag >= 0.2
    refused = await client.get("/api/v1/forums/categories")
    assert refused.status == 503 and refused.headers["Retry-After"] == "1"
    assert (await client.get("/healthz")).status == 200


@pytest.mark.parametrize(("env", "setting"), [
    ({"OVERLOAD_MAX_IN_FLIGHT": "0"}, "OVERLOAD_MAX_IN_FLIGHT"),
    ({"OVERLOAD_MAX_IN_FLIGHT": "many"}, "OVERLOAD_MAX_IN_FLIGHT"),
    ({"OVERLOAD_MAX_LAG_MS": "5"}, "OVERLOAD_MAX_LAG_MS"),
])
def test_bad_overload_settings_are_named(tmp_path: Any, env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATA_DIR": str(tmp_path), **env})
    assert caught.value.setting == setting

