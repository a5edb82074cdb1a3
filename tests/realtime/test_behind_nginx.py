"""Production shape on one machine: Debian's nginx running the shipped ``deploy/nginx.conf``
(rendered with this test's ports) in front of two ``run.py`` processes on one embedded store,
with a real Redis between them. Every request and socket goes through nginx only.

The journey: a newcomer registers and verifies with the code from the development outbox (read
by an administrator on its page), starts a thread and replies to it; a second person's two
Socket.IO clients, one over WebSocket and one over long-polling (kept on one process by nginx's
hash), attached to the process that did not take the reply, hear it live; search on either
process finds the thread (one process writes the shared index, the other searches it); sign-in
throttling counts the client's address from ``X-Forwarded-For`` (``TRUSTED_PROXIES``), not
nginx's. Then SIGTERM to one process while clients keep asking: nginx sends new requests to the
other, the stopping one finishes what it has, no request fails, and its sockets reconnect to the
survivor and hear its events.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import aiohttp
import pytest

from community.accounts.sessions import SESSION_COOKIE
from community.config import load_settings
from community.storage import connect
from tests.conftest import TOKEN_PATTERN
from tests.factories import DEFAULT_PASSWORD, make_notification, make_org, make_user
from tests.processes import free_port, start_run_py, wait_until_serving
from tests.realtime.probe import SocketProbe
from tests.realtime.test_redis import _listening
from tests.test_nginx import NGINX, render, require_nginx

pytestmark = [pytest.mark.redis, pytest.mark.slow]

SOURCES = [f"127.0.0.{n}" for n in range(2, 60)]
"""Loopback addresses to connect from: nginx's ``hash $remote_addr`` sends each to one process."""
ADMIN = "admin@dopt.gov.in"
RAVI = "ravi@railways.gov.in"
NEWCOMER = "meera.iyer@railways.gov.in"
CODE = re.compile(r"\b(\d{6})\b")


class Proxied(NamedTuple):
    base: str
    """nginx's address."""
    routes: dict[str, list[str]]
    """Which source addresses nginx sends to each process, "a" and "b"; each test takes its own."""
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[str]]
    org_id: str


@pytest.fixture
async def behind_nginx(tmp_path: Path, redis_url: str) -> AsyncIterator[Proxied]:
    require_nginx()
    data = tmp_path / "data"
    org_id = await _seed(data)
    listen, ports = free_port(), {"a": free_port(), "b": free_port()}
    base = f"http://127.0.0.1:{listen}"
    settings = {"REDIS_URL": redis_url, "TRUSTED_PROXIES": "127.0.0.1", "BASE_URL": base, "LOG_LEVEL": "WARNING",
                "FORUM_FLOOD_SECONDS": "0", "OVERLOAD_MAX_IN_FLIGHT": "1000", "OVERLOAD_MAX_LAG_MS": "60000"}
    processes: dict[str, subprocess.Popen[str]] = {}
    nginx = None
    try:
        for name, port in ports.items():  # one after the other: the first writes the secret key and the index
            processes[name] = start_run_py(data, port, **settings)
            wait_until_serving(port, processes[name], 60)
        work = tmp_path / "nginx"
        work.mkdir()
        text = render(work, listen, [ports["a"], ports["b"]]).replace(
            "location / {\n", "location / {\n            add_header X-Upstream $upstream_addr always;\n")
        (work / "nginx.conf").write_text(text)
        nginx = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log"),
                                  "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                assert nginx.poll() is None, nginx.communicate()[1]
                assert time.monotonic() < deadline, "nginx did not answer"
                time.sleep(0.1)
        routes: dict[str, list[str]] = {"a": [], "b": []}
        for source in SOURCES:
            async with _client(source) as http, http.get(f"{base}/healthz") as response:
                routes[_process_of(response, ports)].append(source)
        assert len(routes["a"]) >= 6 and len(routes["b"]) >= 6, f"the hash spreads clients: {routes}"
        await _listening(redis_url)
        yield Proxied(base, routes, ports, processes, org_id)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.communicate(timeout=30)
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            _stdout, log = process.communicate(timeout=30)
            assert "Traceback" not in log and '"level": "ERROR"' not in log, log[-3000:]


async def _seed(data: Path) -> str:
    """What an operator starts with: an organisation, an administrator, and a member, Ravi, with
    one unread notification (marking it read tells his open tabs the new count)."""
    settings = load_settings({"DATA_DIR": str(data)})
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        org = await make_org(db, name="Ministry of Railways")
        await make_user(db, email=ADMIN, roles=("admin",))
        await make_notification(db, (await make_user(db, org=org, email=RAVI, name="Ravi Kumar"))["_id"])
        return str(org["_id"])
    finally:
        await client.close()


def _client(source: str) -> aiohttp.ClientSession:
    """A client connecting from ``source``, with its own cookies."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True))


def _process_of(response: aiohttp.ClientResponse, ports: dict[str, int]) -> str:
    upstream = int(response.headers["X-Upstream"].rsplit(":", 1)[1])
    return next(name for name, port in ports.items() if port == upstream)


async def _csrf(http: aiohttp.ClientSession, base: str) -> dict[str, str]:
    async with http.get(f"{base}/api/v1/accounts/csrf") as response:
        return {"X-CSRF-Token": (await response.json())["csrf_token"]}


async def _token(http: aiohttp.ClientSession, base: str, email: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """Sign in through the JSON API; the bearer header for the person's later calls."""
    async with http.post(f"{base}/api/v1/accounts/login", headers=await _csrf(http, base),
                         json={"email": email, "password": password}) as response:
        assert response.status == 200, await response.text()
        return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def _browser_cookie(source: str, base: str, email: str) -> str:
    """Sign in through the real login page, as a browser does; the session cookie."""
    async with _client(source) as browser:
        async with browser.get(f"{base}/login") as page:
            token = TOKEN_PATTERN.search(await page.text())
        assert token
        async with browser.post(f"{base}/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                                       "csrf_token": token.group(1)}, allow_redirects=False) as response:
            assert response.status == 303
        return next(cookie.value for cookie in browser.cookie_jar if cookie.key == SESSION_COOKIE)


async def _register_and_verify(proxied: Proxied, source: str) -> None:
    base = proxied.base
    async with _client(source) as http:
        async with http.post(f"{base}/api/v1/accounts/register", headers=await _csrf(http, base), json={
                "name": "Meera Iyer", "email": NEWCOMER, "org_id": proxied.org_id, "designation": "Deputy Secretary",
                "password": "tea garden river monsoon"}) as response:
            assert response.status == 201, await response.text()
        async with http.get(f"{base}/admin/outbox", headers=await _token(http, base, ADMIN)) as page:
            outbox = await page.text()
        message = outbox[outbox.index(f"To {NEWCOMER}"):]
        code = CODE.search(message[message.index("<pre"):])
        assert code, "the development outbox holds the newcomer's code"
        async with http.post(f"{base}/api/v1/accounts/verify", headers=await _csrf(http, base),
                             json={"email": NEWCOMER, "code": code.group(1)}) as response:
            assert response.status == 200, await response.text()


async def _sockets(proxied: Proxied, sources: list[str], cookie: str, *, reconnect: bool = False) -> list[SocketProbe]:
    """Ravi's two tabs: one over WebSocket and one over long-polling, from ``sources``."""
    made = []
    for source, transport in zip(sources, ("websocket", "polling")):
        made.append(await SocketProbe(source, reconnect=reconnect, transport=transport).connect(proxied.base,
                                                                                                cookie=cookie))
    assert [probe.sio.transport() for probe in made] == ["websocket", "polling"]
    return made


async def _found(http: aiohttp.ClientSession, base: str, words: str, seconds: float = 20) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        async with http.get(f"{base}/api/v1/search", params={"q": words}) as response:
            assert response.status == 200
            titles = [hit["title"] for hit in (await response.json())["hits"]]
        if titles or time.monotonic() > deadline:
            return titles
        await asyncio.sleep(0.2)


async def test_a_journey_through_nginx_to_two_processes_on_one_store(behind_nginx: Proxied) -> None:
    proxied, base = behind_nginx, behind_nginx.base
    on_a, on_b = proxied.routes["a"], proxied.routes["b"]
    await _register_and_verify(proxied, on_a[0])

    async with _client(on_b[0]) as admin:
        async with admin.post(f"{base}/api/v1/forums/categories", headers=await _token(admin, base, ADMIN),
                              json={"name": "Procurement", "slug": "procurement"}) as response:
            assert response.status == 201, await response.text()
    async with _client(on_b[1]) as meera:
        meera_auth = await _token(meera, base, NEWCOMER, "tea garden river monsoon")
        async with meera.post(f"{base}/api/v1/forums/categories/procurement/threads", headers=meera_auth, json={
                "title": "Single bid on a railway tender", "body": "Only one bid arrived for our sleeper tender."}) as response:
            assert response.status == 201, await response.text()
            thread_id = (await response.json())["thread"]["id"]

    sockets = await _sockets(proxied, on_b[2:4], await _browser_cookie(on_b[4], base, RAVI))
    try:
        for probe in sockets:
            assert (await probe.call("join", {"room": f"thread:{thread_id}"}))["ok"] is True
        async with _client(on_a[1]) as meera:
            async with meera.post(f"{base}/api/v1/forums/threads/{thread_id}/replies", headers=meera_auth,
                                  json={"body": "We retendered after two weeks."}) as response:
                assert response.status == 201, await response.text()
                assert _process_of(response, proxied.ports) == "a"
        for probe in sockets:
            heard = await probe.next("forum:post_created", timeout=10)
            assert heard["thread_id"] == thread_id and heard["number"] == 2, f"over {probe.transport}"
    finally:
        for probe in sockets:
            await probe.close()

    for source in (on_a[2], on_b[5]):
        async with _client(source) as reader:
            assert await _found(reader, base, "sleeper tendr") == ["Single bid on a railway tender"], \
                f"search on process {'a' if source in on_a else 'b'}"

    async def failed_sign_in(source: str) -> int:
        async with _client(source) as http:
            async with http.post(f"{base}/api/v1/accounts/login", headers=await _csrf(http, base),
                                 json={"email": RAVI, "password": "not the password"}) as response:
                return response.status

    statuses = [await failed_sign_in(on_a[3]) for _ in range(7)]
    assert statuses[-1] == 429 and 429 not in statuses[:5], statuses
    assert await failed_sign_in(on_a[4]) != 429, "another client through the same nginx is not throttled"


async def test_sigterm_to_one_process_fails_no_request_and_its_sockets_reconnect_to_the_other(
        behind_nginx: Proxied) -> None:
    proxied, base = behind_nginx, behind_nginx.base
    on_a, on_b = proxied.routes["a"], proxied.routes["b"]
    sockets = await _sockets(proxied, on_a[0:2], await _browser_cookie(on_a[2], base, RAVI), reconnect=True)
    statuses: list[int] = []
    stopped = asyncio.Event()

    async def keep_asking(source: str, path: str) -> None:
        async with _client(source) as http:
            while not stopped.is_set():
                async with http.get(f"{base}{path}") as response:
                    await response.read()
                    statuses.append(response.status)

    askers = [asyncio.create_task(keep_asking(source, path))
              for source, path in zip(on_a[3:6], ("/forums", "/search?q=tender", "/api/v1/forums/categories"))]

    async def answered(count: int) -> None:
        while len(statuses) < count:
            for asker in askers:
                if asker.done():
                    asker.result()  # a request that failed outright ends the test here, with its error
                    raise AssertionError("a client stopped asking")
            await asyncio.sleep(0.05)

    try:
        await answered(6)
        proxied.processes["a"].send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proxied.processes["a"].wait, 30) == 0
        for probe in sockets:
            await asyncio.wait_for(probe.reconnected.wait(), 20)
        await answered(len(statuses) + 6)
        stopped.set()
        await asyncio.wait_for(asyncio.gather(*askers), 10)
        assert set(statuses) == {200}, f"every request through nginx was answered: {statuses}"
        async with _client(on_b[0]) as ravi:
            async with ravi.post(f"{base}/api/v1/notifications/read-all", headers=await _token(ravi, base, RAVI)) as response:
                assert response.status == 200
                assert _process_of(response, proxied.ports) == "b"
        heard = {probe.transport: await asyncio.gather(probe.next("notifications:unread", timeout=10),
                                                       return_exceptions=True) for probe in sockets}
        assert heard == {"websocket": [{"unread": 0}], "polling": [{"unread": 0}]}, "both sockets are on the survivor"
    finally:
        stopped.set()
        await asyncio.gather(*askers, return_exceptions=True)
        for probe in sockets:
            await probe.close()
