"""Replying over the socket is held to the app's forum limits, whatever the environment says."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from community.forums.limits import ForumLimits
from community.forums.queries import POSTS
from tests.forums.conftest import RELAXED, Forum
from tests.realtime.probe import SocketProbe, server_url

LINKED = "The rules are on [the GeM portal](https://gem.gov.in/) under bid evaluation."


@pytest.mark.parametrize(("limits", "environment", "accepted"), [
    (replace(RELAXED, links_per_post=0, new_member_links_per_post=0), "25", False),
    (replace(RELAXED, links_per_post=25, new_member_links_per_post=25), "0", True),
], ids=["app-refuses-links", "app-allows-links"])
async def test_a_socket_reply_follows_the_links_limit_the_app_holds(
        client: TestClient, forum: Forum, probe: SocketProbe, monkeypatch: pytest.MonkeyPatch,
        limits: ForumLimits, environment: str, accepted: bool) -> None:
    for name in ("FORUM_LINKS_PER_POST", "FORUM_NEW_MEMBER_LINKS_PER_POST"):
        monkeypatch.setenv(name, environment)  # set once the app is built: it must not matter
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    await probe.connect(server_url(client), token=bala["token"])

    ack = await probe.call("forum:reply", {"thread_id": thread["id"], "body": LINKED})

    assert ack["ok"] is accepted, ack
    if not accepted:
        assert ack["error"]["status"] == 422
        assert ack["error"]["errors"] == [{"field": "body", "message": "Use at most 0 links in a post for now."}]
    assert await forum.db[POSTS].count_documents({"author_id": bala["_id"]}) == int(accepted)
