"""Two real server processes and a real Redis behind Debian's nginx running the shipped
``deploy/nginx.conf``: two clients attached to one process over WebSocket hear an
event caused through nginx on the other. (The server offers Socket.IO over WebSocket only,
``community.realtime.server``, so there is no polling client here.)

As in ``test_redis.py`` each process has its own embedded store seeded with the same person
and session: two processes cannot share one embedded ``DATA_DIR`` (the embedded search index
takes a writer lock), so the only thing they share is Redis.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from tests.processes import free_port
from tests.realtime.test_redis import USER_ID, _api_sign_in, _listening, _seed, _start, shared_session  # noqa: F401  (a fixture)
from tests.test_nginx import NGINX, render, require_nginx

pytestmark = [pytest.mark.redis, pytest.mark.slow]

SOURCES = [f"127.0.0.{n}" for n in range(2, 40)]
"""Loopback addresses to connect from: nginx's ``hash $remote_addr`` sends each to one process."""


@pytest.fixture
async def behind_nginx(tmp_path: Path, redis_url: str,
                       shared_session: tuple[str, dict[str, Any]]) -> AsyncIterator[tuple[str, dict[str, list[str]], dict[str, int]]]:
    """nginx's address, which source addresses it sends to each process ("a", "b"), and their ports."""
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
        yield base, routes, ports
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.communicate(timeout=30)
        for process, _url in processes:
            process.terminate()
        for process, _url in processes:
            process.wait(15)
            process.stderr.close()


async def test_sockets_on_one_process_hear_an_event_caused_on_the_other_through_nginx(
        behind_nginx: tuple[str, dict[str, list[str]], dict[str, int]], redis_url: str, shared_session: tuple[str, dict[str, Any]],
        probes: Any) -> None:
    base, routes, ports = behind_nginx
    cookie = shared_session[0]
    over_websocket = await probes(routes["a"][0]).connect(base, cookie=cookie)
    second = await probes(routes["a"][-1]).connect(base, cookie=cookie)
    await _listening(redis_url)
    connector = aiohttp.TCPConnector(local_addr=(routes["b"][0], 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token = await _api_sign_in(http, base)
        async with http.post(f"{base}/api/v1/notifications/read-all",
                             headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.headers["X-Upstream"] == f"127.0.0.1:{ports['b']}", "the event is caused on b"
            assert await response.json() == {"changed": 1, "unread": 0}
    assert await over_websocket.next("notifications:unread") == {"unread": 0}
    assert await second.next("notifications:unread") == {"unread": 0}
