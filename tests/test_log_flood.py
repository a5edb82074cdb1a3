"""Requests and socket frames anyone can send that the server cannot parse: each is refused and
logged as one throttled warning line without a traceback, over real sockets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.logs import Throttled
from community.middlewares import MALFORMED_REQUESTS
from community.realtime.frames import MALFORMED_FRAMES
from tests.factories import make_user, sign_in
from tests.realtime.probe import session_cookie, server_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _loud(records: list[logging.LogRecord]) -> list[str]:
    return [f"{record.name}: {record.getMessage()}" for record in records
            if record.levelno >= logging.ERROR or record.exc_info]


def _warnings(records: list[logging.LogRecord], message: str) -> list[logging.LogRecord]:
    return [record for record in records if record.getMessage() == message and record.levelno == logging.WARNING]


def test_the_throttle_logs_at_most_its_budget_a_minute_then_says_how_many_it_left_out() -> None:
    logger = logging.getLogger("community.test-throttle")
    clock = Clock()
    handler = Collected()
    lines = handler.records
    logger.addHandler(handler)
    try:
        throttle = Throttled(logger, "something malformed", per_minute=3, clock=clock)
        for _ in range(10):
            throttle(peer="192.0.2.1")
        assert len(lines) == 3 and throttle.seen == 10
        assert all(line.levelno == logging.WARNING and not line.exc_info for line in lines)
        clock.now += 59
        throttle(peer="192.0.2.1")
        assert len(lines) == 3
        clock.now += 1
        throttle(peer="192.0.2.1")
        assert len(lines) == 4 and lines[-1].__dict__["suppressed"] == 8
        throttle(peer="192.0.2.1")
        assert not hasattr(lines[-1], "suppressed") and throttle.seen == 13
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("request_bytes", [
    b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\x01: y\r\n\r\n",
], ids=["request-line", "header", "bad-header"])
async def test_an_unparseable_request_is_a_400_and_one_warning(client: TestClient, caplog: pytest.LogCaptureFixture,
                                                               request_bytes: bytes) -> None:
    caplog.set_level(logging.WARNING)
    before = MALFORMED_REQUESTS.seen
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(request_bytes)
        await writer.drain()
        answer = await reader.read(100)
    finally:
        writer.close()
        await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    assert MALFORMED_REQUESTS.seen == before + 1
    assert not _loud(caplog.records)
    if MALFORMED_REQUESTS.suppressed == 0:
        assert _warnings(caplog.records, "malformed request refused")


GARBAGE = ["", "9xyz", "4garbage", "4[", '42["x"', "40{bad", "4\x00", "4" + "[" * 1000, "3" + "[" * 1000 + "]" * 1000,
           '451-["x",{"_placeholder":true,"num":0}]', "44{}", "bAAAA",
           # an event with no data, data that is not a list, no name, or the name of a handler of python-socketio's own
           "4", "42", "42{}", "42[]", "42[1]", '42["disconnect",{}]', '42["connect",{}]', '421["connect_error"]']


async def test_an_undecodable_socket_frame_closes_that_socket_with_one_warning(client: TestClient, db: Any,
                                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await sign_in(client, await make_user(db))
    url = f"{server_url(client)}/socket.io/?EIO=4&transport=websocket"
    before = MALFORMED_FRAMES.seen
    async with aiohttp.ClientSession() as http:
        for frame in [*GARBAGE, b"\xff\xfe"]:
            async with http.ws_connect(url, headers={"Cookie": f"session={session_cookie(client)}"}) as ws:
                opened = await ws.receive(timeout=5)
                assert opened.data.startswith("0{")
                await ws.send_str("40")
                assert (await ws.receive(timeout=5)).data.startswith("40{"), "a well-formed connect is answered"
                await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
                closed = await ws.receive(timeout=5)
                assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), repr(frame)
    assert MALFORMED_FRAMES.seen == before + len(GARBAGE) + 1
    assert not _loud(caplog.records)
    assert _warnings(caplog.records, "malformed socket frame refused") or MALFORMED_FRAMES.suppressed


async def test_an_undecodable_polling_post_closes_that_socket_with_one_warning(client: TestClient, db: Any,
                                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await sign_in(client, await make_user(db))
    url = f"{server_url(client)}/socket.io/?EIO=4&transport=polling"
    cookie = {"Cookie": f"session={session_cookie(client)}"}
    before = MALFORMED_FRAMES.seen
    bodies = [frame.encode() for frame in GARBAGE] + [b"\xff\xfe", "\x1e".join(["3"] * 17).encode()]
    async with aiohttp.ClientSession() as http:
        for body in bodies:
            async with http.get(url, headers=cookie) as opened:
                text = await opened.text()
            sid = text[text.index('"sid":"') + 7:].split('"', 1)[0]
            async with http.post(f"{url}&sid={sid}", data=b"40", headers=cookie) as connected:
                assert connected.status == 200
            async with http.post(f"{url}&sid={sid}", data=body, headers=cookie) as refused:
                assert refused.status == 200, "answered as a hang-up"
            engine = client.app[keys.SIO].eio.sockets.get(sid)
            assert engine is None or engine.closed, repr(body)
    assert MALFORMED_FRAMES.seen == before + len(bodies)
    assert not _loud(caplog.records)
    assert _warnings(caplog.records, "malformed socket frame refused") or MALFORMED_FRAMES.suppressed
