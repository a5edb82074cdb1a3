"""What one reply reads: the write already holds what its response shows, and its notification
excerpt comes from the HTML it rendered, not from a second rendering of the Markdown."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.forums import markdown, reply as reply_service
from community.storage.client import EmbeddedCollection
from tests.forums.conftest import Forum


async def test_a_replys_response_reads_only_its_authors_name(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await forum.reply(thread, bala, "A first reply, so the second finds a warm store.")
    read: Counter[str] = Counter()
    original = EmbeddedCollection._query

    async def query(collection: EmbeddedCollection, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        if task is not None and task.get_name().startswith("Task-"):  # the request, not the notifier or indexer
            read[collection.name] += 1
        return await original(collection, *args, **kwargs)

    monkeypatch.setattr(EmbeddedCollection, "_query", query)
    reply = await forum.reply(thread, bala, "The second reply, **counted**.")
    assert reply["number"] == 3 and reply["author"]["id"] == str(bala["_id"]) and reply["voted"] is False
    assert "<strong>counted</strong>" in reply["html"]
    assert read["forum_votes"] == 0, "a post written a moment ago has no votes to read"
    assert read["forum_posts"] == 1, f"only the duplicate check reads posts, not the response: {dict(read)}"
    assert read["forum_threads"] == 1, f"only the access check reads the thread: {dict(read)}"


async def test_a_replys_notification_excerpt_renders_the_markdown_once(
        client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    rendered: list[str] = []
    original = markdown.render
    monkeypatch.setattr(markdown, "render", lambda source: rendered.append(source) or original(source))
    monkeypatch.setattr(reply_service, "render", markdown.render)
    await forum.reply(thread, bala, "Rendered *once* in the request.")
    assert rendered == ["Rendered *once* in the request."]
