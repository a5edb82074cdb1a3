"""An officer's open vacancies ranked by their match, eligibility as filters, the vacancy page's
explanation and how to close the gap; erasure and export of applications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.privacy.erase import erase_person
from community.privacy.export import personal_data
from community.policy import ANONYMOUS
from community.vacancies.queries import ALERT_ROWS, APPLICATIONS, NOTES, SAVED_SEARCHES, VACANCIES
from community.search_pages.routes import INDEXER
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.vacancies.helpers import BUDGET, HEALTH, call, hold, scene


async def test_open_vacancies_are_ranked_by_the_officers_match_and_filtered_by_eligibility(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await hold(db, s.officer, verified={BUDGET: 4})
    health = await s.post(title="Health programme lead")
    budget = await s.post(title="Budget lead", state="Assam", mode="contract",
                          required=[{"competency": BUDGET, "level": 4, "essential": True}])
    await s.post(title="Not yet published", publish=False)
    health_only = await s.post(title="Health only", closes_at=(datetime.now(UTC) + timedelta(days=2)).isoformat(),
                 required=[{"competency": HEALTH, "level": 1, "essential": True}])
    status, listed = await call(client, "GET", "/api/v1/vacancies", s.token(s.officer))
    assert status == 200
    assert [(item["title"], item["match"]["score"]) for item in listed["items"]] == [
        ("Budget lead", 100), ("Health programme lead", 25), ("Health only", 0)]
    assert listed["items"][1]["match"]["summary"] == "1 of 2 competencies, 1 essential not met"
    _, contract = await call(client, "GET", "/api/v1/vacancies?mode=deputation", s.token(s.officer))
    assert [item["id"] for item in contract["items"]] == [health, health_only]
    _, assam = await call(client, "GET", "/api/v1/vacancies?state=Assam", s.token(s.officer))
    assert [item["id"] for item in assam["items"]] == [budget]
    _, anonymous = await call(client, "GET", "/api/v1/vacancies")
    assert all(item["match"] is None for item in anonymous["items"])
    assert [item["title"] for item in anonymous["items"]][0] == "Health only", "the soonest closing first"


async def test_the_gap_links_threads_and_experts_verified_at_the_level(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    expert = await s.person(name="Dr Expert", roles=("expert",))
    await hold(db, expert, verified={HEALTH: 4})
    novice = await s.person(name="Not An Expert", roles=("expert",))
    await hold(db, novice, verified={HEALTH: 2})
    await hold(db, s.officer, verified={BUDGET: 2})
    status, gap = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/gap", s.token(s.officer))
    assert status == 200
    [health] = gap["items"]
    assert (health["competency"], health["short_by"]) == (HEALTH, 3)
    assert [expert["label"] for expert in health["experts"]] == ["Dr Expert"]
    assert health["threads_url"] == f"/search?kind=discussions&competency={HEALTH}"
    assert health["experts_url"] == f"/network?competency={HEALTH}&min_level=3&basis=verified&role=expert"


async def test_the_vacancy_page_explains_the_match_and_takes_an_application(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    await hold(db, s.officer, verified={HEALTH: 2}, declared={BUDGET: 2})
    await sign_in(client, s.officer)
    page = await (await client.get(f"/vacancies/{vacancy_id}")).text()
    assert "How you match: 63%" in page
    assert "0 of 2 competencies, 1 essential short by a level" not in page
    assert "1 of 2 competencies, 1 essential short by a level" in page
    assert "Meets level 2 (declared, not yet verified)." in page and "How to close the gap" in page
    token = await csrf_token(client, f"/vacancies/{vacancy_id}")
    response = await client.post(f"/vacancies/{vacancy_id}/apply", allow_redirects=False,
                                 data={"statement": "", "csrf_token": token})
    assert response.status == 422 and "This field cannot be empty." in await response.text()
    response = await client.post(f"/vacancies/{vacancy_id}/apply", allow_redirects=False,
                                 data={"statement": "Keen.", "share": "designation", "csrf_token": token})
    assert response.status == 303
    page = await (await client.get(f"/vacancies/{vacancy_id}")).text()
    assert '<strong id="application-status">Submitted</strong>' in page
    mine = await (await client.get("/vacancies/applications")).text()
    assert "Deputy Director, Public Health Budgets" in mine


async def test_erasure_removes_applications_and_notes_but_the_department_keeps_its_count(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post()
    _, mine = await s.apply(s.officer, vacancy_id, share=["email"])
    await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/applicants/{mine['id']}/notes", s.token(s.admin),
               json={"text": "Interview next week."})
    await call(client, "POST", "/api/v1/vacancies/saved-searches", s.token(s.officer), json={"words": "health"})
    exported = (await personal_data(db, s.officer["_id"]))["collections"]
    assert exported[SAVED_SEARCHES]["documents"][0]["words"] == "health"
    assert exported[ALERT_ROWS]["documents"][0]["needs"] == '[0, "health"]'
    assert exported[APPLICATIONS]["documents"][0]["shared"] == {"email": s.officer["email"]}
    assert exported[APPLICATIONS]["documents"][0]["consent"]["fields"] == ["email"]
    assert exported[NOTES]["documents"][0]["text"] == "Interview next week."
    await erase_person(db, s.officer["_id"], actor=ANONYMOUS)
    assert await db[APPLICATIONS].count_documents({}) == 0 and await db[NOTES].count_documents({}) == 0
    assert await db[SAVED_SEARCHES].count_documents({}) == 0 and await db[ALERT_ROWS].count_documents({}) == 0
    assert (await db[VACANCIES].find_one({"_id": ObjectId(vacancy_id)}))["applications"] == 1
    status, listed = await call(client, "GET", f"/api/v1/vacancies/{vacancy_id}/applicants", s.token(s.admin))
    assert listed["items"] == []
    await erase_person(db, s.admin["_id"], actor=ANONYMOUS)
    assert (await db[VACANCIES].find_one({"_id": ObjectId(vacancy_id)}))["created_by"] is None


async def test_times_are_stored_in_utc_and_shown_in_ist(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post(closes_at="2031-03-01T17:30")
    stored = await db[VACANCIES].find_one({"_id": ObjectId(vacancy_id)})
    assert stored["closes_at"].replace(tzinfo=UTC) == datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
    page = await (await client.get(f"/vacancies/{vacancy_id}")).text()
    assert "<dd>1 Mar 2031, 17:30 IST</dd>" in page, "the closing time as the site shows times, not as stored"
    assert datetime.now(UTC) < stored["closes_at"].replace(tzinfo=UTC) - timedelta(days=1)


async def test_the_atom_feed_lists_open_vacancies_only(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    shown = await s.post(title="Open <one> & more")
    await s.post(title="Still a draft", publish=False)
    response = await client.get("/vacancies/feed.atom")
    body = await response.text()
    assert response.status == 200 and response.content_type == "application/atom+xml"
    assert f"/vacancies/{shown}</id>" in body and "Open &lt;one&gt; &amp; more" in body
    assert "Still a draft" not in body and "<name>Department of Health Research</name>" in body


async def test_published_vacancies_are_found_in_search_and_drafts_are_not(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    shown = await s.post(title="Epidemiologist for the Kerala programme")
    await s.post(title="Epidemiologist draft", publish=False)
    await client.app[INDEXER].drain()
    status, found = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist", s.token(s.officer))
    assert status == 200
    assert [hit["id"] for hit in found["hits"]] == [shown]
    facets = {name: {value["value"] for value in values} for name, values in found["facets"].items()}
    assert facets["org_id"] == {str(s.department["_id"])} and HEALTH in facets["competencies"]
    await call(client, "POST", f"/api/v1/vacancies/{shown}/close", s.token(s.admin))
    await client.app[INDEXER].drain()
    _, closed = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist", s.token(s.officer))
    assert [hit["id"] for hit in closed["hits"]] == [shown], "a closed vacancy stays findable"


async def test_an_empty_list_says_whether_the_filters_or_the_site_are_empty(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await sign_in(client, s.admin)
    page = await (await client.get("/vacancies")).text()
    assert "No vacancy is open just now." in page and "match these filters" not in page
    filtered = await (await client.get("/vacancies", params={"state": "Bihar", "mode": ""})).text()
    assert "No open vacancies match these filters." in filtered and "No vacancy is open just now." not in filtered
