"""Every socket message is validated like HTTP input; a connection that keeps breaking the limits is closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.errors import RateLimited
from community.realtime.guard import ConnectionGuard, SocketLimits
from community.realtime.server import LIMITS
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def _connect(client: TestClient, db: Any, probes: Probes) -> tuple[SocketProbe, dict[str, Any]]:
    user = await make_user(db)
    return await probes().connect(server_url(client), token=await bearer_token(db, user)), user


@pytest.mark.parametrize(("data", "field"), [
    ({"room": "org:nothex"}, "room"),
    ({"room": "planet:0123456789abcdef01234567"}, "room"),
    ({}, "room"),
    ({"room": "org:0123456789abcdef01234567", "extra": 1}, "extra"),
    ("org:0123456789abcdef01234567", "data"),
])
async def test_a_malformed_join_is_refused_with_the_field_named(client: TestClient, db: Any, probes: Probes,
                                                                data: Any, field: str) -> None:
    probe, _user = await _connect(client, db, probes)
    ack = await probe.call("join", data)
    assert ack["ok"] is False and ack["error"]["status"] == 422
    assert [error["field"] for error in ack["error"]["errors"]] == [field]


async def test_an_unknown_event_is_refused(client: TestClient, db: Any, probes: Probes) -> None:
    probe, _user = await _connect(client, db, probes)
    ack = await probe.call("shutdown_everything", {})
    assert ack["ok"] is False and ack["error"]["errors"] == [{"field": "event", "message": "This kind of message is not understood."}]


async def test_a_message_over_the_size_limit_is_refused(client: TestClient, db: Any, probes: Probes) -> None:
    probe, user = await _connect(client, db, probes)
    limit = client.app[LIMITS].max_message_bytes
    ack = await probe.call("join", {"room": f"org:{user['org_id']}", "padding": "x" * limit})
    assert ack["ok"] is False and ack["error"]["errors"][0] == {"field": "data", "message": "This message is too large."}
    assert probe.sio.connected


async def test_a_connection_that_keeps_breaking_the_limits_is_closed(client: TestClient, db: Any,
                                                                     probes: Probes) -> None:
    probe, user = await _connect(client, db, probes)
    limits = client.app[LIMITS]
    room = {"room": f"org:{user['org_id']}"}
    sent = limits.burst + limits.max_strikes + 5
    acks = await asyncio.gather(*(probe.sio.call("join", room, timeout=5) for _ in range(limits.burst)))
    assert all(ack["ok"] for ack in acks)
    for _ in range(sent - limits.burst):
        await probe.sio.emit("join", room)
    refused = await probe.next("refused")
    assert refused["status"] == 429 and "closed" in refused["detail"]
    await asyncio.wait_for(probe.disconnected.wait(), 5)
    assert not probe.sio.connected


def test_the_bucket_refills_with_time() -> None:
    now = [0.0]
    guard = ConnectionGuard(SocketLimits(rate_per_second=2, burst=2), clock=lambda: now[0])
    guard.admit(({},))
    guard.admit(({},))
    with pytest.raises(RateLimited):
        guard.admit(({},))
    now[0] = 0.5
    guard.admit(({},))
    assert guard.strike() is False
