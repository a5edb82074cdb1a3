"""Fixtures for notifications: socket clients, and a real SMTP server (aiosmtpd) for the digest."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.realtime.probe import SocketProbe


@pytest.fixture
async def probes() -> AsyncIterator[Callable[[], SocketProbe]]:
    made: list[SocketProbe] = []

    def make() -> SocketProbe:
        probe = SocketProbe()
        made.append(probe)
        return probe

    yield make
    for probe in made:
        await probe.close()


@dataclass
class Inbox:
    """What the real SMTP server received: (envelope recipients, parsed message)."""

    messages: list[tuple[list[str], email.message.Message]] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 Try again later"
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.Message]:
        return [message for recipients, message in self.messages if address in recipients]


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Inbox, int]]:
    """aiosmtpd on this test's event loop on a free port; the mailer's smtplib runs in a thread."""
    inbox = Inbox()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(inbox, hostname="localhost"), "127.0.0.1", 0)
    yield inbox, server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
