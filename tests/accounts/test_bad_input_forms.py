"""The other accounts forms (sign in, verify, resend, reset) against bad values, page and API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token

MISSING = object()
FORMS: dict[str, tuple[str, str, dict[str, str]]] = {
    # name: (page path, API path, a valid submission)
    "login": ("/login", "/api/v1/accounts/login", {"email": "a@example.gov.in", "password": "whatever it is"}),
    "verify": ("/verify", "/api/v1/accounts/verify", {"email": "a@example.gov.in", "code": "123456"}),
    "resend": ("/verify/resend", "/api/v1/accounts/verify/resend", {"email": "a@example.gov.in"}),
    "reset": ("/reset", "/api/v1/accounts/reset/request", {"email": "a@example.gov.in"}),
    "reset_confirm": ("/reset/confirm", "/api/v1/accounts/reset",
                      {"email": "a@example.gov.in", "code": "123456", "password": "a long new secret"}),
}
BAD: dict[str, list[Any]] = {
    "email": [MISSING, "", "x" * 250 + "@a.in", "<script>@a.in", "a\u202e@example.gov.in", "no-at-sign", 7],
    "password": [MISSING, "", "p" * 201, 7, None],
    "code": [MISSING, "", "12345", "1234567", "abcdef", "१२३४५६", "<b>1</b>", "1" * 13, 123456],
}
CASES = [(form, field, value) for form, (_, _, valid) in FORMS.items() for field in valid for value in BAD[field]]


def case_id(case: tuple[str, str, Any]) -> str:
    form, field, value = case
    return f"{form}-{field}=" + ("missing" if value is MISSING else repr(value)[:16])


def with_bad(valid: dict[str, str], field: str, value: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(valid)
    if value is MISSING:
        del data[field]
    else:
        data[field] = value
    return data


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c[2], str) or c[2] is MISSING], ids=case_id)
async def test_page(client: TestClient, db: Any, case: tuple[str, str, Any]) -> None:
    form, field, value = case
    page, _, valid = FORMS[form]
    token = await csrf_token(client, "/verify" if page == "/verify/resend" else page)
    response = await client.post(page, data={**with_bad(valid, field, value), "csrf_token": token}, allow_redirects=False)
    assert response.status == 422
    html = await response.text()
    assert f'id="error-{field}"' in html and "<script>@a.in" not in html
    assert await db.dev_outbox.count_documents({}) == 0


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_api(client: TestClient, db: Any, case: tuple[str, str, Any]) -> None:
    form, field, value = case
    _, path, valid = FORMS[form]
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    response = await client.post(path, json=with_bad(valid, field, value), headers={"X-CSRF-Token": token})
    assert response.status == 422 and response.content_type == "application/problem+json"
    assert field in {error["field"] for error in (await response.json())["errors"]}
    assert await db.dev_outbox.count_documents({}) == 0
