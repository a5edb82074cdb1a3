"""Socket event handlers belong to the app whose features registered them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.app import create_app
from community.config import Settings
from community.realtime.server import HANDLERS, add_handler
from community.realtime.sockets import RealtimeNamespace
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url


async def echo(namespace: RealtimeNamespace, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {"echo": data.get("text")}


async def _signed_in_probe(client: TestClient, probes: Callable[[], SocketProbe]) -> SocketProbe:
    token = await bearer_token(client.app[keys.DB], await make_user(client.app[keys.DB]))
    return await probes().connect(server_url(client), token=token)


async def test_two_apps_in_one_process_answer_only_the_events_each_registered(
        aiohttp_client: Callable[..., Any], settings: Settings, probes: Callable[[], SocketProbe],
        tmp_path: Path) -> None:
    first, second = create_app(settings), create_app(replace(settings, data_dir=tmp_path / "second"))
    add_handler(first, "test:echo", echo)
    assert "forum:reply" in first[HANDLERS] and "forum:reply" in second[HANDLERS]
    assert "test:echo" not in second[HANDLERS]

    heard_by_first = await _signed_in_probe(await aiohttp_client(first), probes)
    heard_by_second = await _signed_in_probe(await aiohttp_client(second), probes)

    assert await heard_by_first.call("test:echo", {"text": "hello"}) == {"ok": True, "echo": "hello"}
    refused = await heard_by_second.call("test:echo", {"text": "hello"})
    assert refused["ok"] is False and refused["error"]["status"] == 422
    assert refused["error"]["errors"] == [{"field": "event", "message": "This kind of message is not understood."}]


def test_an_event_has_one_handler_and_connecting_is_the_namespaces_own(settings: Settings) -> None:
    app = create_app(settings)
    with pytest.raises(ValueError, match="forum:reply"):
        add_handler(app, "forum:reply", echo)
    for event in ("connect", "disconnect"):
        with pytest.raises(ValueError, match=event):
            add_handler(app, event, echo)
