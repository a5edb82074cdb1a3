"""Shared steps for profile tests: API calls with a bearer token, a small dictionary, an image."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image

from tests.competencies.builders import store_competency, store_position

HEALTH = "dom.health.test-public-health"
BUDGET = "fun.test.outcome-budgeting"
POSITION = "pos.test.health-budget-officer"


async def small_dictionary(db: Any) -> None:
    await store_competency(db, HEALTH, "Public health programmes")
    await store_competency(db, BUDGET, "Outcome budgeting")
    await store_position(db, POSITION, {HEALTH: 3, BUDGET: 4})


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: TestClient, method: str, path: str, token: str | None = None, **kwargs: Any) -> tuple[int, Any]:
    headers = {**(auth(token) if token else {}), **kwargs.pop("headers", {})}
    response = await client.request(method, path, headers=headers, **kwargs)
    if response.content_type in ("application/json", "application/problem+json"):
        return response.status, await response.json(content_type=None)
    return response.status, await response.read()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (400, 300), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format=fmt, **save)
    return out.getvalue()
