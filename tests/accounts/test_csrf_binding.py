"""CSRF tokens are bound to the session: a token is good for one session only, a token taken
before sign-in dies at sign-in, and a cookie and token pair planted from another browser is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient
from yarl import URL

from community import csrf
from community.app import create_app
from community.config import Settings
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user, sign_in


def csrf_cookie(client: TestClient) -> str:
    return next(cookie.value for cookie in client.session.cookie_jar if cookie.key == csrf.COOKIE)


def plant(client: TestClient, value: str) -> None:
    client.session.cookie_jar.update_cookies({csrf.COOKIE: value}, URL(str(client.make_url("/"))))


async def sign_out_everywhere(client: TestClient, token: str) -> int:
    response = await client.post("/account/sign-out-everywhere", data={"csrf_token": token}, allow_redirects=False)
    return response.status


async def test_a_planted_cookie_and_token_pair_from_another_browser_is_refused(client: TestClient, another_browser: Any,
                                                                               db: Any) -> None:
    victim, attacker = await make_user(db), await make_user(db)
    evil = another_browser()
    anonymous_token = await csrf_token(evil, "/login")
    anonymous_cookie = csrf_cookie(evil)
    await sign_in(evil, attacker)
    signed_in_token = await csrf_token(evil, "/account")
    signed_in_cookie = csrf_cookie(evil)
    await sign_in(client, victim)
    for cookie, token in ((anonymous_cookie, anonymous_token), (signed_in_cookie, signed_in_token)):
        plant(client, cookie)
        assert await sign_out_everywhere(client, token) == 403
    assert await db.sessions.count_documents({"user_id": victim["_id"]}) == 1, "nothing happened to the victim"
    assert await sign_out_everywhere(client, await csrf_token(client, "/account")) == 303


async def test_a_token_from_before_sign_in_dies_at_sign_in_and_a_session_token_at_sign_out(client: TestClient,
                                                                                          db: Any) -> None:
    user = await make_user(db)
    before = await csrf_token(client, "/login")
    response = await client.post("/login", data={"email": user["email"], "password": DEFAULT_PASSWORD,
                                                 "csrf_token": before}, allow_redirects=False)
    assert response.status == 303, "the sign-in form works with its pre-session token"
    assert await sign_out_everywhere(client, before) == 403, "the pre-session token does not survive sign-in"
    during = await csrf_token(client, "/account")
    assert during != before
    assert (await client.post("/logout", data={"csrf_token": during}, allow_redirects=False)).status == 303
    for stale in (before, during):
        again = await client.post("/login", data={"email": user["email"], "password": DEFAULT_PASSWORD,
                                                  "csrf_token": stale}, allow_redirects=False)
        assert again.status == 403, "neither old token works once signed out"
    await sign_in(client, user)
    assert await csrf_token(client, "/account") not in (before, during), "a new session, a new token"


async def test_the_api_hands_a_signed_in_browser_its_sessions_token(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db))
    handed = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    assert handed == await csrf_token(client, "/account")
    response = await client.post("/api/v1/notifications/read-all", headers={csrf.HEADER: handed})
    assert response.status == 200


async def test_over_https_the_pre_sign_in_cookie_is_host_only_so_a_subdomain_cannot_plant_one(
        aiohttp_client: Callable[..., Any], settings: Settings) -> None:
    client = await aiohttp_client(create_app(replace(settings, base_url="https://community.example.gov.in")))
    response = await client.get("/login", headers={"Cookie": f"{csrf.COOKIE}={'p' * 43}"})
    morsel = response.cookies[csrf.SECURE_COOKIE]
    assert morsel["secure"] and morsel["path"] == "/" and not morsel["domain"]
    assert morsel.value != "p" * 43, "a cookie without the __Host- prefix is not taken as the secret"
    assert csrf.COOKIE not in response.cookies
