"""Competency text follows the rules of every other field: no NUL, control or bidi-override
characters, through the API, the admin form and the CSV import."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.competencies.csv_io import COMPETENCY_COLUMNS
from tests.competencies.builders import competency_data
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import call

NEW = "fun.test.clean-text"
BAD_TEXT = ["Budget\x00ing", "Budget\u202eing", "Budget\u2066ing", "Budget\x1bing"]


async def admin_token(db: Any) -> str:
    return await bearer_token(db, await make_user(db, roles=("admin",)))


@pytest.mark.parametrize("text", BAD_TEXT)
@pytest.mark.parametrize("field", ["name", "area", "theme", "description"])
async def test_the_api_refuses_control_and_bidi_characters(client: TestClient, db: Any, field: str, text: str) -> None:
    token = await admin_token(db)
    status, problem = await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW, **{field: text}))
    assert status == 422 and field in {error["field"] for error in problem["errors"]}, problem
    assert await db.competencies.find_one({"_id": NEW}) is None


async def test_level_descriptions_are_checked_too_and_line_breaks_are_kept(client: TestClient, db: Any) -> None:
    token = await admin_token(db)
    levels = [{"level": n, "description": "Knows\u202e it" if n == 3 else f"Level {n}"} for n in range(1, 6)]
    status, problem = await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW, levels=levels))
    assert status == 422 and "levels.2.description" in {error["field"] for error in problem["errors"]}, problem
    status, _ = await call(client, "POST", "/api/v1/competencies", token,
                           json=competency_data(NEW, description="Money to results.\nThen to outcomes."))
    assert status == 201
    assert (await db.competencies.find_one({"_id": NEW}))["description"] == "Money to results.\nThen to outcomes."


async def test_the_admin_form_shows_the_message_next_to_the_field(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("admin",)))
    token = await csrf_token(client, "/admin/dictionary/competencies/new")
    form = {"csrf_token": token, "id": NEW, "kind": "functional", "area": "Functional", "theme": "Finance",
            "name": "Outcome\u202e budgets", "owner": "", "description": "Money to results.",
            **{f"level_{n}": f"Level {n}" for n in range(1, 6)}}
    bad = await client.post("/admin/dictionary/competencies/new", data=form)
    html = await bad.text()
    assert bad.status == 422 and 'id="name-error"' in html and "invisible control characters" in html
    assert await db.competencies.find_one({"_id": NEW}) is None


async def test_the_csv_import_reports_each_bad_line_and_applies_nothing(client: TestClient, db: Any) -> None:
    token = await admin_token(db)
    before = await db.competencies.count_documents({})
    levels = [f"Level {n}" for n in range(1, 6)]
    out = io.StringIO()
    csv.writer(out).writerows([
        COMPETENCY_COLUMNS,
        ["fun.test.good", "functional", "Functional", "Finance", "Good", "Fine.", "", *levels],              # line 2
        ["fun.test.nul", "functional", "Functional", "Finance", "Nul\x00name", "Fine.", "", *levels],        # line 3
        ["fun.test.bidi", "functional", "Functional", "Finance", "Bidi", "Evil\u202etxt.exe", "", *levels],  # line 4
    ])
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token,
                                 data=out.getvalue().encode("utf-8"))
    assert status == 422
    by_line = {error["field"]: error["message"] for error in problem["errors"]}
    assert list(by_line) == ["line 3", "line 4"], by_line
    assert "name" in by_line["line 3"] and "description" in by_line["line 4"]
    assert all("invisible control characters" in message for message in by_line.values())
    assert await db.competencies.count_documents({}) == before
