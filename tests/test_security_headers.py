"""Every answer carries the security headers, whatever its kind; whatever depends on who is signed
in is never stored by a cache; sockets may reach only this server's own origin."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.app import create_app
from community.config import Settings
from community.middlewares import content_security_policy
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
           "Permissions-Policy")


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("a handler that fails")


@pytest.fixture
def app(settings: Settings) -> web.Application:
    made = create_app(settings)
    made.router.add_get("/test-only/boom", boom)
    return made


def secured(response: Any) -> None:
    for name in HEADERS:
        assert name in response.headers, f"{response.status} {response.url} lacks {name}"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_every_kind_of_answer_carries_the_security_headers(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    answers = {
        "page": await client.get("/"),
        "303 to sign in": await client.get("/account", allow_redirects=False),
        "401 page": await client.post("/profile/edit", data={"csrf_token": await csrf_token(client)},
                                      allow_redirects=False),
        "401 problem": await client.get("/api/v1/me"),
        "403 page": await client.post("/logout", data={}, allow_redirects=False),
        "404 page": await client.get("/no-such-page"),
        "404 problem": await client.get("/api/v1/no-such-thing"),
        "405 problem": await client.delete("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        "500 page": await client.get("/test-only/boom"),
        "500 problem": await client.get("/test-only/boom", headers={"Accept": "application/json"}),
        "303 returned": await client.post("/language", allow_redirects=False,
                                          data={"lang": "hi", "next": "/", "csrf_token": await csrf_token(client)}),
    }
    await sign_in(client, user)
    answers["303 raised"] = await client.post("/notifications/read-all", allow_redirects=False,
                                              data={"csrf_token": await csrf_token(client, "/notifications")})
    expected = {"page": 200, "303 to sign in": 303, "401 page": 401, "401 problem": 401, "403 page": 403, "404 page": 404, "404 problem": 404,
                "405 problem": 405, "500 page": 500, "500 problem": 500, "303 returned": 303, "303 raised": 303}
    assert {kind: response.status for kind, response in answers.items()} == expected
    for response in answers.values():
        secured(response)


@pytest.mark.parametrize(("base_url", "socket_origin"), [("http://127.0.0.1:8080", "ws://127.0.0.1:8080"),
                                                         ("https://community.example.gov.in", "wss://community.example.gov.in")])
async def test_sockets_may_reach_only_the_servers_own_origin(aiohttp_client: Callable[..., Any], settings: Settings,
                                                             base_url: str, socket_origin: str) -> None:
    client = await aiohttp_client(create_app(replace(settings, base_url=base_url)))
    policy = (await client.get("/")).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["connect-src"] == f"'self' {socket_origin}"
    assert content_security_policy(base_url) == policy


def _every_get_path(app: web.Application) -> list[str]:
    """Each GET route once, its variables filled with an id nobody holds (a 404 must not be cached either)."""
    paths = []
    for resource in app.router.resources():
        if resource.name == "static" or not any(route.method in ("GET", "*") for route in resource):
            continue
        if not resource.canonical.startswith("/test-only/"):
            paths.append(re.sub(r"\{[^}]+\}", str(ObjectId()), resource.canonical))
    return sorted(set(paths))


@pytest.mark.parametrize("roles", [("officer",), ("admin",)], ids=["member", "administrator"])
async def test_nothing_a_signed_in_person_is_shown_may_be_stored_by_a_cache(client: TestClient, db: Any,
                                                                           roles: tuple[str, ...]) -> None:
    person = await make_user(db, roles=roles)
    await sign_in(client, person)
    token = await bearer_token(db, person)
    paths = _every_get_path(client.app)
    assert len(paths) > 40 and "/account" in paths and "/admin" in paths
    for path in paths:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            response = await client.get(path, headers=headers, allow_redirects=False)
            assert response.status != 500, path
            assert response.headers.get("Cache-Control") == "no-store", f"{path} ({response.status}) may be cached"
    static = next(resource for resource in client.app.router.resources() if resource.name == "static")
    asset = await client.get(str(static.url_for(filename="css/forums.css")))
    assert asset.status == 200 and "no-store" not in asset.headers.get("Cache-Control", ""), "shared assets stay cacheable"
