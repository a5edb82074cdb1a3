"""Debian's nginx, running the shipped ``deploy/nginx.conf`` (rendered with the test's ports and
paths, its TLS block left out), in front of a real ``run.py``: the configuration is valid, nginx
serves static files itself with long cache lifetimes, and sign-in throttling counts the client's
address that nginx appends to ``X-Forwarded-For`` (``TRUSTED_PROXIES``), not nginx's own."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import TOKEN_PATTERN
from tests.processes import ROOT, free_port, start_run_py, wait_until_serving

pytestmark = pytest.mark.slow

NGINX = "/usr/sbin/nginx"
TLS_BLOCK = re.compile(r"[ \t]*# BEGIN TLS\n.*?# END TLS\n", re.DOTALL)
UPSTREAM_SERVERS = re.compile(r"([ \t]*)server 127\.0\.0\.1:\d+ (max_fails[^;]*;)\n(?:[ \t]*server 127\.0\.0\.1:\d+ [^;]*;\n)*")


def require_nginx() -> None:
    """Skip without Debian's nginx; under ``CI=true`` fail instead."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NGINX} is missing; CI must install Debian's nginx")
        pytest.skip("install Debian's nginx to run the tests of deploy/nginx.conf")


def render(work: Path, listen: int, upstreams: list[int]) -> str:
    """``deploy/nginx.conf`` for this test: plain HTTP on ``listen``, its upstream ``upstreams``,
    static files from the checkout, and every file nginx writes inside ``work``."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    blocks = TLS_BLOCK.findall(text)
    assert len(blocks) == 2, "the TLS parts of deploy/nginx.conf are marked BEGIN TLS / END TLS"
    redirect, listen_tls = blocks  # the port-80 server that redirects, then the TLS listener
    text = text.replace(redirect, "").replace(listen_tls, f"        listen 127.0.0.1:{listen};\n")
    text, found = UPSTREAM_SERVERS.subn(
        lambda match: "".join(f"{match.group(1)}server 127.0.0.1:{port} {match.group(2)}\n" for port in upstreams), text)
    assert found == 1
    replacements = {
        "pid /run/nginx.pid;": f"pid {work}/nginx.pid;",
        "error_log /var/log/nginx/error.log warn;": f"error_log {work}/error.log warn;",
        "access_log /var/log/nginx/access.log;": (
            f"access_log {work}/access.log;\n    client_body_temp_path {work}/body;\n"
            f"    proxy_temp_path {work}/proxy;\n    fastcgi_temp_path {work}/fastcgi;\n"
            f"    uwsgi_temp_path {work}/uwsgi;\n    scgi_temp_path {work}/scgi;"),
        "alias /opt/community/static/;": f"alias {ROOT}/static/;",
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[str]:
    """nginx on a free port in front of one ``run.py`` that trusts it; yields nginx's address."""
    require_nginx()
    app_port, listen = free_port(), free_port()
    work = tmp_path / "nginx"
    work.mkdir()
    config = work / "nginx.conf"
    config.write_text(render(work, listen, [app_port]))
    checked = subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(config), "-e", str(work / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = start_run_py(tmp_path / "data", app_port, TRUSTED_PROXIES="127.0.0.1", LOG_LEVEL="WARNING")
    nginx = subprocess.Popen([NGINX, "-p", str(work), "-c", str(config), "-e", str(work / "error.log"),
                              "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(app_port, server)
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{listen}/healthz", timeout=1):
                    break
            except OSError:
                assert nginx.poll() is None, nginx.communicate()[1]
                assert time.monotonic() < deadline, "nginx did not answer"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{listen}"
    finally:
        for process in (nginx, server):
            process.terminate()
            process.communicate(timeout=30)


async def test_nginx_serves_static_files_for_a_year(proxied: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{proxied}/forums") as page:
            assert page.status == 200
            stylesheet = re.search(r'href="(/static/css/site\.css\?v=[^"]+)"', await page.text())
        assert stylesheet, "the page links its stylesheet under a content-hashed address"
        async with http.get(proxied + stylesheet.group(1)) as response:
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=31536000" in response.headers["Cache-Control"]
            assert "Content-Security-Policy" not in response.headers, "nginx answered, not the app"
            assert await response.read() == (ROOT / "static" / "css" / "site.css").read_bytes()


async def _sign_in(proxied: str, source: str, email: str) -> int:
    """A failed sign-in from the loopback address ``source``, as a browser sends it."""
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{proxied}/login") as page:
            token = TOKEN_PATTERN.search(await page.text())
        assert token
        async with http.post(f"{proxied}/login", data={"email": email, "password": "not the password",
                                                       "csrf_token": token.group(1)}) as response:
            return response.status


async def test_sign_in_throttling_counts_the_client_not_nginx(proxied: str) -> None:
    """Failures for one address and e-mail are throttled as that pair; a second client's
    address through the same nginx is another pair, so it is not throttled. Were the server to
    see nginx's address, both clients would be one pair."""
    statuses = [await _sign_in(proxied, "127.0.0.2", "asha@railways.gov.in") for _ in range(7)]
    assert statuses[-1] == 429 and 429 not in statuses[:5]
    assert await _sign_in(proxied, "127.0.0.3", "asha@railways.gov.in") != 429
