"""Crafted cursors on every paginated route, page and API: each is refused naming ``cursor``
(a 422), never handed to a query. Integers beyond 64 bits made the storage engine's key encoder
raise ``OverflowError`` (a 500); MongoDB cannot store them either."""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp.test_utils import TestClient

from community import api
from tests.factories import bearer_token, make_user

BEYOND_64_BITS = 2**70


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


CRAFTED = {
    "huge-number": api.encode_cursor({"n": BEYOND_64_BITS}),
    "huge-everywhere": api.encode_cursor({key: BEYOND_64_BITS for key in
                                          ("n", "id", "at", "name", "last_activity_at", "created_at", "_id", "score")}),
    "huge-in-a-date": api.encode_cursor({"last_activity_at": {"$date": BEYOND_64_BITS}, "_id": {"$oid": BEYOND_64_BITS}}),
    "deep": _raw("[" * 1000 + "]" * 1000),
    "huge-digits": _raw('{"n": 1' + "0" * 5000 + "}"),
    "not-base64": "%%%",
    "not-utf8": base64.urlsafe_b64encode(b'{"n": "\xff"}').decode(),
}

ROUTES = ["/api/v1/forums/threads/{thread}", "/forums/t/{thread}", "/api/v1/forums/categories/procurement/threads",
          "/forums/c/procurement", "/forums/c/procurement?sort=top", "/api/v1/notifications", "/notifications",
          "/api/v1/admin/people", "/admin/people", "/api/v1/admin/audit", "/admin/audit", "/api/v1/organisations",
          "/api/v1/network/lists/followers", "/network/lists/connections"]


@pytest.fixture
async def thread_and_headers(client: TestClient, db: Any) -> tuple[str, dict[str, str]]:
    admin = await make_user(db, roles=("admin",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, admin)}"}
    created = await client.post("/api/v1/forums/categories", json={"name": "Procurement", "slug": "procurement"},
                                headers=headers)
    assert created.status == 201, await created.text()
    thread = await client.post("/api/v1/forums/categories/procurement/threads", headers=headers,
                               json={"title": "How to handle a single bid?", "kind": "question",
                                     "body": "Only one bid arrived for our tender. What did you do?"})
    assert thread.status == 201, await thread.text()
    return (await thread.json())["thread"]["id"], headers


@pytest.mark.parametrize("crafted", sorted(CRAFTED))
async def test_every_paginated_route_refuses_a_crafted_cursor(client: TestClient, caplog: pytest.LogCaptureFixture,
                                                              thread_and_headers: tuple[str, dict[str, str]],
                                                              crafted: str) -> None:
    caplog.set_level(logging.WARNING)
    thread_id, headers = thread_and_headers
    for route in ROUTES:
        path, _, query = route.format(thread=thread_id).partition("?")
        response = await client.get(path, params={**dict(parse_qsl(query)), "cursor": CRAFTED[crafted]}, headers=headers)
        assert response.status == 422, f"{path}: {response.status}"
        if path.startswith(api.PREFIX):
            problem = await response.json(content_type=None)
            assert [error["field"] for error in problem["errors"]] == ["cursor"], path
        else:
            assert "This cursor is not valid" in await response.text(), path
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]


async def test_the_largest_64_bit_cursor_is_read_and_answers_an_empty_page(
        client: TestClient, thread_and_headers: tuple[str, dict[str, str]]) -> None:
    thread_id, headers = thread_and_headers
    response = await client.get(f"/api/v1/forums/threads/{thread_id}", params={"cursor": api.encode_cursor({"n": 2**63 - 1})},
                                headers=headers)
    assert response.status == 200
    assert (await response.json())["posts"] == []


def test_decoding_keeps_what_encoding_made() -> None:
    position = {"n": 42, "id": "0123456789abcdef01234567", "at": "2026-12-01T10:00:00"}
    assert api.decode_cursor(api.encode_cursor(position)) == position
    assert api.decode_cursor(None) is None and api.decode_cursor("") is None
