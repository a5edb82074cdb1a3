"""One-time codes never reach the log: with SMTP they are mailed, without it kept in the development outbox."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.logs import JsonFormatter
from tests.accounts.conftest import CODE, Inbox
from tests.factories import make_org


async def register(client: TestClient) -> None:
    org = await make_org(client.app[keys.DB])
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    body = {"name": "Asha", "email": "asha@example.gov.in", "org_id": str(org["_id"]), "designation": "Director",
            "password": "a long enough secret"}
    response = await client.post("/api/v1/accounts/register", json=body, headers={"X-CSRF-Token": token})
    assert response.status == 201


def mail_log(caplog: pytest.LogCaptureFixture) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records if record.name == "community.mail")


async def test_with_smtp_the_code_is_mailed_and_never_logged(mail_client: TestClient, inbox: Inbox,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="community.mail")
    await register(mail_client)
    code = inbox.last_code("asha@example.gov.in")
    written = mail_log(caplog)
    assert '"message": "e-mail sent"' in written
    assert code not in written and "a long enough secret" not in written


async def test_without_smtp_the_code_is_in_the_development_outbox_only(client: TestClient,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="community.mail")
    await register(client)
    kept = await client.app[keys.DB].dev_outbox.find_one({"to": "asha@example.gov.in"})
    code = CODE.search(kept["body"])
    assert code, "the development outbox holds the code"
    written = mail_log(caplog)
    assert '"message": "e-mail queued for the development outbox (no SMTP configured)"' in written
    assert code.group(1) not in written and kept["body"] not in written and kept["subject"] not in written
    assert "a long enough secret" not in written
