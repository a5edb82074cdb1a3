from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from tests.accounts.conftest import Inbox
from tests.factories import DEFAULT_PASSWORD, make_org, make_user


async def api_csrf(client: TestClient) -> dict[str, str]:
    response = await client.get("/api/v1/accounts/csrf")
    return {"X-CSRF-Token": (await response.json())["csrf_token"]}


async def test_register_verify_login_me_logout(mail_client: TestClient, inbox: Inbox) -> None:
    db = mail_client.app[keys.DB]
    org = await make_org(db, name="Ministry of Ports, Shipping and Waterways", domains=("example.gov.in",))
    headers = await api_csrf(mail_client)
    body = {"name": "தமிழ்செல்வி", "email": "selvi@example.gov.in", "org_id": str(org["_id"]),
            "designation": "Director", "password": "a long enough secret"}
    created = await mail_client.post("/api/v1/accounts/register", json=body, headers=headers)
    assert created.status == 201 and (await created.json())["status"] == "verification_sent"
    code = inbox.last_code("selvi@example.gov.in")
    early = await mail_client.post("/api/v1/accounts/login", json={"email": body["email"], "password": body["password"]},
                                   headers=headers)
    assert early.status == 422
    verified = await mail_client.post("/api/v1/accounts/verify", json={"email": body["email"], "code": code}, headers=headers)
    assert verified.status == 200 and (await verified.json())["name"] == "தமிழ்செல்வி"
    login = await mail_client.post("/api/v1/accounts/login", json={"email": body["email"], "password": body["password"]},
                                   headers=headers)
    token = (await login.json())["token"]
    auth = {"Authorization": f"Bearer {token}"}
    me = await (await mail_client.get("/api/v1/me", headers=auth)).json()
    assert me == {"id": me["id"], "name": "தமிழ்செல்வி", "email": "selvi@example.gov.in", "mobile": None,
                  "org_id": str(org["_id"]), "designation": "Director", "roles": ["officer"]}
    assert (await mail_client.post("/api/v1/accounts/logout", headers=auth)).status == 200
    assert (await mail_client.get("/api/v1/me", headers=auth)).status == 401


async def test_api_without_csrf_token_is_refused(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    response = await client.post("/api/v1/accounts/login", json={"email": user["email"], "password": DEFAULT_PASSWORD})
    assert response.status == 403 and response.content_type == "application/problem+json"


async def test_api_errors_are_problem_json_with_fields(client: TestClient, db: Any) -> None:
    headers = await api_csrf(client)
    response = await client.post("/api/v1/accounts/register", json={"name": "", "email": "not-an-email"}, headers=headers)
    assert response.status == 422 and response.content_type == "application/problem+json"
    problem = await response.json()
    fields = {error["field"] for error in problem["errors"]}
    assert {"name", "email", "org_id", "designation", "password"} <= fields
    assert problem["type"].endswith("/invalid") and problem["status"] == 422
    not_json = await client.post("/api/v1/accounts/register", data="{", headers={**headers, "Content-Type": "application/json"})
    assert not_json.status == 400 and (await not_json.json())["errors"][0]["field"] == "body"
    a_list = await client.post("/api/v1/accounts/register", json=[1, 2], headers=headers)
    assert a_list.status == 422
    assert await db.users.count_documents({}) == 0


async def test_api_login_throttle_has_retry_after(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    headers = await api_csrf(client)
    for _ in range(5):
        await client.post("/api/v1/accounts/login", json={"email": user["email"], "password": "wrong password"}, headers=headers)
    blocked = await client.post("/api/v1/accounts/login", json={"email": user["email"], "password": DEFAULT_PASSWORD},
                                headers=headers)
    assert blocked.status == 429 and blocked.content_type == "application/problem+json"
    assert int(blocked.headers["Retry-After"]) > 0


async def test_api_reset_flow(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    headers = await api_csrf(client)
    asked = await client.post("/api/v1/accounts/reset/request", json={"email": user["email"]}, headers=headers)
    assert asked.status == 202
    code = re.search(r"\b([0-9]{6})\b", (await db.dev_outbox.find_one({"to": user["email"]}))["body"]).group(1)
    done = await client.post("/api/v1/accounts/reset", json={"email": user["email"], "code": code,
                                                             "password": "another long secret"}, headers=headers)
    assert done.status == 200
    login = await client.post("/api/v1/accounts/login", json={"email": user["email"], "password": "another long secret"},
                              headers=headers)
    assert login.status == 200


async def test_me_needs_authentication(client: TestClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status == 401 and response.content_type == "application/problem+json"
