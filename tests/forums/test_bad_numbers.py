"""Numbers in a thread's addresses and forms that are not numbers ``int`` reads (``²``, ``--1``,
5,000 digits): each is a page or a clear refusal, never a server error."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.forums.queries import POSTS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum

NOT_NUMBERS = ["²", "--1", "9" * 5000, "-3", "1.5", "0x10"]


async def test_a_thread_page_reads_quote_and_reply_to_only_when_they_are_numbers(
        client: TestClient, forum: Forum, caplog: pytest.LogCaptureFixture) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha)
    await sign_in(client, asha)
    for value in NOT_NUMBERS:
        for name in ("quote", "reply_to"):
            response = await client.get(f"/forums/t/{thread['id']}", params={name: value})
            assert response.status == 200, (name, value[:10])
    quoted = await (await client.get(f"/forums/t/{thread['id']}", params={"quote": "1"})).text()
    assert "&gt; " in quoted, "a real post number still quotes the post"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_post_number_that_is_not_one_is_not_found(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    thread = await forum.thread(category, await forum.person())
    for value in ("9" * 5000, "²", "0"):
        for suffix in ("", "/fragment"):
            response = await client.get(f"/forums/t/{thread['id']}/p/{value}{suffix}", allow_redirects=False)
            assert response.status == 404, (value[:10], suffix)
    assert (await client.get(f"/forums/t/{thread['id']}/p/१", allow_redirects=False)).status == 303, \
        "a number in Devanagari digits is a number"


async def test_a_reply_to_and_an_accepted_number_that_are_not_numbers_are_refused(client: TestClient,
                                                                                   forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha)
    await forum.reply(thread, await forum.person(), "A reply to accept.")
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    posts = await client.app[keys.DB][POSTS].count_documents({})
    for value in ("--1", "²", "9" * 5000):
        reply = await client.post(f"/forums/t/{thread['id']}/reply", data={
            "csrf_token": token, "body": f"Replying to {value[:5]}", "reply_to": value})
        assert reply.status == 422, value[:10]
        accepted = await client.post(f"/forums/t/{thread['id']}/accept", data={"csrf_token": token, "number": value})
        assert accepted.status == 422, value[:10]
    assert await client.app[keys.DB][POSTS].count_documents({}) == posts
