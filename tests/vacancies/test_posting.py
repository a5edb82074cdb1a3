"""Posting: draft, publish, edit, close early, close at the deadline, reopen; bad input writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions, keys
from community.jobs.runner import Runner
from community.vacancies.posting import ALERT_JOB, CLOSE_JOB, POSTS_PER_DAY, close_key
from community.vacancies.queries import VACANCIES
from tests.conftest import csrf_token
from tests.factories import forget_recurring_jobs, sign_in
from tests.vacancies.helpers import BUDGET, HEALTH, POSITION, call, refused, scene, vacancy_body


async def test_an_administrator_posts_a_draft_for_an_organisation_below_theirs_and_publishes_it(
        client: TestClient, db: Any, captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post(publish=False)
    status, draft = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}", s.token(s.officer))
    assert status == 404, "a draft is seen by its department alone"
    status, shown = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}", s.token(s.admin))
    assert status == 200 and shown["status"] == "draft" and shown["organisation"] == "Department of Health Research"
    assert shown["description_html"] == "<p>Lead <strong>outcome budgeting</strong> for health schemes.</p>\n"
    assert (shown["pay_level"], shown["mode"], shown["posts"], shown["eligibility_years"]) == (12, "deputation", 2, 5)
    assert [(r["competency"], r["level"], r["essential"]) for r in shown["required"]] == [(HEALTH, 3, True), (BUDGET, 2, False)]
    assert captured_effects.scheduled == []
    status, published = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/publish", s.token(s.admin))
    assert status == 200 and published["status"] == "open"
    closing, alerting = captured_effects.scheduled
    assert (closing["_id"], closing["kind"]) == (close_key(ObjectId(vacancy_id)), CLOSE_JOB)
    assert (alerting["_id"], alerting["kind"]) == (f"{ALERT_JOB}:{vacancy_id}", ALERT_JOB), "saved searches hear of it"
    status, seen = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}", s.token(s.officer))
    assert status == 200 and seen["can_apply"] and not seen["can_manage"]


async def test_the_frac_mapping_fills_the_required_competencies(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    status, mapping = await call(client, "GET", f"/api/v1/vacancies/mappings/{POSITION}", s.token(s.admin))
    assert status == 200
    assert [(r["competency"], r["level"], r["essential"]) for r in mapping["required"]] == [(BUDGET, 4, True), (HEALTH, 3, True)]
    await sign_in(client, s.admin)
    form = {key: str(value) for key, value in vacancy_body(s.department).items() if key != "required"}
    response = await client.post("/vacancies/new", data={**form, "action": "frac",
                                                         "csrf_token": await csrf_token(client, "/vacancies/new")})
    page = await response.text()
    assert response.status == 200
    assert f'<option value="{BUDGET}" selected>' in page and 'name="req-0-level" min="1" max="5" value="4"' in page
    assert await db[VACANCIES].count_documents({}) == 0, "filling from the mapping saves nothing"


BAD = [
    ({"closes_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}, "closes_at"),
    ({"required": [{"competency": HEALTH, "level": 6, "essential": True}]}, "required.0.level"),
    ({"required": [{"competency": HEALTH, "level": 0, "essential": True}]}, "required.0.level"),
    ({"required": [{"competency": "fun.no.such-thing", "level": 2, "essential": True}]}, "required"),
    ({"position_id": "pos.no.such-position"}, "position_id"),
    ({"required": []}, "required"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
async def test_bad_input_is_refused_by_field_and_writes_nothing(client: TestClient, db: Any, change: dict[str, Any],
                                                                field: str, captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    status, problem = await call(client, "POST", "/api/v1/vacancies", s.token(s.admin),
                                 json=vacancy_body(s.department, **change))
    assert status == 422 and field in refused(problem), problem
    assert await db[VACANCIES].count_documents({}) == 0 and captured_effects.empty


async def test_the_form_names_the_refused_field(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await sign_in(client, s.admin)
    for closes_at, level, message in (("2030-01-01T10:00", "9", "Enter 5 or less."),
                                      ("2020-01-01T10:00", "3", "The closing time must be in the future.")):
        form = {key: str(value) for key, value in vacancy_body(s.department, closes_at=closes_at).items()
                if key != "required"}
        response = await client.post("/vacancies/new", data={
            **form, "req-0-competency": HEALTH, "req-0-level": level, "req-0-essential": "essential",
            "csrf_token": await csrf_token(client, "/vacancies/new")})
        page = await response.text()
        assert response.status == 422 and message in page
        assert 'value="Deputy Director, Public Health Budgets"' in page, "what was typed is kept"
    assert await db[VACANCIES].count_documents({}) == 0


async def test_nobody_posts_for_an_organisation_that_is_not_theirs_or_below(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    for person in (s.other_admin, s.officer, s.moderator):
        status, _ = await call(client, "POST", "/api/v1/vacancies", s.token(person), json=vacancy_body(s.department))
        assert status == 403
    assert await db[VACANCIES].count_documents({}) == 0


async def test_edit_tells_applicants_and_moves_the_deadline(client: TestClient, db: Any,
                                                           captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    assert (await s.apply(s.officer, vacancy_id))[0] == 200
    later = datetime.now(UTC) + timedelta(days=20)
    status, edited = await call(client, "PUT", f"/api/v1/vacancies/{vacancy_id}", s.token(s.admin),
                                json=vacancy_body(s.department, title="Director, Health Budgets", closes_at=later.isoformat()))
    assert status == 200 and edited["title"] == "Director, Health Budgets"
    notice = captured_effects.notifications[-1]
    assert (notice["kind"], notice["to"]["set"], notice["to"]["args"]["vacancy_id"]) == (
        "vacancy_changed", "vacancy.applicants", ObjectId(vacancy_id))
    job = captured_effects.scheduled[-1]
    assert job["_id"] == close_key(ObjectId(vacancy_id)) and abs((job["due_at"].replace(tzinfo=UTC) - later).total_seconds()) < 1


async def test_close_early_cancels_the_job_and_reopen_schedules_a_new_date(client: TestClient, db: Any,
                                                                          captured_effects: actions.Effects) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    status, closed = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/close", s.token(s.admin))
    assert status == 200 and closed["status"] == "closed" and not closed["can_apply"]
    assert captured_effects.cancelled == [close_key(ObjectId(vacancy_id))]
    assert await db.jobs.find_one({"_id": close_key(ObjectId(vacancy_id))}) is None
    status, problem = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/reopen", s.token(s.admin),
                                 json={"closes_at": "2020-01-01T00:00:00+00:00"})
    assert status == 422 and "closes_at" in refused(problem)
    status, reopened = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/reopen", s.token(s.admin),
                                  json={"closes_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()})
    assert status == 200 and reopened["status"] == "open"
    assert await db.jobs.find_one({"_id": close_key(ObjectId(vacancy_id))}) is not None


async def test_the_deadline_job_closes_the_vacancy_once(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    # An hour ahead, so that the server's own runner (on the real clock) never reaches the
    # deadline before this test's runner, whose clock is two hours ahead, does.
    vacancy_id = await s.post(closes_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    assert (await s.apply(s.officer, vacancy_id))[0] == 200
    app = client.app
    later = {keys.DB: db, keys.EMITTER: app[keys.EMITTER], keys.CLOCK: lambda: app[keys.CLOCK]() + timedelta(hours=2)}
    await forget_recurring_jobs(db)
    with actions.capture() as effects:
        assert await Runner(later).drain() == 2, "the saved searches' alerts, then the deadline"
        assert await Runner(later).drain() == 0
    stored = await db[VACANCIES].find_one({"_id": ObjectId(vacancy_id)})
    assert stored["status"] == "closed"
    assert [notice["kind"] for notice in effects.notifications] == ["vacancy_closed"]
    status, problem = await s.apply(await s.person(), vacancy_id)
    assert status == 422 and "vacancy" in refused(problem)


async def test_posting_is_rate_limited_and_a_refused_post_writes_nothing(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    for _ in range(POSTS_PER_DAY):
        await s.post(publish=False)
    status, _ = await call(client, "POST", "/api/v1/vacancies", s.token(s.admin), json=vacancy_body(s.department))
    assert status == 429
    assert await db[VACANCIES].count_documents({}) == POSTS_PER_DAY
