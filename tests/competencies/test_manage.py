"""Administrators manage competencies and positions; everyone else is refused; bad input changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.competencies.builders import competency_data, position_data
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import call

NEW = "fun.test.outcome-budgets"


async def admin_token(db: Any) -> str:
    return await bearer_token(db, await make_user(db, roles=("admin",)))


async def test_create_replace_delete_competency(client: TestClient, db: Any) -> None:
    token = await admin_token(db)
    status, created = await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW))
    assert status == 201 and created["id"] == NEW and len(created["levels"]) == 5
    assert (await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW)))[0] == 409
    status, replaced = await call(client, "PUT", f"/api/v1/competencies/{NEW}", token,
                                  json=competency_data(NEW, name="Outcome budgeting and evaluation"))
    assert status == 200 and replaced["name"] == "Outcome budgeting and evaluation"
    status, position = await call(client, "POST", "/api/v1/positions", token,
                                  json=position_data("pos.test.officer", {NEW: 3}))
    assert status == 201 and position["requirements"] == {NEW: 3}
    status, problem = await call(client, "DELETE", f"/api/v1/competencies/{NEW}", token)
    assert status == 409 and "Budget Officer" in problem["detail"]
    assert (await call(client, "DELETE", "/api/v1/positions/pos.test.officer", token))[0] == 204
    assert (await call(client, "DELETE", f"/api/v1/competencies/{NEW}", token))[0] == 204
    assert await db.competencies.find_one({"_id": NEW}) is None


async def test_a_competency_someone_holds_cannot_be_deleted(client: TestClient, db: Any) -> None:
    token = await admin_token(db)
    await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW))
    officer = await bearer_token(db, await make_user(db))
    await call(client, "POST", "/api/v1/profiles/me/competencies", officer, json={"competency_id": NEW, "level": 2})
    assert (await call(client, "DELETE", f"/api/v1/competencies/{NEW}", token))[0] == 409
    assert await db.competencies.find_one({"_id": NEW}) is not None


@pytest.mark.parametrize("roles", [("officer",), ("expert",), ("moderator",), ("mdo_admin",)])
async def test_only_administrators_manage(client: TestClient, db: Any, roles: tuple[str, ...]) -> None:
    token = await bearer_token(db, await make_user(db, roles=roles))
    existing = (await db.competencies.find_one({}))["_id"]
    assert (await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW)))[0] == 403
    assert (await call(client, "DELETE", f"/api/v1/competencies/{existing}", token))[0] == 403
    assert (await call(client, "POST", "/api/v1/positions", token, json=position_data()))[0] == 403
    assert (await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=b"id\n"))[0] == 403
    assert (await client.get("/admin/dictionary", headers={"Authorization": f"Bearer {token}"})).status == 403
    assert await db.competencies.find_one({"_id": NEW}) is None
    assert (await call(client, "GET", "/api/v1/dictionary/export/competencies"))[0] == 401


@pytest.mark.parametrize(("changes", "field"), [
    ({"id": "Bad Id!"}, "id"),
    ({"kind": "magical"}, "kind"),
    ({"name": ""}, "name"),
    ({"levels": [{"level": n, "description": "x"} for n in range(1, 5)]}, "__root__"),
    ({"levels": [{"level": n, "description": "x"} for n in (1, 2, 3, 4, 6)]}, "levels.4.level"),
    ({"levels": [{"level": str(n), "description": "x"} for n in range(1, 6)]}, "levels.0.level"),
    ({"levels": [{"level": n == 1, "description": "x"} for n in range(1, 6)]}, "levels.0.level"),
    ({"kind": "domain", "owner": None}, "__root__"),
    ({"extra": 1}, "extra"),
])
async def test_bad_competencies_are_refused(client: TestClient, db: Any, changes: dict[str, Any], field: str) -> None:
    token = await admin_token(db)
    before = await db.competencies.count_documents({})
    status, problem = await call(client, "POST", "/api/v1/competencies", token, json=competency_data(NEW, **changes))
    assert status == 422 and field in {error["field"] for error in problem["errors"]}, problem
    assert await db.competencies.count_documents({}) == before


async def test_positions_must_require_known_competencies_once_per_activity(client: TestClient, db: Any) -> None:
    token = await admin_token(db)
    status, problem = await call(client, "POST", "/api/v1/positions", token,
                                 json=position_data("pos.test.x", {"fun.no-such-competency": 2}))
    assert status == 422 and "fun.no-such-competency" in problem["errors"][0]["message"]
    existing = (await db.competencies.find_one({}))["_id"]
    data = position_data("pos.test.x", {existing: 2})
    data["roles"][0]["activities"][0]["competencies"].append({"competency": existing, "level": 3})
    assert (await call(client, "POST", "/api/v1/positions", token, json=data))[0] == 422
    data = position_data("pos.test.x", {existing: 7})
    assert (await call(client, "POST", "/api/v1/positions", token, json=data))[0] == 422
    assert await db.positions.find_one({"_id": "pos.test.x"}) is None


async def test_admin_pages_without_javascript(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    await sign_in(client, admin)
    token = await csrf_token(client, "/admin/dictionary/competencies/new")
    form = {"csrf_token": token, "id": NEW, "kind": "functional", "area": "Functional", "theme": "Finance",
            "name": "Outcome budgets", "owner": "", "description": "Money to results.",
            **{f"level_{n}": f"Level {n}" for n in range(1, 6)}}
    bad = await client.post("/admin/dictionary/competencies/new", data={**form, "level_3": ""})
    assert bad.status == 422 and 'id="level_3-error"' in await bad.text()
    assert await db.competencies.find_one({"_id": NEW}) is None
    good = await client.post("/admin/dictionary/competencies/new", data=form, allow_redirects=False)
    assert good.status == 303
    edit = await client.post(f"/admin/dictionary/competencies/{NEW}/edit", data={**form, "name": "Outcome budgeting"},
                             allow_redirects=False)
    assert edit.status == 303 and (await db.competencies.find_one({"_id": NEW}))["name"] == "Outcome budgeting"

    rows = {"req-0-role": "Budgeting", "req-0-activity": "Prepare the outcome budget", "req-0-competency": NEW,
            "req-0-level": "3", "req-1-role": "Budgeting", "req-1-activity": "Review", "req-1-competency": NEW,
            "req-1-level": "2"}
    position = {"csrf_token": token, "id": "pos.test.page", "title": "Budget Officer", "organisation": "Ministry of Finance",
                **rows}
    blank = await (await client.get("/admin/dictionary/positions/new")).text()
    assert 'name="requirements"' not in blank and 'type="text" id="req-0-competency"' not in blank
    assert re.search(r'<select id="req-0-competency" name="req-0-competency">.*?<option value="'
                     + re.escape(NEW) + r'">Outcome budgeting \(Finance\)</option>', blank, re.S), \
        "the competency is picked by its name from the dictionary, not typed as an id"
    bad = await client.post("/admin/dictionary/positions/new", data={**position, "req-2-role": "Budgeting"})
    text = await bad.text()
    assert bad.status == 422 and re.search(r'<legend>Row 3</legend>\s*<p class="error-message" id="req-2-error">Row 3:', text)
    assert 'value="Prepare the outcome budget"' in text, "the rows are shown again as sent"
    assert await db.positions.find_one({"_id": "pos.test.page"}) is None
    assert (await client.post("/admin/dictionary/positions/new", data=position, allow_redirects=False)).status == 303
    stored = await db.positions.find_one({"_id": "pos.test.page"})
    assert [activity["name"] for activity in stored["roles"][0]["activities"]] == ["Prepare the outcome budget", "Review"]
    page = await (await client.get("/admin/dictionary/positions/pos.test.page/edit")).text()
    assert 'id="req-1-activity" name="req-1-activity" value="Review"' in page
    assert re.search(r'<select id="req-1-competency"[^>]*>.*?<option value="' + re.escape(NEW) + '" selected>', page, re.S)
    assert 'id="req-6-role"' in page and 'id="req-7-role"' not in page, "two rows and five empty ones"
    assert (await client.post("/admin/dictionary/positions/pos.test.page/delete", data={"csrf_token": token},
                              allow_redirects=False)).status == 303
    assert (await client.post(f"/admin/dictionary/competencies/{NEW}/delete", data={"csrf_token": token},
                              allow_redirects=False)).status == 303
    assert await db.competencies.find_one({"_id": NEW}) is None
