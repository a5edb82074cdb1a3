"""Redirects to a target the request names (``next``) stay on this site, by one rule.

The property test resolves each target the way a browser does (the WHATWG URL standard for an
``https`` base: leading and trailing C0 controls and spaces stripped, tabs and newlines removed,
``\\`` read as ``/``), so "on this site" means what a browser would do, not what Python's URL
parser thinks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from aiohttp.test_utils import TestClient
from hypothesis import given, strategies as st

from community.requests import local_target
from tests.conftest import csrf_token
from tests.factories import make_user, sign_in

BASE = "https://community.example/forums/t/1"

ATTACKS = ["//evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "/\t/evil.example",
           "/\n/evil.example", "/\r/evil.example", " //evil.example", "\t//evil.example", "/%5Cevil.example",
           "/%2F/evil.example", "/%09/evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example",
           "/ok\r\nSet-Cookie: x=1", "/\x00/evil.example", "/\u2028/evil.example", "/\u200b/evil.example", ""]


def browser_resolves(target: str) -> str:
    """The URL a browser goes to for ``Location: target`` on a page at :data:`BASE`."""
    cleaned = re.sub(r"[\t\n\r]", "", target.strip("".join(map(chr, range(0x21))))).replace("\\", "/")
    return urljoin(BASE, cleaned)


def on_site(target: str) -> bool:
    return urlsplit(browser_resolves(target)).netloc == urlsplit(BASE).netloc


@given(st.text(alphabet=st.sampled_from("/\\\t\n\r %2F5Cc09:.@evil-x?#\x00\u2028\u200b"), max_size=16))
def test_the_target_a_browser_resolves_is_always_on_this_site(target: str) -> None:
    chosen = local_target(target, "/home")
    assert on_site(chosen), repr(target)
    assert chosen == "/home" or chosen == target
    assert not re.search(r"[\x00-\x20\x7f]", chosen), "a Location header must carry no control or space character"


@given(st.text(max_size=40))
def test_arbitrary_text_never_leads_off_site(target: str) -> None:
    assert on_site(local_target("/" + target))
    assert on_site(local_target(target))


def test_known_tricks_fall_back_and_plain_paths_pass() -> None:
    for attack in ATTACKS:
        assert local_target(attack, "/fallback") == "/fallback", repr(attack)
    for path in ("/", "/forums/t/5?cursor=abc#post-3", "/people/a%20b", "/search?q=%E0%A4%95"):
        assert local_target(path) == path
    assert local_target(None) == "/" and local_target(["/"]) == "/"


async def test_sign_in_never_sends_the_browser_off_site(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    for attack in ("/%5Cevil.example", "//evil.example", "/%09/evil.example"):
        client.session.cookie_jar.clear()
        page = await client.get(f"/login?next={attack}")
        assert '<input type="hidden" name="next" value="/">' in await page.text()
        token = await csrf_token(client, "/login")
        response = await client.post(f"/login?next={attack}",
                                     data={"email": user["email"], "password": "correct horse battery",
                                           "csrf_token": token, "next": attack.replace("%5C", "\\").replace("%09", "\t")},
                                     allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/", attack


async def test_the_language_switch_refuses_tricks_and_control_characters(client: TestClient) -> None:
    token = await csrf_token(client)
    for target in ("/\\evil.example", "/\t/evil.example", "/ok\r\nX-Injected: 1", "/\n/evil.example", "/\x01"):
        response = await client.post("/language", data={"lang": "hi", "next": target, "csrf_token": token},
                                     allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/", repr(target)
        assert "X-Injected" not in response.headers
    kept = await client.post("/language", data={"lang": "hi", "next": "/forums?sort=new", "csrf_token": token},
                             allow_redirects=False)
    assert kept.headers["Location"] == "/forums?sort=new"


async def test_marking_notifications_read_returns_only_to_this_site(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db))
    token = await csrf_token(client, "/notifications")
    for target in ("/\\evil.example", "/\t/evil.example", "/\r\n/evil.example", "//evil.example"):
        response = await client.post("/notifications/read-all", data={"next": target, "csrf_token": token},
                                     allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/notifications", repr(target)
