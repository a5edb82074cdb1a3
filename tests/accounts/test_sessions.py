from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request

from community.app import create_app
from community.config import Settings
import pytest

from community.accounts import queries, sessions
from community import actions, keys
from community.realtime.emitter import user_room
from community.accounts.sessions import SESSION_COOKIE, digest
from community.policy import ANONYMOUS, Actor, Role
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_org, make_user, record_calls, sent_to_sign_in, sign_in


def session_cookie(client: TestClient) -> Any:
    return next(cookie for cookie in client.session.cookie_jar if cookie.key == SESSION_COOKIE)


async def actor_for_session(client: TestClient, value: str) -> Actor:
    found = await sessions.signed_in(client.app[keys.DB], ("cookie", value), now=datetime.now(UTC),
                                     idle=sessions.idle_limit(client.app[keys.SETTINGS]))
    return sessions.actor_for_user(found.user if found is not None else None)


async def test_sign_in_sets_a_hardened_cookie_and_the_actor(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    user = await make_user(db, org=org, roles=("expert",), name="अनुराधा शर्मा")
    await sign_in(client, user)
    cookie = session_cookie(client)
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    stored = await db.sessions.find_one({"user_id": user["_id"]})
    assert stored["_id"] == digest(cookie.value), "only a hash of the token is stored"
    assert sessions.queries.as_utc(stored["expires_at"]) > datetime.now(UTC) + timedelta(days=13)
    actor = await actor_for_session(client, cookie.value)
    assert actor.user_id == user["_id"] and actor.org_id == org["_id"]
    assert actor.roles == frozenset({Role.OFFICER, Role.EXPERT})
    html = await (await client.get("/")).text()
    assert "अनुराधा शर्मा" in html and 'action="/logout"' in html


def test_secure_cookie_behind_https(settings: Settings) -> None:
    app = create_app(replace(settings, base_url="https://community.example"))
    response = web.Response()
    sessions.set_session_cookie(make_mocked_request("POST", "/login", app=app), response, "token")
    morsel = response.cookies[SESSION_COOKIE]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


async def test_unknown_or_expired_session_is_anonymous_and_cookie_cleared(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    assert await actor_for_session(client, "not-a-session") is ANONYMOUS
    await sign_in(client, user)
    value = session_cookie(client).value
    await db.sessions.update_one({"_id": digest(value)}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
    assert await actor_for_session(client, value) is ANONYMOUS
    assert await sent_to_sign_in(client, "/account")
    assert not any(cookie.key == SESSION_COOKIE and cookie.value for cookie in client.session.cookie_jar)


async def test_sign_out_ends_the_session(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    value = session_cookie(client).value
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert await db.sessions.count_documents({"_id": digest(value)}) == 0
    assert await sent_to_sign_in(client, "/account")


async def test_sign_out_without_csrf_token_is_refused(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db))
    response = await client.post("/logout", data={}, allow_redirects=False)
    assert response.status == 403
    assert await db.sessions.count_documents({}) == 1


async def test_sign_out_everywhere_ends_every_session_and_token(client: TestClient, another_browser: Any, db: Any) -> None:
    user = await make_user(db)
    other = await make_user(db)
    await sign_in(client, user)
    second = another_browser()
    third = another_browser()
    await sign_in(second, user)
    await sign_in(third, other)
    token = await bearer_token(db, user)
    page = await (await client.get("/account")).text()
    assert "2 browsers" in page
    response = await client.post("/account/sign-out-everywhere", data={"csrf_token": await csrf_token(client, "/account")},
                                 allow_redirects=False)
    assert response.status == 303
    assert await db.sessions.count_documents({"user_id": user["_id"]}) == 0
    assert await db.api_tokens.count_documents({"user_id": user["_id"]}) == 0
    assert await db.sessions.count_documents({"user_id": other["_id"]}) == 1, "other people stay signed in"
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401


async def test_bearer_token_authenticates_and_ignores_cookies(client: TestClient, db: Any) -> None:
    alice = await make_user(db, name="Alice")
    bob = await make_user(db, name="Bob")
    await sign_in(client, alice)
    token = await bearer_token(client, bob)
    me = await (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json()
    assert me["name"] == "Bob"
    stale = await client.get("/api/v1/me", headers={"Authorization": "Bearer wrong"})
    assert stale.status == 401, "a bad bearer token never falls back to the cookie"
    assert stale.content_type == "application/problem+json"


async def test_deleted_or_unverified_people_are_anonymous(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    await db.users.update_one({"_id": user["_id"]}, {"$set": {"deleted": True}})
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401
    pending = await make_user(db, verified=False)
    token = await bearer_token(db, pending)
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401


async def test_suspension_is_visible_to_the_policy(client: TestClient, db: Any) -> None:
    user = await make_user(db, suspended_until=datetime.now(UTC) + timedelta(days=1))
    await sign_in(client, user)
    actor = await actor_for_session(client, session_cookie(client).value)
    assert actor.is_suspended()


async def test_signing_out_everywhere_hangs_up_only_once_the_deletions_commit(
        client: TestClient, db: Any, monkeypatch: Any, captured_effects: actions.Effects) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    await bearer_token(db, user)

    async def failing_delete(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("the token store failed")

    monkeypatch.setattr(queries, "delete_user_tokens", failing_delete)
    with pytest.raises(OSError):
        await actions.run(client.app, sessions.actor_for_user(user), sessions.end_all, user["_id"])
    assert captured_effects.empty, "a rolled-back sign-out closes no socket"
    assert await db.sessions.count_documents({"user_id": user["_id"]}) == 1, "the session deletion was rolled back"
    monkeypatch.undo()
    assert await actions.run(client.app, sessions.actor_for_user(user), sessions.end_all, user["_id"]) == 2
    assert captured_effects.hung_up == [user_room(user["_id"])]
    assert await db.sessions.count_documents({"user_id": user["_id"]}) == 0


async def test_static_files_sign_nobody_in(client: TestClient, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's assets are the same for everyone: fetching one with a session or a token looks
    neither up (each would cost two reads), and a page still signs its person in."""
    person = await make_user(db)
    await sign_in(client, person)
    token = await bearer_token(db, person)
    looked_up = record_calls(monkeypatch, sessions, "signed_in")
    static = client.app.router["static"]
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        asset = await client.get(str(static.url_for(filename="css/site.css")), headers=headers)
        assert asset.status == 200 and "no-store" not in asset.headers.get("Cache-Control", "")
    assert looked_up == []
    assert (await client.get("/account")).status == 200
    assert [credential[0] for _db, credential in looked_up] == ["cookie"]
