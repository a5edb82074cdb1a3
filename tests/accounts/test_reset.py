from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from community.accounts.passwords import verify_password
from tests.accounts.conftest import Inbox
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, bearer_token, make_user, sign_in


async def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, path)}, allow_redirects=False)


async def test_reset_by_emailed_code_signs_out_everywhere(mail_client: TestClient, inbox: Inbox) -> None:
    db = mail_client.app[keys.DB]
    user = await make_user(db, email="forgetful@example.gov.in")
    await sign_in(mail_client, user)
    token = await bearer_token(db, user)
    asked = await post(mail_client, "/reset", {"email": "Forgetful@example.gov.in"})
    assert asked.status == 303 and asked.headers["Location"].startswith("/reset/confirm?email=forgetful")
    code = inbox.last_code("forgetful@example.gov.in")
    assert "reset" in inbox.messages[-1]["Subject"].lower()
    done = await post(mail_client, "/reset/confirm", {"email": user["email"], "code": code, "password": "a brand new secret"})
    assert done.status == 303 and done.headers["Location"] == "/login?done=reset"
    stored = await db.users.find_one({"_id": user["_id"]})
    assert await verify_password(stored["password_hash"], "a brand new secret")
    assert not await verify_password(stored["password_hash"], DEFAULT_PASSWORD)
    assert await db.sessions.count_documents({"user_id": user["_id"]}) == 0
    assert await db.api_tokens.count_documents({"user_id": user["_id"]}) == 0
    assert (await mail_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401
    await sign_in(mail_client, user, "a brand new secret")


async def test_reset_for_unknown_address_looks_the_same_and_sends_nothing(mail_client: TestClient, inbox: Inbox) -> None:
    asked = await post(mail_client, "/reset", {"email": "ghost@example.gov.in"})
    assert asked.status == 303 and asked.headers["Location"].startswith("/reset/confirm")
    assert inbox.messages == []


async def test_wrong_reset_code_changes_nothing(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    await post(client, "/reset", {"email": user["email"]})
    message = await db.dev_outbox.find_one({"to": user["email"]})
    wrong = "000000" if "000000" not in message["body"] else "999999"
    response = await post(client, "/reset/confirm", {"email": user["email"], "code": wrong, "password": "a brand new secret"})
    assert response.status == 422
    html = await response.text()
    assert 'id="error-code"' in html and "not right" in html and 'autofocus' in html
    stored = await db.users.find_one({"_id": user["_id"]})
    assert stored["password_hash"] == user["password_hash"]


async def test_new_password_too_short_keeps_the_code_usable(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    await post(client, "/reset", {"email": user["email"]})
    import re

    code = re.search(r"\b([0-9]{6})\b", (await db.dev_outbox.find_one({"to": user["email"]}))["body"]).group(1)
    short = await post(client, "/reset/confirm", {"email": user["email"], "code": code, "password": "short"})
    assert short.status == 422 and "at least 10 characters" in await short.text()
    assert (await db.one_time_codes.find_one({"user_id": user["_id"]}))["tries"] == 0
    ok = await post(client, "/reset/confirm", {"email": user["email"], "code": code, "password": "long enough now"})
    assert ok.status == 303
