"""The department's pipeline: applicants ranked by match with the explanation and only what
each shared, filters, stages, private notes and the audited CSV; nobody else sees any of it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.vacancies.queries import NOTES
from tests.conftest import csrf_token
from tests.factories import make_user, sign_in
from tests.vacancies.helpers import BUDGET, HEALTH, Scene, call, hold, refused, scene, vacancy_body


async def _three_applicants(s: Scene, vacancy_id: str) -> dict[str, dict[str, Any]]:
    strong, declared, weak = (await s.person(name="Strong"), await s.person(name="Declared"), await s.person(name="Weak"))
    await hold(s.db, strong, verified={HEALTH: 3, BUDGET: 2})
    await hold(s.db, declared, declared={HEALTH: 3, BUDGET: 2})
    await hold(s.db, weak, verified={HEALTH: 2})
    await s.apply(weak, vacancy_id, share=["designation"])
    await s.apply(strong, vacancy_id, share=["email"])
    await s.apply(declared, vacancy_id)
    return {"strong": strong, "declared": declared, "weak": weak}


async def test_applicants_are_ranked_by_match_with_the_explanation_and_only_shared_fields(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    people = await _three_applicants(s, vacancy_id)
    status, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    assert status == 200 and len(listed["items"]) == 3 and listed["next"] is None
    assert [item["match"]["score"] for item in listed["items"]] == [100, 50, 50]
    top = listed["items"][0]
    assert top["shared"] == {"email": people["strong"]["email"]}
    assert top["match"]["summary"] == "2 of 2 competencies, every essential met"
    weak = next(item for item in listed["items"] if item["shared"] == {"designation": "Under Secretary"})
    assert weak["match"]["summary"] == "0 of 2 competencies, 1 essential short by a level"
    assert [row["text"] for row in weak["match"]["rows"]] == ["Short by 1 level: holds level 2.", "Missing."]
    declared = next(item for item in listed["items"] if item["shared"] == {})
    assert declared["match"]["essentials_met"] and declared["match"]["rows"][0]["basis"] == "declared"
    status, met = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants?essentials=true", s.token(s.admin))
    assert len(met["items"]) == 2


async def test_a_profile_change_is_reflected_in_the_ranking(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    people = await _three_applicants(s, vacancy_id)
    await hold(db, people["weak"], verified={HEALTH: 5, BUDGET: 5})
    status, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants?essentials=true", s.token(s.admin))
    assert [item["match"]["score"] for item in listed["items"]] == [100, 100, 50]


async def test_moving_many_at_once_and_filtering_by_stage(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await _three_applicants(s, vacancy_id)
    _, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    ids = [item["id"] for item in listed["items"][:2]]
    status, moved = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/applicants/stage", s.token(s.admin),
                               json={"applications": ids, "status": "shortlisted"})
    assert moved == {"moved": 2}
    _, shortlisted = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants?status=shortlisted",
                                s.token(s.admin))
    assert sorted(item["id"] for item in shortlisted["items"]) == sorted(ids)
    status, problem = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/applicants/stage", s.token(s.admin),
                                 json={"applications": [listed["items"][2]["id"], "nobody|here"], "status": "selected"})
    assert status == 422 and "applications" in refused(problem)
    _, after = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants?status=selected", s.token(s.admin))
    assert after["items"] == [], "one unknown id moves nobody"


async def test_the_pipeline_page_moves_ticked_applicants_and_keeps_notes(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await _three_applicants(s, vacancy_id)
    await sign_in(client, s.admin)
    page = await (await client.get(f"/vacancies/{vacancy_id}/applicants")).text()
    assert "2 of 2 competencies, every essential met" in page and "Match 100%" in page
    _, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    first = listed["items"][0]["id"]
    token = await csrf_token(client, f"/vacancies/{vacancy_id}/applicants")
    response = await client.post(f"/vacancies/{vacancy_id}/applicants/stage", allow_redirects=False,
                                 data={"application": first, "status": "shortlisted", "csrf_token": token})
    assert response.status == 303
    response = await client.post(f"/vacancies/{vacancy_id}/applicants/{first}/notes", allow_redirects=False,
                                 data={"text": "Strong on NHM budgets; call for interview.", "csrf_token": token})
    assert response.status == 303
    page = await (await client.get(f"/vacancies/{vacancy_id}/applicants?status=shortlisted")).text()
    assert "Strong on NHM budgets; call for interview." in page and "3 applications" in page


async def test_the_shortlist_export_is_audited_and_never_a_formula(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    sly = await s.person(name="Sly", designation="=HYPERLINK(\"http://evil\")")
    await hold(db, sly, verified={HEALTH: 3})
    _, mine = await s.apply(sly, vacancy_id, share=["designation"])
    await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/applicants/stage", s.token(s.admin),
               json={"applications": [mine["id"]], "status": "shortlisted"})
    status, body = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/shortlist", s.token(s.admin))
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0][:4] == ["Application", "Match", "Every essential met", "Status"]
    assert rows[1][1:4] == ["75", "Yes", "Shortlisted"] and rows[1][4] == "'=HYPERLINK(\"http://evil\")"
    [entry] = await db.audit_log.find({"action": "vacancy.shortlist_export"}).to_list(None)
    assert (entry["actor_id"], entry["target_id"], entry["details"]) == (s.admin["_id"], ObjectId(vacancy_id), {"rows": 1})


async def test_nobody_outside_the_department_sees_applications_notes_or_the_export(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    _, mine = await s.apply(s.officer, vacancy_id)
    platform_admin = await s.person(roles=("admin",), org=s.ministry)
    dept_officer = await s.person(org=s.department)
    outsiders = [s.other_admin, s.moderator, platform_admin, dept_officer, await s.person()]
    base = f"/api/v1/vacancies/{vacancy_id}"
    for person in outsiders:
        token = s.token(person)
        assert (await call(client, "GET", f"{base}/applicants", token))[0] == 403
        assert (await call(client, "GET", f"{base}/shortlist", token))[0] == 403
        assert (await call(client, "POST", f"{base}/applicants/stage", token,
                           json={"applications": [mine["id"]], "status": "selected"}))[0] == 403
        assert (await call(client, "POST", f"{base}/applicants/{mine['id']}/notes", token, json={"text": "peek"}))[0] == 403
        for action in ("publish", "close"):
            assert (await call(client, "POST", f"{base}/{action}", token))[0] == 403
    assert await db[NOTES].count_documents({}) == 0 and await db.audit_log.count_documents({}) == 0
    assert (await call(client, "GET", f"{base}/applicants", None))[0] == 401


@pytest.mark.parametrize("path", ["/applicants", "/shortlist.csv", "/edit"])
async def test_pages_refuse_outsiders(client: TestClient, db: Any, path: str) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await s.apply(s.officer, vacancy_id)
    await sign_in(client, s.other_admin)
    response = await client.get(f"/vacancies/{vacancy_id}{path}")
    assert response.status == 403
    assert "Ravi Officer" not in await response.text()


async def test_page_writes_refuse_outsiders(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    _, mine = await s.apply(s.officer, vacancy_id)
    moderator = await make_user(db, org=s.department, roles=("moderator",))
    await sign_in(client, moderator)
    token = await csrf_token(client, "/vacancies")
    for path, data in ((f"/vacancies/{vacancy_id}/applicants/stage", {"application": mine["id"], "status": "selected"}),
                       (f"/vacancies/{vacancy_id}/applicants/{mine['id']}/notes", {"text": "peek"}),
                       (f"/vacancies/{vacancy_id}/close", {})):
        response = await client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)
        assert response.status == 403, path
    assert await db[NOTES].count_documents({}) == 0


async def test_editing_the_requirements_ranks_the_applicants_again(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    people = await _three_applicants(s, vacancy_id)
    await hold(db, people["weak"], verified={HEALTH: 2, BUDGET: 5})
    status, _ = await call(client, "PUT", f"/api/v1/vacancies/{vacancy_id}", s.token(s.admin), json=vacancy_body(
        s.department, required=[{"competency": BUDGET, "level": 4, "essential": True}]))
    assert status == 200
    _, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    assert [(item["shared"], item["match"]["score"]) for item in listed["items"]][0] == ({"designation": "Under Secretary"}, 100)
    assert [item["match"]["score"] for item in listed["items"]] == [100, 50, 25]


async def test_applicants_come_a_page_at_a_time_with_a_cursor(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await _three_applicants(s, vacancy_id)
    base = f"/api/v1/vacancies/{vacancy_id}/applicants"
    _, first = await call(client, "GET", f"{base}?limit=2", s.token(s.admin))
    _, second = await call(client, "GET", f"{base}?limit=2&after={first['next']}", s.token(s.admin))
    _, whole = await call(client, "GET", base, s.token(s.admin))
    assert [item["id"] for item in first["items"] + second["items"]] == [item["id"] for item in whole["items"]]
    assert second["next"] is None and len(first["items"]) == 2
    status, problem = await call(client, "GET", f"{base}?after=bm9wZQ", s.token(s.admin))
    assert status == 422 and "after" in refused(problem)


async def test_one_applicant_is_counted_in_the_singular(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await s.apply(await s.person(name="Only"), vacancy_id)
    await sign_in(client, s.admin)
    page = await (await client.get(f"/vacancies/{vacancy_id}/applicants")).text()
    assert "<p>1 application</p>" in page and "1 applications" not in page
