"""Outgoing e-mail: SMTP when configured, otherwise the development outbox.

smtplib runs in a worker thread so a slow mail server never blocks the event loop. Without
SMTP (a newcomer's first run) messages, one-time codes included, are written only to the
``dev_outbox`` collection, which only platform administrators can read
(``policy.can_view_dev_outbox``); the log says that a message was queued there, never what it
says, because logs travel further than the database (aggregators, support tickets).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage

from aiohttp import web
from bson import ObjectId

from community import keys
from community.accounts import queries
from community.config import SmtpSettings
from community.i18n import gettext as _
from community.storage.api import Database

log = logging.getLogger("community.mail")


class Mailer:
    def __init__(self, smtp: SmtpSettings | None, db: Database) -> None:
        self.smtp = smtp
        self.db = db

    async def send(self, to: str, subject: str, body: str) -> None:
        if self.smtp is None:
            log.info("e-mail queued for the development outbox (no SMTP configured)", extra={"to": to})
            await queries.insert_outbox_message(self.db, {"_id": ObjectId(), "at": datetime.now(UTC), "to": to,
                                                          "subject": subject, "body": body})
            return
        message = EmailMessage()
        message["From"] = self.smtp.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        await asyncio.to_thread(_deliver, self.smtp, message)
        log.info("e-mail sent", extra={"to": to, "subject": subject})


def _deliver(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
        if smtp.starttls:
            connection.starttls()
        if smtp.username and smtp.password:
            connection.login(smtp.username, smtp.password)
        connection.send_message(message)


async def mailer_context(app: web.Application) -> AsyncIterator[None]:
    """Needs the storage context to have run first (it is added before every feature's)."""
    app[keys.MAILER] = Mailer(app[keys.SETTINGS].smtp, app[keys.DB])
    yield


async def send_message(mailer: Mailer, email: str, subject: str, body: str) -> bool:
    """Send one e-mail; False (and a log line) when the mail server refused, so the caller can
    still give the person the answer they would have had."""
    try:
        await mailer.send(email, subject, body)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("e-mail not sent", extra={"to": email, "error": repr(error)})
        return False
    return True


async def send_code(mailer: Mailer, email: str, code: str, purpose: str) -> bool:
    """Send a one-time code (see :func:`send_message`); on failure the person can still ask for
    the code again on the page they are moved on to."""
    if purpose == "reset":
        subject = _("Your code to reset your password")
        body = _("Your code to reset your Karmayogi Community password is %(code)s.\n\nIt is valid for 10 minutes. "
                 "If you did not ask to reset your password, ignore this e-mail; nothing changes.", code=code)
    else:
        subject = _("Your code to verify your e-mail address")
        body = _("Your code to verify your e-mail address for Karmayogi Community is %(code)s.\n\n"
                 "It is valid for 10 minutes. If you did not register, ignore this e-mail.", code=code)
    return await send_message(mailer, email, subject, body)
