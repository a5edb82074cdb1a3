"""The daily e-mail digest, sent through a real SMTP server (aiosmtpd): one e-mail per person, never twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from bson import ObjectId

from community import keys
from community.accounts.mailer import Mailer
from community.app import create_app
from community.accounts.sessions import actor_for_user
from community.config import SmtpSettings
from community.i18n import gettext
from community.jobs.registry import recurring_key
from community.jobs.routes import RUNNER
from community.jobs.schedule import JOBS
from community.notifications.digest import send_due_digests
from community.notifications.preferences import set_preferences
from community.notifications import queries
from community.notifications.queries import DIGESTS, NOTIFICATIONS
from community.notifications.render import in_language
from tests.factories import make_notification, make_user
from tests.notifications.conftest import NOTE, Inbox, tell

BASE = "https://community.example"
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 07:30 in India


def _mailer(db: Any, port: int) -> Mailer:
    return Mailer(SmtpSettings(host="127.0.0.1", port=port, username=None, password=None, starttls=False,
                               sender="digest@community.example"), db)


@pytest.fixture
def db(bare_db: Any) -> Any:
    """A store with no app: these tests drive the notifier and the digest themselves."""
    return bare_db


async def _person(db: Any, delivery: str, **fields: Any) -> dict[str, Any]:
    user = await make_user(db, **fields)
    await set_preferences(db, actor_for_user(user), {NOTE: delivery})
    return user


async def _tell(db: Any, user: dict[str, Any], text: str, subject: ObjectId | None = None) -> None:
    subject = subject or ObjectId()
    await tell(db, user, text, subject=subject, url=f"/forums/t/{subject}")


def _body(message: Any) -> str:
    return message.get_payload(decode=True).decode()


async def test_one_email_per_person_who_asked_and_none_on_a_rerun(db: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    asha, ravi, meena = await _person(db, "email_digest"), await _person(db, "email_digest"), await _person(db, "in_app")
    thread = ObjectId()
    await _tell(db, asha, "Ravi replied in “Pay rules”", thread)
    await _tell(db, asha, "Ravi replied in “Pay rules”", thread)
    await _tell(db, asha, "Meena mentioned you")
    await _tell(db, ravi, "Asha replied in “Leave rules”")
    await _tell(db, meena, "Asha replied in “Transfers”")
    mailer = _mailer(db, port)

    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING) == 2
    assert len(inbox.messages) == 2 and not inbox.to(meena["email"])
    [to_asha] = inbox.to(asha["email"])
    body = _body(to_asha)
    assert "Ravi replied in “Pay rules” (×2)" in body and "Meena mentioned you" in body
    assert f"{BASE}/forums/t/{thread}" in body and f"{BASE}/notifications/preferences" in body
    assert to_asha["From"] == "digest@community.example"

    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING + timedelta(hours=3)) == 0
    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING + timedelta(days=1)) == 0, \
        "nothing new: no e-mail the next day"
    assert len(inbox.messages) == 2
    record = await db[DIGESTS].find_one({"_id": asha["_id"]})
    assert record["day"] == "2026-11-23" and record["items"] == 2


async def test_new_activity_is_sent_the_next_day_but_read_notifications_never(db: Any,
                                                                              smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    asha = await _person(db, "email_digest")
    mailer = _mailer(db, port)
    await _tell(db, asha, "First reply")
    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING) == 1
    await _tell(db, asha, "Second reply, same day")
    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING + timedelta(hours=5)) == 0
    await _tell(db, asha, "Already read")
    read_one = await db[NOTIFICATIONS].find_one({"params.text": "Already read"})
    assert await queries.mark_read(db, asha["_id"], read_one["_id"], MORNING + timedelta(hours=6))

    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING + timedelta(days=1)) == 1
    second = _body(inbox.to(asha["email"])[1])
    assert "Second reply, same day" in second and "First reply" not in second and "Already read" not in second


async def test_a_refused_send_is_retried_on_the_next_run(db: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    asha = await _person(db, "email_digest")
    await _tell(db, asha, "A reply")
    mailer = _mailer(db, port)
    inbox.refuse = True
    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING) == 0
    assert await db[DIGESTS].count_documents({}) == 0
    inbox.refuse = False
    assert await send_due_digests(db, mailer, base_url=BASE, now=MORNING + timedelta(minutes=10)) == 1
    assert len(inbox.to(asha["email"])) == 1


async def test_two_runs_at_once_send_one_email(db: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    asha = await _person(db, "email_digest")
    await _tell(db, asha, "A reply")
    mailer = _mailer(db, port)
    sent = await asyncio.gather(*(send_due_digests(db, mailer, base_url=BASE, now=MORNING) for _ in range(3)))
    assert sum(sent) == 1 and len(inbox.messages) == 1


async def test_deleted_or_unverified_people_get_no_email(db: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    gone = await _person(db, "email_digest")
    await _tell(db, gone, "A reply")
    await db.users.update_one({"_id": gone["_id"]}, {"$set": {"deleted": True}})
    assert await send_due_digests(db, _mailer(db, port), base_url=BASE, now=MORNING) == 0
    assert inbox.messages == []


async def test_the_running_server_sends_the_digest_by_its_recurring_job_once_a_day(
        aiohttp_client: Any, settings: Any, smtp_server: tuple[Inbox, int]) -> None:
    """The app's clock is injected: it starts at 06:30 in India, so the digest's one recurring job
    is due at 07:00; moving the clock past it and letting the runner go sends the digest, and
    the job moves to the next morning (no test waits through real minutes)."""
    inbox, port = smtp_server
    smtp = SmtpSettings(host="127.0.0.1", port=port, username=None, password=None, starttls=False,
                        sender="digest@community.example")
    now = [MORNING - timedelta(hours=1)]
    app = create_app(replace(settings, smtp=smtp))
    app[keys.CLOCK] = lambda: now[0]
    client = await aiohttp_client(app)
    db = client.app[keys.DB]
    job = await db[JOBS].find_one({"_id": recurring_key("notifications.digest")})
    assert job["due_at"].replace(tzinfo=UTC) == MORNING - timedelta(minutes=30), "07:00 India time"
    asha = await _person(db, "email_digest")
    await tell(client.app, asha, "A reply while you were away")
    runner = client.app[RUNNER]
    assert await runner.drain() == 0 and inbox.messages == [], "not due yet"
    now[0] = MORNING
    assert await runner.drain() == 1
    assert [recipients for recipients, _message in inbox.messages] == [[asha["email"]]]
    moved = await db[JOBS].find_one({"_id": recurring_key("notifications.digest")})
    assert moved["due_at"].replace(tzinfo=UTC) == MORNING + timedelta(days=1) - timedelta(minutes=30)
    assert await db[JOBS].count_documents({"kind": "notifications.digest"}) == 1
    now[0] = MORNING + timedelta(hours=3)
    assert await runner.drain() == 0 and len(inbox.messages) == 1, "nothing more the same day"


async def test_each_reader_gets_the_digest_in_their_own_language(db: Any, smtp_server: tuple[Inbox, int]) -> None:
    """The same kind of notification, stored once as a kind and parameters, mailed in Hindi to the
    reader who chose Hindi and in English to the one who did not."""
    inbox, port = smtp_server
    hindi = await make_user(db, language="hi")
    english = await make_user(db)
    for user in (hindi, english):
        await set_preferences(db, actor_for_user(user), {"mention": "email_digest"})
        await make_notification(db, user, title="वेतन नियम", excerpt="परिपत्र देखें", digest_pending=True)
    assert await send_due_digests(db, _mailer(db, port), base_url=BASE, now=MORNING) == 2
    [to_hindi], [to_english] = inbox.to(hindi["email"]), inbox.to(english["email"])
    with in_language("hi"):
        hindi_line = gettext("You were mentioned in \u201c%(title)s\u201d: %(excerpt)s", title="वेतन नियम",
                             excerpt="परिपत्र देखें")
        hindi_subject = gettext("Your Karmayogi Community digest: %(n)s unread", n=1)
    assert "उल्लेख" in hindi_line, "the catalogue has a Hindi text for mentions"
    assert hindi_line in _body(to_hindi) and decode_subject(to_hindi) == hindi_subject
    assert "You were mentioned in “वेतन नियम”: परिपत्र देखें" in _body(to_english)
    assert decode_subject(to_english) == "Your Karmayogi Community digest: 1 unread"


def decode_subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))
