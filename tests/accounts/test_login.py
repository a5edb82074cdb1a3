from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.accounts import login
from community.accounts.schemas import LoginIn
from community.app import create_app
from community.config import Settings
from community.errors import Invalid, RateLimited
from community.accounts.sessions import SESSION_COOKIE
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user


async def attempt(client: TestClient, email: str, password: str, **extra: Any) -> Any:
    token = await csrf_token(client, "/login")
    return await client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                             allow_redirects=False, **extra)


def has_session(client: TestClient) -> bool:
    return any(cookie.key == SESSION_COOKIE for cookie in client.session.cookie_jar)


async def test_sign_in_returns_to_a_local_page_only(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await csrf_token(client, "/login?next=/account")
    assert 'name="next" value="/account"' in await (await client.get("/login?next=/account")).text()
    response = await client.post("/login", data={"email": user["email"].upper(), "password": DEFAULT_PASSWORD,
                                                 "next": "https://evil.example/", "csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_wrong_password_and_unknown_email_read_the_same(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    wrong = await attempt(client, user["email"], "not the password")
    unknown = await attempt(client, "nobody@example.gov.in", "not the password")
    assert wrong.status == unknown.status == 422
    wrong_html, unknown_html = await wrong.text(), await unknown.text()
    for html in (wrong_html, unknown_html):
        assert 'id="error-password"' in html and "is not right" in html
    assert user["email"] in wrong_html, "the e-mail is filled in again"
    assert 'type="password" autocomplete="current-password" required aria-invalid="true"' in wrong_html
    assert "not the password" not in wrong_html, "a password is never echoed back"
    assert not has_session(client)


async def test_unverified_account_cannot_sign_in(client: TestClient, db: Any) -> None:
    user = await make_user(db, verified=False)
    response = await attempt(client, user["email"], DEFAULT_PASSWORD)
    assert response.status == 422 and "Verify your e-mail address first" in await response.text()
    assert not has_session(client)


async def test_wrong_passwords_throttle_the_address_and_account_pair(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    for _ in range(login.FREE_FAILURES_PER_PAIR):
        assert (await attempt(client, user["email"], "wrong password")).status == 422
    blocked = await attempt(client, user["email"], DEFAULT_PASSWORD)
    assert blocked.status == 429 and int(blocked.headers["Retry-After"]) == login.FIRST_WAIT_SECONDS
    assert "Please wait" in await blocked.text()
    assert not has_session(client), "even the right password waits out the delay from this address"
    other = await make_user(db)
    assert (await attempt(client, other["email"], DEFAULT_PASSWORD)).status == 303, "other accounts are unaffected"


async def test_a_strangers_failures_do_not_lock_the_owner_out(aiohttp_client: Callable[..., Any],
                                                               settings: Settings) -> None:
    client = await aiohttp_client(create_app(replace(settings, trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),))))
    user = await make_user(client.app[keys.DB])
    stranger, owner = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.9"}
    for _ in range(login.FREE_FAILURES_PER_PAIR + 3):
        await attempt(client, user["email"], "a guess", headers=stranger)
    assert (await attempt(client, user["email"], DEFAULT_PASSWORD, headers=stranger)).status == 429
    assert (await attempt(client, user["email"], DEFAULT_PASSWORD, headers=owner)).status == 303
    assert has_session(client)


async def test_each_further_failure_doubles_the_wait(db: Any) -> None:
    user = await make_user(db)
    guess = LoginIn(email=user["email"], password="a guess")
    now = datetime.now(UTC)
    for _ in range(login.FREE_FAILURES_PER_PAIR):
        with pytest.raises(Invalid):
            await login.authenticate(db, guess, "203.0.113.5", now=now)
    waits = []
    for _ in range(3):
        with pytest.raises(RateLimited) as waiting:
            await login.authenticate(db, guess, "203.0.113.5", now=now)
        waits.append(waiting.value.retry_after)
        now += timedelta(seconds=waiting.value.retry_after)
        with pytest.raises(Invalid):
            await login.authenticate(db, guess, "203.0.113.5", now=now)
    assert waits == [login.FIRST_WAIT_SECONDS, 2 * login.FIRST_WAIT_SECONDS, 4 * login.FIRST_WAIT_SECONDS]
    right = LoginIn(email=user["email"], password=DEFAULT_PASSWORD)
    assert (await login.authenticate(db, right, "198.51.100.9", now=now))["_id"] == user["_id"]


async def test_guessing_from_many_addresses_slows_the_account_but_never_locks_it(db: Any) -> None:
    user = await make_user(db)
    guess = LoginIn(email=user["email"], password="a guess")
    now = datetime.now(UTC)
    for n in range(login.ACCOUNT_CEILING):
        with pytest.raises(Invalid):
            await login.authenticate(db, guess, f"10.0.{n // 250}.{n % 250}", now=now)
    with pytest.raises(Invalid):
        await login.authenticate(db, guess, "203.0.113.1", now=now)
    with pytest.raises(RateLimited) as slowed:
        await login.authenticate(db, guess, "203.0.113.2", now=now)
    assert slowed.value.retry_after == login.SLOW_SECONDS
    right = LoginIn(email=user["email"], password=DEFAULT_PASSWORD)
    later = now + timedelta(seconds=login.SLOW_SECONDS)
    assert (await login.authenticate(db, right, "198.51.100.9", now=later))["_id"] == user["_id"]


async def test_sign_in_is_throttled_per_address(client: TestClient, db: Any) -> None:
    people = [await make_user(db) for _ in range(login.ATTEMPTS_PER_ADDRESS // (login.FREE_FAILURES_PER_PAIR - 1) + 1)]
    tries = 0
    for person in people:
        for _ in range(login.FREE_FAILURES_PER_PAIR - 1):
            if tries == login.ATTEMPTS_PER_ADDRESS:
                break
            assert (await attempt(client, person["email"], "wrong password")).status == 422
            tries += 1
    fresh = await make_user(db)
    blocked = await attempt(client, fresh["email"], DEFAULT_PASSWORD)
    assert blocked.status == 429, "one address cannot try password after password across accounts"


async def test_login_page_without_javascript_has_labelled_fields(client: TestClient) -> None:
    html = await (await client.get("/login")).text()
    assert '<label for="field-email">' in html and 'id="field-email"' in html
    assert '<label for="field-password">' in html and 'autocomplete="current-password"' in html
    assert "<script" not in html
