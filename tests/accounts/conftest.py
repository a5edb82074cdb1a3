"""Fixtures for accounts tests: a real SMTP server (aiosmtpd) and extra browsers on one server."""

from __future__ import annotations

import asyncio
import email
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from aiosmtpd.smtp import SMTP, Envelope, Session

from community.app import create_app
from community.config import Settings, SmtpSettings

CODE = re.compile(r"\b([0-9]{6})\b")


@dataclass
class Inbox:
    """Messages a real SMTP server received during the test."""

    messages: list[email.message.Message] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 Message accepted for delivery"

    def last_code(self, to: str) -> str:
        for message in reversed(self.messages):
            if message["To"] == to:
                match = CODE.search(message.get_payload(decode=True).decode())
                assert match, "the e-mail holds no 6-digit code"
                return match.group(1)
        raise AssertionError(f"no e-mail to {to}")


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Inbox, int]]:
    """aiosmtpd on this test's event loop, on a free port; the app's smtplib runs in a thread."""
    inbox = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox, hostname="localhost"), "127.0.0.1", 0)
    yield inbox, server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.fixture
def smtp_settings(settings: Settings, smtp_server: tuple[Inbox, int]) -> Settings:
    return replace(settings, smtp=SmtpSettings(host="127.0.0.1", port=smtp_server[1], username=None, password=None,
                                               starttls=False, sender="no-reply@community.example"))


@pytest.fixture
async def mail_client(aiohttp_client: Callable[..., Any], smtp_settings: Settings) -> TestClient:
    """A client for an app that sends e-mail through the real local SMTP server."""
    return await aiohttp_client(create_app(smtp_settings))


@pytest.fixture
def inbox(smtp_server: tuple[Inbox, int]) -> Inbox:
    return smtp_server[0]


@pytest.fixture
async def another_browser(client: TestClient) -> AsyncIterator[Callable[[], TestClient]]:
    """Make more browsers (separate cookie jars) talking to the same running server."""
    made: list[TestClient] = []

    def make() -> TestClient:
        browser = TestClient(client.server, cookie_jar=aiohttp.CookieJar(unsafe=True))
        made.append(browser)
        return browser

    yield make
    for browser in made:
        await browser.session.close()


