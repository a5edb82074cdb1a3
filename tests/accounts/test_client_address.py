"""Sign-in throttling per client address behind a reverse proxy (``TRUSTED_PROXIES``).

The test client connects from 127.0.0.1, which plays the proxy: with the setting, the client is
the address the proxy appended to ``X-Forwarded-For``; without it, the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient

from community.accounts import login
from community.app import create_app
from community.config import Settings
from community.middlewares import client_address

PROXY = (ipaddress.ip_network("127.0.0.0/8"),)


async def failed_sign_in(client: TestClient, forwarded_for: str, attempt: int) -> int:
    """One sign-in with an unknown address each time, so only the per-address limit can refuse it."""
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    response = await client.post("/api/v1/accounts/login",
                                 json={"email": f"nobody{attempt}@example.gov.in", "password": "not the password"},
                                 headers={"X-CSRF-Token": token, "X-Forwarded-For": forwarded_for})
    return response.status


async def use_up_address_limit(client: TestClient, forwarded_for: str) -> None:
    for attempt in range(login.ATTEMPTS_PER_ADDRESS):
        assert await failed_sign_in(client, forwarded_for, attempt) == 422


async def test_clients_behind_a_trusted_proxy_are_throttled_apart(aiohttp_client: Callable[..., Any],
                                                                   settings: Settings) -> None:
    client = await aiohttp_client(create_app(replace(settings, trusted_proxies=PROXY)))
    await use_up_address_limit(client, "198.51.100.7, 203.0.113.5")
    assert await failed_sign_in(client, "203.0.113.5", 100) == 429
    assert await failed_sign_in(client, "203.0.113.6", 101) == 422, "another client behind the proxy is not blocked"
    assert await failed_sign_in(client, "198.51.100.7, 203.0.113.6", 102) == 422, \
        "what the client wrote left of the proxy's entry is not its address"


async def test_without_trusted_proxies_the_header_cannot_escape_the_throttle(client: TestClient) -> None:
    await use_up_address_limit(client, "203.0.113.5")
    assert await failed_sign_in(client, "203.0.113.99", 100) == 429, "a made-up X-Forwarded-For changes nothing"


def test_the_right_most_untrusted_hop_is_the_client() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.0.2.1/32"))
    assert client_address("192.0.2.1", ["203.0.113.5, 10.1.2.3"], proxies) == "203.0.113.5"
    assert client_address("192.0.2.1", ["1.1.1.1, 203.0.113.5", "10.1.2.3"], proxies) == "203.0.113.5"
    assert client_address("::ffff:192.0.2.1", ["203.0.113.5"], proxies) == "203.0.113.5"
    assert client_address("192.0.2.1", ["10.9.9.9, 10.1.2.3"], proxies) == "10.9.9.9", "all proxies: the farthest"
    assert client_address("192.0.2.1", ["203.0.113.5, not-an-address"], proxies) == "192.0.2.1"
    assert client_address("192.0.2.1", [], proxies) == "192.0.2.1"
    assert client_address("198.51.100.1", ["203.0.113.5"], proxies) == "198.51.100.1", "only proxies are believed"
