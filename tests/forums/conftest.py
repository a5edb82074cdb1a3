"""Forum fixtures: an app with relaxed posting limits (tests that check limits set their own),
categories written through the service, and people with API tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.app import create_app
from community.config import Settings
from community.forums import categories
from community.forums.limits import LIMITS, ForumLimits
from community.policy import Actor, Role
from tests.factories import act, bearer_token, make_org, make_user
from tests.realtime.probe import SocketProbe

RELAXED = replace(ForumLimits(), flood_seconds=0, new_member_days=0, new_member_min_posts=0)


@pytest.fixture
async def probe() -> AsyncIterator[SocketProbe]:
    """A Socket.IO client for the test, closed at its end."""
    made = SocketProbe()
    yield made
    await made.close()


@pytest.fixture
def limits() -> ForumLimits:
    return RELAXED


@pytest.fixture
def app(settings: Settings, limits: ForumLimits) -> web.Application:
    app = create_app(settings)
    app[LIMITS] = limits
    return app


class Forum:
    """Builders over one test's store, so tests say what they need in one line."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.db = client.app[keys.DB]
        self.orgs: dict[str, dict[str, Any]] = {}

    async def org(self, name: str) -> dict[str, Any]:
        if name not in self.orgs:
            self.orgs[name] = await make_org(self.db, name=name)
        return self.orgs[name]

    async def person(self, org: str = "Ministry A", *, roles: tuple[str, ...] = ("officer",), **extra: Any) -> dict[str, Any]:
        user = await make_user(self.db, org=await self.org(org), roles=roles, **extra)
        user["token"] = await bearer_token(self.db, user)
        return user

    def headers(self, user: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {user['token']}"}

    async def category(self, slug: str = "procurement", *, org: str | None = None, **fields: Any) -> dict[str, Any]:
        data = {"name": slug.replace("-", " ").title(), "slug": slug, **fields}
        if org is not None:
            data["org_id"] = str((await self.org(org))["_id"])
        admin = await make_user(self.db, roles=("admin",))
        return await act(self.client.app, Actor(user_id=admin["_id"], roles=frozenset({Role.ADMIN})),
                         categories.create_category, data)

    async def thread(self, category: dict[str, Any], author: dict[str, Any], *, title: str = "How to handle a single bid?",
                     body: str | None = None, kind: str = "question", **fields: Any) -> dict[str, Any]:
        body = body or f"{title} Only one bid arrived for our tender. What did you do?"
        response = await self.client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                          json={"title": title, "body": body, "kind": kind, **fields},
                                          headers=self.headers(author))
        assert response.status == 201, await response.text()
        return (await response.json())["thread"]

    async def reply(self, thread: dict[str, Any], author: dict[str, Any], body: str, **fields: Any) -> dict[str, Any]:
        response = await self.client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": body, **fields},
                                          headers=self.headers(author))
        assert response.status == 201, await response.text()
        return await response.json()


@pytest.fixture
async def forum(client: TestClient) -> Forum:
    return Forum(client)

