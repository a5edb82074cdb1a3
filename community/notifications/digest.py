"""The daily e-mail digest of unread notifications, for people who asked for it.

A recurring job (``notifications.digest``, daily at 07:00 in India) sends them. Due work is read
from storage (notifications marked ``digest_pending``), and each person's digest for a day is
claimed atomically in ``notification_digests`` before it is sent (the effect recorded under a
key), so a rerun, a restart or a second process never sends the same day's digest twice. A
send that fails releases the claim, so the next run tries again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from bson import ObjectId

from community import keys
from community.accounts import people
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.notifications import queries
from community.notifications.render import in_language, with_text
from community.timezones import IST
from community.storage.api import Database

log = logging.getLogger("community.notifications")

SEND_FROM_HOUR = 7
"""Days and this sending hour follow Indian Standard Time."""
MAX_ITEMS = 30


@dataclass(frozen=True, slots=True)
class DigestItem:
    key: str
    """What the item is, for the section to remember it was told."""
    text: str
    url: str
    """Site-relative."""


@dataclass(frozen=True, slots=True)
class DigestSection:
    heading: Any
    """A ``lazy_gettext`` string."""
    readers: Callable[[Database], Awaitable[list[ObjectId]]]
    """Everyone who asked for the section (they get a digest when it has something new)."""
    items: Callable[[Database, ObjectId, datetime], Awaitable[list[DigestItem]]]
    """What is new for a reader, in the current language; empty when nothing is."""
    record: Callable[[Database, ObjectId, list[DigestItem], datetime], Awaitable[None]]
    """Remember that these items were sent."""


DIGEST_SECTIONS: web.AppKey[list[DigestSection]] = web.AppKey("digest_sections", list)
"""Set empty by the notifications' ``setup``; features append their sections in theirs."""


def digest_day(now: datetime) -> str:
    return now.astimezone(IST).date().isoformat()


def compose(name: str, items: list[dict[str, Any]], base_url: str,
            sections: Sequence[tuple[str, list[DigestItem]]] = ()) -> tuple[str, str]:
    """The e-mail in the current language; ``items`` carry their rendered ``text``, and each of
    ``sections`` is a heading and its items."""
    subject = (_("Your Karmayogi Community digest: %(n)s unread", n=len(items)) if items
               else _("Your Karmayogi Community digest: new suggestions for you"))
    lines = [_("Hello %(name)s,", name=name), ""]
    if items:
        lines += [_("Here is what happened since your last digest."), ""]
    for item in items:
        times = f" (×{item['count']})" if item.get("count", 1) > 1 else ""
        lines += [f"- {item['text']}{times}", f"  {base_url}{item['url']}"]
    for heading, section_items in sections:
        lines += ["", heading, ""] if lines[-1] else [heading, ""]
        for entry in section_items:
            lines += [f"- {entry.text}", f"  {base_url}{entry.url}"]
    preferences = f"{base_url}/notifications/preferences"
    lines += ["", _("Choose which notifications reach you by e-mail: %(url)s", url=preferences)]
    return subject, "\n".join(lines)


async def send_digest(db: Database, mailer: Any, user_id: ObjectId, *, base_url: str, now: datetime,
                      sections: Sequence[DigestSection] = ()) -> bool:
    """Send the person's digest for the day of ``now`` unless it went already; True when sent."""
    claimed, previous = await queries.claim_digest(db, user_id, digest_day(now), now)
    if not claimed:
        return False
    person = await people.mail_recipient(db, user_id)
    items = await queries.digest_items(db, user_id, MAX_ITEMS) if person else []
    told: list[tuple[DigestSection, list[DigestItem]]] = []
    if person is not None:
        with in_language(person["language"]):
            for section in sections:
                if found := await section.items(db, user_id, now):
                    told.append((section, found))
    if person is None or not (items or told):
        await queries.release_digest(db, user_id, previous)
        return False
    with in_language(person["language"]):
        subject, body = compose(person["name"], await with_text(db, items), base_url,
                                [(str(section.heading), found) for section, found in told])
    try:
        await mailer.send(person["email"], subject, body)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("digest not sent; will retry", extra={"user_id": str(user_id), "error": repr(error)})
        await queries.release_digest(db, user_id, previous)
        return False
    await queries.clear_digest_pending(db, user_id, [item["_id"] for item in items])
    for section, found in told:
        await section.record(db, user_id, found, now)
    await queries.record_digest(db, user_id, len(items) + sum(len(found) for _section, found in told))
    return True


async def send_due_digests(db: Database, mailer: Any, *, base_url: str, now: datetime | None = None,
                           sections: Sequence[DigestSection] = ()) -> int:
    """Send every digest that is due; returns how many e-mails went out."""
    now = now or datetime.now(UTC)
    due = dict.fromkeys(await queries.people_awaiting_digest(db))
    for section in sections:
        due.update(dict.fromkeys(await section.readers(db)))
    sent = 0
    for user_id in due:
        sent += await send_digest(db, mailer, user_id, base_url=base_url, now=now, sections=sections)
    return sent


def next_send_time(now: datetime) -> datetime:
    """The next ``SEND_FROM_HOUR`` o'clock in India after ``now`` (the digest's recurring job)."""
    local = now.astimezone(IST)
    due = local.replace(hour=SEND_FROM_HOUR, minute=0, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due.astimezone(UTC)


async def _digest_job(run: JobRun) -> None:
    mailer = run.app.get(keys.MAILER)
    if mailer is None:
        return
    sent = await send_due_digests(run.db, mailer, base_url=run.app[keys.SETTINGS].base_url, now=run.now,
                                  sections=run.app.get(DIGEST_SECTIONS, []))
    if sent:
        log.info("digests sent", extra={"count": sent})


register("notifications.digest", _digest_job, label=N_("Send the e-mail digests of notifications"), next_due=next_send_time)
