"""Two real server processes share rooms through a real Redis: an event emitted in one reaches the other's sockets.

Each process has its own DATA_DIR (its own embedded store), seeded with the same person, so the
only thing the two share is Redis. The event comes from a real action: marking notifications
read on process A tells every open tab of that person (here, one on process B) the new count.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from yarl import URL
import redis.asyncio as aioredis
from bson import ObjectId

from community.accounts.sessions import SESSION_COOKIE, digest
from community.config import load_settings
from community.storage import connect
from tests.factories import DEFAULT_PASSWORD, make_notification, make_org, make_user
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis, pytest.mark.slow]


async def _seed(data_dir: Path, org_id: ObjectId, user_id: ObjectId, session: dict[str, Any]) -> None:
    """The same organisation, person and browser session (same ids) in this process's own store, as
    if the processes shared one database, with one unread notification."""
    settings = load_settings({"DATA_DIR": str(data_dir)})
    client = connect(settings.storage_url)
    db = client[settings.database_name]
    try:
        org = await make_org(db, _id=org_id, name="Ministry of Railways")
        await make_user(db, org=org, _id=user_id, email="asha@railways.gov.in")
        await db.sessions.insert_one(dict(session))
        await make_notification(db, user_id)
    finally:
        await client.close()


async def _start(data_dir: Path, redis_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), "PORT": str(port), "HOST": "127.0.0.1", "REDIS_URL": redis_url,
           "LOG_LEVEL": "WARNING"}
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return process, url
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start in 30 s")


@pytest.fixture
def shared_session() -> tuple[str, dict[str, Any]]:
    """A browser session's cookie value and the document every process's store holds for it."""
    token, now = secrets.token_urlsafe(32), datetime.now(UTC)
    return token, {"_id": digest(token), "user_id": USER_ID, "created_at": now, "seen_at": now,
                   "expires_at": now + timedelta(days=1), "user_agent": "test", "ip": "127.0.0.1"}


USER_ID = ObjectId()


@pytest.fixture
async def two_servers(tmp_path: Path, redis_url: str, shared_session: tuple[str, dict[str, Any]]) -> AsyncIterator[list[str]]:
    org_id = ObjectId()
    processes = []
    try:
        for name in ("a", "b"):
            await _seed(tmp_path / name, org_id, USER_ID, shared_session[1])
            processes.append(await _start(tmp_path / name, redis_url))
        yield [url for _process, url in processes]
    finally:
        for process, _url in processes:
            process.terminate()
        for process, _url in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stderr.close()


async def _browser_sign_in(url: str) -> str:
    """Sign in through the real login page, as a browser does; returns the session cookie."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(f"{url}/login") as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
        async with browser.post(f"{url}/login", data={"email": "asha@railways.gov.in", "password": DEFAULT_PASSWORD,
                                                      "csrf_token": token}, allow_redirects=False) as response:
            assert response.status == 303
        return next(cookie.value for cookie in browser.cookie_jar if cookie.key == SESSION_COOKIE)


async def _api_sign_in(http: aiohttp.ClientSession, url: str) -> str:
    """Sign in through the JSON API (it wants the CSRF token it hands out first); returns a bearer token."""
    async with http.get(f"{url}/api/v1/accounts/csrf") as response:
        csrf = (await response.json())["csrf_token"]
    async with http.post(f"{url}/api/v1/accounts/login", headers={"X-CSRF-Token": csrf},
                         json={"email": "asha@railways.gov.in", "password": DEFAULT_PASSWORD}) as response:
        assert response.status == 200
        return (await response.json())["token"]


async def _subscribers(url: str) -> int:
    client = aioredis.from_url(url)
    try:
        return dict(await client.pubsub_numsub("socketio"))[b"socketio"]
    finally:
        await client.aclose()


async def test_an_event_emitted_in_one_process_reaches_a_socket_of_the_other(two_servers: list[str], redis_url: str,
                                                                              probes: Any) -> None:
    url_a, url_b = two_servers
    on_b = await probes().connect(url_b, cookie=await _browser_sign_in(url_b))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token_a = await _api_sign_in(http, url_a)
        on_a = await probes().connect(url_a, token=token_a)
        for _ in range(100):
            if await _subscribers(redis_url) >= 2:
                break
            await asyncio.sleep(0.05)
        assert await _subscribers(redis_url) == 2, "both processes listen on Redis"

        async with http.post(f"{url_a}/api/v1/notifications/read-all",
                             headers={"Authorization": f"Bearer {token_a}"}) as response:
            assert await response.json() == {"changed": 1, "unread": 0}
    assert await on_b.next("notifications:unread") == {"unread": 0}, "process B's socket heard process A's event"
    assert await on_a.next("notifications:unread") == {"unread": 0}


async def test_readiness_reports_whether_redis_answers(two_servers: list[str], redis_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{two_servers[0]}/readyz") as response:
            body = await response.json()
    assert response.status == 200 and body["checks"]["realtime"] == {"name": "realtime", "ok": True}


async def _listening(redis_url: str) -> None:
    for _ in range(100):
        if await _subscribers(redis_url) >= 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("both processes listen on Redis")


async def test_signing_out_on_one_process_closes_that_sessions_sockets_on_the_other(
        two_servers: list[str], redis_url: str, shared_session: tuple[str, dict[str, Any]], probes: Any) -> None:
    url_a, url_b = two_servers
    cookie = shared_session[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token_b = await _api_sign_in(http, url_b)
    by_cookie = await probes().connect(url_b, cookie=cookie)
    by_token = await probes().connect(url_b, token=token_b)
    await _listening(redis_url)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({SESSION_COOKIE: cookie}, URL(url_a))
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{url_a}/account") as page:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
        async with browser.post(f"{url_a}/logout", data={"csrf_token": csrf}, allow_redirects=False) as response:
            assert response.status == 303
    await asyncio.wait_for(by_cookie.disconnected.wait(), 1)
    assert by_token.sio.connected, "another sign-in of the same person stays"

    browser_cookie = await _browser_sign_in(url_a)
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({SESSION_COOKIE: browser_cookie}, URL(url_a))
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{url_a}/account") as page:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
        async with browser.post(f"{url_a}/account/sign-out-everywhere", data={"csrf_token": csrf},
                                allow_redirects=False) as response:
            assert response.status == 303
    await asyncio.wait_for(by_token.disconnected.wait(), 1)
