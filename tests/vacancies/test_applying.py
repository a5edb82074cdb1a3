"""Applying: a statement and chosen fields with the consent recorded; one application per person
however many submits; withdrawal; status changes told to the applicant; refusals write nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.accounts.sessions import actor_for_user
from community.vacancies import applications
from community.vacancies.queries import APPLICATIONS, VACANCIES, application_key
from community.vacancies.schemas import STATEMENT_MAX, ApplyIn, StageIn
from tests.factories import act
from tests.vacancies.helpers import call, refused, scene


async def test_an_application_keeps_the_statement_the_chosen_fields_and_the_consent(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await db.profiles.update_one({"_id": s.officer["_id"]}, {"$set": {"service": "IRS 2011", "bio": "Railway budgets."}},
                                 upsert=True)
    status, mine = await s.apply(s.officer, vacancy_id, share=["designation", "service"])
    assert status == 200, mine
    assert (mine["status"], mine["shared"]) == ("submitted", ["designation", "service"])
    assert mine["consent_purpose"].startswith("Shared with the posting department") and mine["consent_at"]
    stored = await db[APPLICATIONS].find_one({"_id": application_key(ObjectId(vacancy_id), s.officer["_id"])})
    assert stored["shared"] == {"designation": "Under Secretary", "service": "IRS 2011"}, "only what was chosen is copied"
    assert stored["consent"]["fields"] == ["designation", "service"]
    status, again = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/application", s.token(s.officer))
    assert status == 200 and again["id"] == mine["id"]
    assert (await db[VACANCIES].find_one({"_id": ObjectId(vacancy_id)}))["applications"] == 1


async def test_concurrent_double_submits_make_exactly_one_application(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = ObjectId(await s.post())
    actor = actor_for_user(s.officer)
    form = ApplyIn(statement="Please consider me.", share=["designation"])
    await asyncio.gather(*(actions.run_once_more_after_a_conflict(client.app, actor, applications.apply, vacancy_id, form)
                           for _ in range(5)))
    assert await db[APPLICATIONS].count_documents({"vacancy_id": vacancy_id}) == 1
    assert (await db[VACANCIES].find_one({"_id": vacancy_id}))["applications"] == 1


async def test_withdraw_while_open_then_apply_again(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await s.apply(s.officer, vacancy_id)
    status, _ = await call(client, "DELETE", f"/api/v1/vacancies/{vacancy_id}/application", s.token(s.officer))
    assert status == 204
    status, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    assert listed["items"] == []
    status, again = await s.apply(s.officer, vacancy_id)
    assert status == 200 and again["status"] == "submitted"
    assert [step["status"] for step in again["history"]] == ["submitted"]
    await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/close", s.token(s.admin))
    status, problem = await call(client, "DELETE", f"/api/v1/vacancies/{vacancy_id}/application", s.token(s.officer))
    assert status == 422 and "vacancy" in refused(problem)


async def test_refusals_write_nothing(client: TestClient, db: Any, captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    draft = await s.post(publish=False)
    closed = await s.post()
    await call(client, "POST", f"/api/v1/vacancies/{closed}/close", s.token(s.admin))
    open_one = await s.post()
    before = len(captured_effects.notifications), await db[APPLICATIONS].count_documents({})
    assert (await s.apply(s.officer, draft))[0] == 404
    status, problem = await s.apply(s.officer, closed)
    assert status == 422 and "vacancy" in refused(problem)
    status, problem = await s.apply(s.admin, open_one)
    assert status == 403 and "own department" in problem["detail"]
    status, problem = await call(client, "PUT", f"/api/v1/vacancies/{open_one}/application", s.token(s.officer),
                                 json={"statement": "x" * (STATEMENT_MAX + 1), "share": []})
    assert status == 422 and "statement" in refused(problem)
    status, problem = await call(client, "PUT", f"/api/v1/vacancies/{open_one}/application", s.token(s.officer),
                                 json={"statement": "Fine.", "share": ["password_hash"]})
    assert status == 422
    assert (len(captured_effects.notifications), await db[APPLICATIONS].count_documents({})) == before


async def test_each_status_change_is_shown_and_told_to_the_applicant(client: TestClient, db: Any,
                                                                    captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    _, mine = await s.apply(s.officer, vacancy_id)
    for stage in ("under_review", "shortlisted", "selected"):
        status, moved = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/applicants/stage", s.token(s.admin),
                                   json={"applications": [mine["id"]], "status": stage})
        assert status == 200 and moved == {"moved": 1}
        notice = captured_effects.notifications[-1]
        assert (notice["kind"], notice["to"]["args"]["user_id"], notice["params"]["status"]) == (
            "vacancy_status", s.officer["_id"], stage)
    status, shown = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/application", s.token(s.officer))
    assert [step["status"] for step in shown["history"]] == ["submitted", "under_review", "shortlisted", "selected"]
    status, vacancy = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}", s.token(s.officer))
    assert vacancy["application_status"] == "selected"
    count = len(captured_effects.notifications)
    await act(client.app, actor_for_user(s.admin), applications.move, ObjectId(vacancy_id),
              StageIn(applications=[mine["id"]], status="selected"))
    assert len(captured_effects.notifications) == count, "a move to the same stage tells nobody"
