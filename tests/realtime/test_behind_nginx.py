"""Two real server processes and a real Redis behind Debian's nginx running the shipped
``deploy/nginx.conf``: two clients attached to one process over WebSocket hear an
event caused through nginx on the other. (The server offers Socket.IO over WebSocket only,
``community.realtime.server``, so there is no polling client here.)

As in ``test_redis.py`` each process has its own embedded store seeded with the same person
and session: two processes cannot share one embedded ``DATA_DIR`` (the embedded search index
takes a writer lock), so the only thing they share is Redis.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
import pytest
from bson import ObjectId

from tests.processes import free_port
from tests.realtime.test_redis import USER_ID, _api_sign_in, _listening, _seed, _start, shared_session  # noqa: F401  (a fixture)
from tests.test_nginx import NGINX, render, require_nginx

pytestmark = [pytest.mark.redis, pytest.mark.slow]

SOURCES = [f"127.0.0.{n}" for n in range(2, 40)]
"""Loopback addresses to connect from: nginx's ``hash $remote_addr`` sends each to one process."""


class Proxied(NamedTuple):
    base: str
    """nginx's address."""
    routes: dict[str, list[str]]
    """Which source addresses nginx sends to each process, "a" and "b"."""
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]]


@pytest.fixture
async def behind_nginx(tmp_path: Path, redis_url: str,
                       shared_session: tuple[str, dict[str, Any]]) -> AsyncIterator[Proxied]:
    require_nginx()
    org_id = ObjectId()
    processes = []
    nginx = None
    try:
        for name in ("a", "b"):
            await _seed(tmp_path / name, org_id, USER_ID, shared_session[1])
            processes.append(await _start(tmp_path / name, redis_url))
        ports = {name: int(url.rsplit(":", 1)[1]) for name, (_process, url) in zip("ab", processes)}
        work = tmp_path / "nginx"
        work.mkdir()
        listen = free_port()
        text = render(work, listen, [ports["a"], ports["b"]]).replace(
            "location / {\n", "location / {\n            add_header X-Upstream $upstream_addr always;\n")
        (work / "nginx.conf").write_text(text)
        nginx = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log"),
                                  "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{listen}"
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
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0))) as http:
                async with http.get(f"{base}/healthz") as response:
                    upstream = int(response.headers["X-Upstream"].rsplit(":", 1)[1])
            routes["a" if upstream == ports["a"] else "b"].append(source)
        assert routes["a"] and routes["b"], "the hash spreads clients over both processes"
        yield Proxied(base, routes, ports, {"a": processes[0][0], "b": processes[1][0]})
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.communicate(timeout=30)
        for process, _url in processes:
            if process.poll() is None:
                process.terminate()
        for process, _url in processes:
            process.wait(15)
            process.stderr.close()


async def test_sockets_on_one_process_hear_an_event_caused_on_the_other_through_nginx(
        behind_nginx: Proxied, redis_url: str, shared_session: tuple[str, dict[str, Any]],
        probes: Any) -> None:
    base, routes, ports, _processes = behind_nginx
    cookie = shared_session[0]
    over_websocket = await probes(routes["a"][0]).connect(base, cookie=cookie)
    second = await probes(routes["a"][-1]).connect(base, cookie=cookie)
    await _listening(redis_url)
    await _read_all_on(base, routes["b"][0], ports["b"])
    assert await over_websocket.next("notifications:unread") == {"unread": 0}
    assert await second.next("notifications:unread") == {"unread": 0}


async def _read_all_on(base: str, source: str, expected_upstream: int) -> None:
    """Cause the unread-count event through nginx, from a source it sends to the given process."""
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token = await _api_sign_in(http, base)
        async with http.post(f"{base}/api/v1/notifications/read-all",
                             headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == 200
            assert response.headers["X-Upstream"] == f"127.0.0.1:{expected_upstream}"


async def test_sigterm_to_one_process_fails_no_request_and_its_sockets_reconnect_to_the_other(
        behind_nginx: Proxied, redis_url: str, shared_session: tuple[str, dict[str, Any]], probes: Any) -> None:
    base, routes, ports, processes = behind_nginx
    source = routes["a"][0]
    socket = await probes(source, reconnect=True).connect(base, cookie=shared_session[0])
    await _listening(redis_url)
    statuses: list[int] = []
    stopped = asyncio.Event()

    async def keep_asking() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0))) as http:
            while not stopped.is_set():
                async with http.get(f"{base}/forums") as response:
                    await response.read()
                    statuses.append(response.status)

    asking = asyncio.create_task(keep_asking())

    async def answered(count: int) -> None:
        while len(statuses) < count:
            if asking.done():
                asking.result()  # a request that failed outright ends the test here, with its error
                raise AssertionError("the client stopped asking")
            await asyncio.sleep(0.05)

    await answered(3)
    processes["a"].send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(processes["a"].wait, 30) == 0
    await asyncio.wait_for(socket.reconnected.wait(), 15)
    await answered(len(statuses) + 3)
    stopped.set()
    await asyncio.wait_for(asking, 10)
    assert set(statuses) == {200}, f"every request through nginx was answered: {statuses}"
    await _read_all_on(base, routes["b"][0], ports["b"])
    assert await socket.next("notifications:unread") == {"unread": 0}, "the socket is now on the survivor"
