"""The signed-in thread page (never cached whole): what it costs per request, and that cutting
the cost leaves the page the same."""

from __future__ import annotations

import os
import re

import jinja2
import pytest
from aiohttp.test_utils import TestClient
from aiohttp.web_urldispatcher import StaticResource

from tests.factories import sign_in
from tests.forums.conftest import Forum


async def _signed_in_thread(client: TestClient, forum: Forum, *, replies: int = 1) -> str:
    """The address of a thread whose author is now signed in, with ``replies`` replies."""
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha)
    for _ in range(replies):
        await forum.reply(thread, await forum.person(), "A reply so the page has two posts.")
    await sign_in(client, asha)
    return f"/forums/t/{thread['id']}"


async def test_static_files_are_hashed_once_not_on_every_page(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    path = await _signed_in_thread(client, forum)
    first = await (await client.get(path)).text()
    hashed: list[bytes] = []
    original = StaticResource._get_file_hash
    monkeypatch.setattr(StaticResource, "_get_file_hash", staticmethod(lambda data: hashed.append(data) or original(data)))
    second = await (await client.get(path)).text()
    assert hashed == [], "every static URL on the page was hashed again"
    assert second == first
    static = client.app.router["static"]
    for filename in ("css/site.css", "favicon.svg", "js/realtime.js", "js/search.js"):
        assert f'"{static.url_for(filename=filename)}"' in second, filename
    assert re.search(r'/static/css/site\.css\?v=[\w-]+', second), "the URL still carries the content's hash"


async def test_templates_are_loaded_once_not_checked_on_every_page(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    path = await _signed_in_thread(client, forum, replies=0)
    first = await (await client.get(path)).text()
    checked: list[str] = []
    original = os.path.getmtime
    monkeypatch.setattr(os.path, "getmtime", lambda path: checked.append(str(path)) or original(path))
    second = await (await client.get(path)).text()
    assert [seen for seen in checked if seen.endswith(".html")] == [], "a template file was looked at again"
    assert second == first


async def test_a_page_reads_the_keys_of_dicts_without_trying_attributes_first(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    path = await _signed_in_thread(client, forum)
    first = await (await client.get(f"{path}?reply_to=2")).text()
    tried: list[str] = []
    original = jinja2.Environment.getattr
    monkeypatch.setattr(jinja2.Environment, "getattr", lambda self, obj, attribute: (
        tried.append(attribute) if type(obj) is dict and not hasattr(dict, attribute) else None) or original(self, obj, attribute))
    second = await (await client.get(f"{path}?reply_to=2")).text()
    assert tried == [], f"looked up as attributes first: {sorted(set(tried))[:10]}"
    assert second == first
