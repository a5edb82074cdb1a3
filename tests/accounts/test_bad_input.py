"""Every registration field, through the page and the API: missing, empty, too long, wrong type,
markup and unicode edge cases. Each gets a message on that field and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token
from tests.factories import make_org

MISSING = object()
VALID = {"name": "Meera Iyer", "email": "meera@example.gov.in", "mobile": "9876543210",
         "designation": "Deputy Secretary", "password": "a long enough secret"}

# (field, bad value, page too?) -- wrong types can only be sent as JSON.
CASES: list[tuple[str, Any, bool]] = [
    *[(name, MISSING, True) for name in ("name", "email", "org_id", "designation", "password")],
    *[(name, "", True) for name in ("name", "email", "org_id", "designation", "password")],
    *[(name, "   ", True) for name in ("name", "email", "designation")],
    ("name", "a" * 121, True), ("email", "a" * 250 + "@x.in", True), ("designation", "d" * 121, True),
    ("password", "p" * 201, True), ("mobile", "9" * 21, True), ("password", "short", True),
    *[(name, 12345, False) for name in ("name", "email", "mobile", "org_id", "designation", "password")],
    *[(name, ["a"], False) for name in ("name", "email", "designation")],
    *[(name, None, False) for name in ("name", "email", "org_id", "designation", "password")],
    ("name", "<script>alert(1)</script>", True), ("designation", "<b>Director</b>", True),
    ("email", "<script>@x.in", True), ("mobile", "<98765 43210>", True),
    ("name", "Meera\u202eIyer", True), ("designation", "Dir\u2066ector", True), ("name", "Meera\x00Iyer", True),
    ("email", "meera\u202e@example.gov.in", True), ("name", "Meera\u0007", True),
    ("email", "no-at-sign.example.gov.in", True), ("mobile", "12345", True), ("mobile", "98765abcde", True),
    ("org_id", "not-an-id", True), ("org_id", "a" * 24, True),
]


def case_id(case: tuple[str, Any, bool]) -> str:
    field, value, _ = case
    shown = "missing" if value is MISSING else repr(value)[:20]
    return f"{field}={shown}"


async def registration(db: Any) -> dict[str, Any]:
    org = await make_org(db)
    return {**VALID, "org_id": str(org["_id"])}


@pytest.mark.parametrize("case", [case for case in CASES if case[2]], ids=case_id)
async def test_page_shows_the_message_next_to_the_field(client: TestClient, db: Any, case: tuple[str, Any, bool]) -> None:
    field, value, _ = case
    data = await registration(db)
    if value is MISSING:
        del data[field]
    else:
        data[field] = value
    token = await csrf_token(client, "/register")
    response = await client.post("/register", data={**data, "csrf_token": token}, allow_redirects=False)
    assert response.status == 422
    html = await response.text()
    assert f'id="error-{field}"' in html
    assert f'aria-describedby="error-{field}"' in html or f'error-{field}"' in html.split(f'id="field-{field}"')[1].split(">")[0]
    assert "<script>alert(1)</script>" not in html, "submitted markup comes back escaped"
    assert await db.users.count_documents({}) == 0 and await db.one_time_codes.count_documents({}) == 0


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_api_answers_problem_json_naming_the_field(client: TestClient, db: Any, case: tuple[str, Any, bool]) -> None:
    field, value, _ = case
    data: dict[str, Any] = await registration(db)
    if value is MISSING:
        del data[field]
    else:
        data[field] = value
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    response = await client.post("/api/v1/accounts/register", json=data, headers={"X-CSRF-Token": token})
    assert response.status == 422 and response.content_type == "application/problem+json"
    problem = await response.json()
    assert field in {error["field"] for error in problem["errors"]}
    assert await db.users.count_documents({}) == 0


async def test_unknown_api_fields_are_refused(client: TestClient, db: Any) -> None:
    data = {**await registration(db), "roles": ["admin"]}
    token = (await (await client.get("/api/v1/accounts/csrf")).json())["csrf_token"]
    response = await client.post("/api/v1/accounts/register", json=data, headers={"X-CSRF-Token": token})
    assert response.status == 422 and "roles" in {error["field"] for error in (await response.json())["errors"]}
    assert await db.users.count_documents({}) == 0


@pytest.mark.parametrize(("name", "kept"), [
    ("शर्\u200dमा", "शर्\u200dमा"),  # a zero-width joiner after a virama picks the half form: kept
    ("अनु\u200dराधा", "अनुराधा"),  # a joiner after a vowel sign, as some keyboards type it, does nothing: dropped
    ("क्ष\u200cत्रिय", "क्षत्रिय"),  # a non-joiner with no virama before it: dropped
    ("Rene\u0301e D'Souza", "Ren\u00e9e D'Souza"),  # a combining accent, stored composed
    ("Ｍｅｅｒａ  Iyer", "Meera Iyer"),  # full-width letters and doubled spaces (NFKC)
    *[(name, name) for name in ("সৌমিত্র চট্টোপাধ্যায়", "ஸ்ரீனிவாசன்", "ಶ್ರೀನಿವಾಸ", "ଶ୍ରୀକାନ୍ତ", "ਗੁਰਪ੍ਰੀਤ ਕੌਰ", "محمد عارف")],
])
async def test_names_in_every_script_are_accepted_and_normalised(client: TestClient, db: Any, name: str,
                                                                 kept: str) -> None:
    data = {**await registration(db), "name": name, "designation": "निदेशक"}
    token = await csrf_token(client, "/register")
    response = await client.post("/register", data={**data, "csrf_token": token}, allow_redirects=False)
    assert response.status == 303, await response.text()
    stored = await db.users.find_one({"email": VALID["email"]})
    assert stored["name"] == kept
