"""Fixtures for notifications: socket clients, and a real SMTP server (aiosmtpd) for the digest."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from bson import ObjectId

from community import actions, keys
from community.notifications import kinds
from community.notifications.intents import SUBJECTS, person
from community.notifications.notifier import Notifier
from community.notifications.routes import NOTIFIER
from community.policy import Actor
from tests.factories import bare_app


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


NOTE = "note"
"""A kind these tests register for themselves: its text is the ``text`` parameter, verbatim."""


@pytest.fixture(autouse=True)
def note_kind() -> Iterator[str]:
    """Register the ``note`` kind and the ``note`` subject (everyone may see it) for one test."""
    kinds.register(NOTE, label="Notes", text=lambda params, actor: params["text"], url=lambda params: params["url"])
    SUBJECTS[NOTE] = _everyone
    yield NOTE
    del kinds.KINDS[NOTE]
    del SUBJECTS[NOTE]


async def _everyone(db: Any, subject_id: Any, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    return people


async def tell(app: Any, user: dict[str, Any], text: str, *, kind: str = NOTE, subject: Any = None,
               by: ObjectId | None = None, url: str = "/forums") -> None:
    """Notify ``user`` as a feature does (an intent in an action by ``by``), then let the
    notifier deliver it: the app's own notifier, or one made here for a bare store."""
    target = app if isinstance(app, Mapping) else bare_app(app)
    actor = Actor(user_id=by or ObjectId())
    async with actions.begin(target, actor) as tx:
        await tx.notify(kind, to=person(user["_id"]), subject=(NOTE, subject or ObjectId()),
                        params={"text": text, "url": url})
    notifier = target.get(NOTIFIER) or Notifier(target[keys.DB], target.get(keys.EMITTER), target[keys.CLOCK])
    await notifier.drain()
