from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from community.accounts import otp
from community.accounts.sessions import SESSION_COOKIE
from tests.accounts.conftest import Inbox
from tests.conftest import csrf_token
from tests.factories import make_org, make_user

HINDI_NAME = "अनुराधा शर्\u200dमा"  # a zero-width joiner after the virama: it picks the half form of र


def form(org: dict[str, Any], **changes: str) -> dict[str, str]:
    return {"name": HINDI_NAME, "email": "Anuradha.Sharma@Example.GOV.in", "mobile": "+91 98765 43210",
            "org_id": str(org["_id"]), "designation": "उप सचिव", "password": "a long enough secret", **changes}


async def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    page = "/verify" if path == "/verify/resend" else path
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, page)}, allow_redirects=False)


async def test_register_page_lists_the_hierarchy(client: TestClient, db: Any) -> None:
    ministry = await make_org(db, name="Ministry of Railways")
    await make_org(db, name="Railway Board", parent=ministry)
    html = await (await client.get("/register")).text()
    assert 'label for="field-name"' in html and 'id="field-name"' in html
    assert "Ministry of Railways" in html and "\u00a0\u00a0\u00a0Railway Board" in html


async def test_register_verify_by_email_then_signed_in(mail_client: TestClient, inbox: Inbox) -> None:
    db = mail_client.app[keys.DB]
    org = await make_org(db, name="Department of Personnel and Training")
    response = await post(mail_client, "/register", form(org))
    assert response.status == 303
    assert response.headers["Location"].startswith("/verify?email=anuradha.sharma")
    user = await db.users.find_one({"email": "anuradha.sharma@example.gov.in"})
    assert user["name"] == HINDI_NAME and "\u200d" in user["name"]
    assert user["email_verified"] is False and user["roles"] == ["officer"] and user["mobile"] == "+919876543210"
    assert user["password_hash"].startswith("$argon2id$")
    code = inbox.last_code("anuradha.sharma@example.gov.in")
    stored = await db.one_time_codes.find_one({"user_id": user["_id"]})
    assert code not in str(stored), "only a keyed hash of the code is stored"
    assert await db.dev_outbox.count_documents({}) == 0, "with SMTP configured nothing goes to the outbox"
    verified = await post(mail_client, "/verify", {"email": user["email"], "code": code})
    assert verified.status == 303 and verified.headers["Location"].startswith("/account")
    assert any(cookie.key == SESSION_COOKIE for cookie in mail_client.session.cookie_jar)
    page = await (await mail_client.get("/account")).text()
    assert HINDI_NAME in page
    assert "Your request to join Department of Personnel and Training is waiting" in page, "no domain claimed: pending"
    assert (await db.users.find_one({"_id": user["_id"]}))["email_verified"] is True
    assert await db.one_time_codes.count_documents({}) == 0, "a used code is gone"


async def test_without_smtp_the_code_goes_to_the_outbox_not_the_log(client: TestClient, db: Any, caplog: Any) -> None:
    org = await make_org(db)
    caplog.set_level("INFO", logger="community.mail")
    await post(client, "/register", form(org, email="no.smtp@example.gov.in"))
    message = await db.dev_outbox.find_one({"to": "no.smtp@example.gov.in"})
    assert message is not None
    code = otp_code(message["body"])
    assert caplog.records, "the queued message is logged"
    assert not any(code in str(record.__dict__) for record in caplog.records)


def otp_code(text: str) -> str:
    import re

    match = re.search(r"\b([0-9]{6})\b", text)
    assert match
    return match.group(1)


def same_answer(first: Any, second: Any, first_body: bytes, second_body: bytes) -> None:
    assert first.status == second.status
    assert first_body == second_body
    for header in ("Content-Type", "Location", "Retry-After", "Cache-Control"):
        assert first.headers.get(header) == second.headers.get(header), header


async def test_registering_a_taken_address_answers_as_a_new_one_does(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    new = await post(client, "/register", form(org, email="first.time@example.gov.in"))
    again = await post(client, "/register", form(org, email="FIRST.time@example.gov.in", name="Someone Else"))
    same_answer(new, again, await new.read(), await again.read())
    assert new.status == 303 and new.headers["Location"].startswith("/verify")
    assert await db.users.count_documents({"email": "first.time@example.gov.in"}) == 1
    owner = await db.users.find_one({"email": "first.time@example.gov.in"})
    assert owner["name"] == HINDI_NAME, "the account is untouched"
    mails = await db.dev_outbox.find({"to": "first.time@example.gov.in"}).sort("at", 1).to_list(None)
    assert len(mails) == 2, "the new path sent a code, the taken path one e-mail too"
    assert "Someone tried to register" in mails[1]["subject"] and not re.search(r"\b[0-9]{6}\b", mails[1]["body"])


async def test_the_api_answers_a_taken_address_byte_for_byte_as_a_new_one(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    body = {**form(org, email="api.person@example.gov.in"), "mobile": ""}
    new = await client.post("/api/v1/accounts/register", json=body, headers={"X-CSRF-Token": token})
    again = await client.post("/api/v1/accounts/register", json={**body, "password": "another long secret"},
                              headers={"X-CSRF-Token": token})
    same_answer(new, again, await new.read(), await again.read())
    assert new.status == 201
    assert await db.users.count_documents({"email": "api.person@example.gov.in"}) == 1


async def test_the_owner_is_told_at_most_once_an_hour(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await make_user(db, org=org, email="owner@example.gov.in")
    for _ in range(3):
        assert (await post(client, "/register", form(org, email="owner@example.gov.in"))).status == 303
    assert await db.dev_outbox.count_documents({"to": "owner@example.gov.in"}) == 1


async def test_wrong_code_counts_tries_and_locks_after_five(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await post(client, "/register", form(org, email="tries@example.gov.in"))
    right = otp_code((await db.dev_outbox.find_one({"to": "tries@example.gov.in"}))["body"])
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = await post(client, "/verify", {"email": "tries@example.gov.in", "code": wrong})
        assert response.status == 422
        assert f"You have {left} more tries" in await response.text()
    last = await post(client, "/verify", {"email": "tries@example.gov.in", "code": wrong})
    assert "Too many wrong tries" in await last.text()
    after = await post(client, "/verify", {"email": "tries@example.gov.in", "code": right})
    assert after.status == 422 and "Too many wrong tries" in await after.text()
    assert (await db.users.find_one({"email": "tries@example.gov.in"}))["email_verified"] is False


async def test_expired_code_is_refused(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await post(client, "/register", form(org, email="late@example.gov.in"))
    code = otp_code((await db.dev_outbox.find_one({"to": "late@example.gov.in"}))["body"])
    await db.one_time_codes.update_many({}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
    response = await post(client, "/verify", {"email": "late@example.gov.in", "code": code})
    assert response.status == 422 and "expired" in await response.text()
    assert (await db.users.find_one({"email": "late@example.gov.in"}))["email_verified"] is False


async def test_resend_is_throttled_then_replaces_the_code(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await post(client, "/register", form(org, email="again@example.gov.in"))
    first = otp_code((await db.dev_outbox.find_one({"to": "again@example.gov.in"}))["body"])
    too_soon = await post(client, "/verify/resend", {"email": "again@example.gov.in"})
    assert too_soon.status == 303, "the code sent a moment ago is still valid"
    assert await db.dev_outbox.count_documents({"to": "again@example.gov.in"}) == 1
    await db.one_time_codes.update_many({}, {"$set": {"sent_at": datetime.now(UTC) - otp.RESEND_AFTER}})
    await db.rate_limits.delete_many({"_id": {"$regex": "^resend:"}})
    resent = await post(client, "/verify/resend", {"email": "again@example.gov.in"})
    assert resent.status == 303
    messages = await db.dev_outbox.find({"to": "again@example.gov.in"}).sort("at", 1).to_list(None)
    assert len(messages) == 2
    second = otp_code(messages[-1]["body"])
    if second != first:
        stale = await post(client, "/verify", {"email": "again@example.gov.in", "code": first})
        assert stale.status == 422, "a replaced code no longer works"
    assert (await post(client, "/verify", {"email": "again@example.gov.in", "code": second})).status == 303


async def test_resend_answers_and_throttles_alike_whether_or_not_the_account_exists(client: TestClient,
                                                                                    db: Any) -> None:
    await make_user(db, verified=False, email="waiting@example.gov.in")
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]

    async def resend(email: str) -> tuple[Any, bytes]:
        response = await client.post("/api/v1/accounts/verify/resend", json={"email": email},
                                     headers={"X-CSRF-Token": token})
        return response, await response.read()

    for expected in (202, 429):
        known, known_body = await resend("waiting@example.gov.in")
        unknown, unknown_body = await resend("nobody@example.gov.in")
        same_answer(known, unknown, known_body, unknown_body)
        assert known.status == expected
    assert await db.dev_outbox.count_documents({"to": "waiting@example.gov.in"}) == 1
    assert await db.dev_outbox.count_documents({"to": "nobody@example.gov.in"}) == 0


async def test_resend_pages_answer_alike_whether_or_not_the_account_exists(client: TestClient, db: Any) -> None:
    await make_user(db, verified=False, email="waiting@example.gov.in")
    for _ in range(2):
        known = await post(client, "/verify/resend", {"email": "waiting@example.gov.in"})
        known_body = await known.read()
        unknown = await post(client, "/verify/resend", {"email": "nobody@example.gov.in"})
        unknown_body = await unknown.read()
        assert known.status == unknown.status
        assert known_body.replace(b"waiting@", b"nobody@") == unknown_body
        assert (known.headers.get("Location") or "").replace("waiting@", "nobody@") == \
            (unknown.headers.get("Location") or "")
    assert known.status == 429


async def test_registrations_from_one_address_are_throttled(client: TestClient, db: Any) -> None:
    from community.accounts import register

    from community import ratelimit

    org = await make_org(db)
    for _ in range(register.REGISTRATIONS_PER_ADDRESS):
        await ratelimit.hit(db, "register:address:127.0.0.1", limit=register.REGISTRATIONS_PER_ADDRESS, window_seconds=3600)
    response = await post(client, "/register", form(org, email="one.too.many@example.gov.in"))
    assert response.status == 429 and int(response.headers["Retry-After"]) > 0
    assert await db.users.count_documents({"email": "one.too.many@example.gov.in"}) == 0


async def test_mail_server_down_still_leads_to_the_verify_page(aiohttp_client: Any, settings: Any,
                                                                caplog: Any) -> None:
    import socket
    from dataclasses import replace

    from community.app import create_app
    from community.config import SmtpSettings

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens here now
    down = await aiohttp_client(create_app(replace(settings, smtp=SmtpSettings(
        host="127.0.0.1", port=port, username=None, password=None, starttls=False, sender="no-reply@community.example"))))
    org = await make_org(down.app[keys.DB])
    response = await post(down, "/register", form(org, email="unlucky@example.gov.in"))
    assert response.status == 303 and response.headers["Location"].startswith("/verify")
    assert any(record.getMessage() == "e-mail not sent" for record in caplog.records)


async def test_simultaneous_registrations_of_one_address_make_one_account(client: TestClient, db: Any) -> None:
    import asyncio

    from community.accounts.register import register
    from community.accounts.schemas import RegisterIn

    org = await make_org(db)
    data = RegisterIn.model_validate(form(org, email="twice@example.gov.in", mobile=""))
    settings = client.app[keys.SETTINGS]
    results = await asyncio.gather(*[register(client.app, client.app[keys.MAILER], settings.secret_key, data, "10.0.0.1")
                                     for _ in range(2)])
    assert results == ["twice@example.gov.in"] * 2, "the second answers as the first did"
    assert await db.users.count_documents({"email": "twice@example.gov.in"}) == 1


async def test_a_code_works_once_even_when_sent_twice_at_the_same_moment(client: TestClient, db: Any) -> None:
    import asyncio

    from community.errors import Invalid

    user = await make_user(db, verified=False)
    secret = client.app[keys.SETTINGS].secret_key
    code = await otp.issue(db, secret, user["_id"], otp.VERIFY)
    results = await asyncio.gather(*[otp.check(db, secret, user["_id"], otp.VERIFY, code) for _ in range(3)],
                                   return_exceptions=True)
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, Invalid) for result in results if result is not None)


async def test_an_account_is_never_stored_without_the_organisation_it_asked_for(
        client: TestClient, db: Any, monkeypatch: Any) -> None:
    from community.accounts.register import register
    from community.accounts.schemas import RegisterIn
    from community.organisations import queries as org_queries

    org = await make_org(db)
    data = RegisterIn.model_validate(form(org, email="atomic@example.gov.in", mobile=""))
    settings = client.app[keys.SETTINGS]

    async def failing_request(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("the request store failed")

    monkeypatch.setattr(org_queries, "insert_request", failing_request)
    try:
        await register(client.app, client.app[keys.MAILER], settings.secret_key, data, "10.0.0.2")
    except OSError:
        pass
    else:
        raise AssertionError("the failure reached nobody")
    assert await db.users.count_documents({"email": "atomic@example.gov.in"}) == 0, "the account was rolled back"
    monkeypatch.undo()
    assert await register(client.app, client.app[keys.MAILER], settings.secret_key, data, "10.0.0.2") == data.email
    user = await db.users.find_one({"email": "atomic@example.gov.in"})
    assert user is not None
    assert await org_queries.open_request(db, user["_id"]) is not None
