"""Vacancies counted and narrowed by state, mode and pay level: in search (page and API) and on
the vacancies list's filter form, each value in the reader's language."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.search_pages.routes import INDEXER
from tests.vacancies.helpers import BUDGET, HEALTH, Scene, call, refused, scene


async def _three(s: Scene) -> tuple[str, str, str]:
    kerala = await s.post(title="Epidemiologist, Kerala")
    chennai = await s.post(title="Epidemiologist, Chennai", state="Tamil Nadu", city="Chennai", mode="contract",
                           pay_level=10)
    patna = await s.post(title="Epidemiologist, Patna", state="Bihar", city="Patna", pay_level=10)
    await s.post(title="Epidemiologist draft", state="Assam", publish=False)
    await s.client.app[INDEXER].drain()
    return kerala, chennai, patna


def _counts(found: dict[str, Any], name: str) -> dict[str, tuple[str, int]]:
    return {item["value"]: (item["label"], item["count"]) for item in found["facets"][name]}


async def test_search_counts_and_narrows_vacancies_by_state_mode_and_pay_level(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    kerala, chennai, patna = await _three(s)
    status, found = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist", s.token(s.officer))
    assert status == 200 and found["total"] == 3, "the draft is neither listed nor counted"
    assert _counts(found, "state") == {"Kerala": ("Kerala", 1), "Tamil Nadu": ("Tamil Nadu", 1), "Bihar": ("Bihar", 1)}
    assert _counts(found, "mode") == {"deputation": ("Deputation", 2), "contract": ("Contract", 1)}
    assert _counts(found, "pay_level") == {"10": ("Pay level 10", 2), "12": ("Pay level 12", 1)}
    _, narrowed = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist&pay_level=10&mode=deputation",
                             s.token(s.officer))
    assert [hit["id"] for hit in narrowed["hits"]] == [patna]
    assert _counts(narrowed, "state") == {"Bihar": ("Bihar", 1)}
    status, problem = await call(client, "GET", "/api/v1/search?kind=vacancies&state=Atlantis&pay_level=19",
                                 s.token(s.officer))
    assert status == 422 and {error["field"] for error in problem["errors"]} == {"state", "pay_level"}
    _, by_state = await call(client, "GET", "/api/v1/search?kind=vacancies&state=Tamil+Nadu", s.token(s.officer))
    assert [hit["id"] for hit in by_state["hits"]] == [chennai]
    _, by_level = await call(client, "GET", "/api/v1/search?kind=vacancies&pay_level=12", s.token(s.officer))
    assert [hit["id"] for hit in by_level["hits"]] == [kerala]


async def test_the_search_page_offers_the_facets_in_the_readers_language(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await _three(s)
    english = await (await client.get("/search?kind=vacancies&q=epidemiologist")).text()
    assert "<h2>State</h2>" in english and "<h2>Mode</h2>" in english and "<h2>Pay level</h2>" in english
    assert 'href="/search?q=epidemiologist&amp;kind=vacancies&amp;state=Tamil+Nadu"' in english
    assert ">Pay level 10</a>" in english
    chosen = await (await client.get("/search?kind=vacancies&q=epidemiologist&state=Bihar")).text()
    assert '<input type="hidden" name="state" value="Bihar">' in chosen, "a new search keeps the chosen state"
    assert "Remove filter: Bihar" in chosen and "Tamil Nadu" not in chosen
    hindi = await (await client.get("/search?kind=vacancies&q=epidemiologist",
                                    headers={"Accept-Language": "hi"})).text()
    assert "<h2>राज्य</h2>" in hindi and ">केरल</a>" in hindi and ">तमिलनाडु</a>" in hindi
    assert ">संविदा</a>" in hindi and ">प्रतिनियुक्ति</a>" in hindi and ">वेतन स्तर 10</a>" in hindi
    assert ">contract</a>" not in hindi and ">Kerala</a>" not in hindi


async def test_the_openapi_document_names_the_vacancy_filters_of_search(client: TestClient) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    parameters = {parameter["name"] for parameter in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"state", "mode", "pay_level"} <= parameters


async def test_the_list_filter_form_counts_open_vacancies_by_each_filter(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await _three(s)
    status, listed = await call(client, "GET", "/api/v1/vacancies?mode=deputation", s.token(s.officer))
    assert status == 200 and len(listed["items"]) == 2
    states = {item["value"]: item["count"] for item in listed["counts"]["state"]}
    assert (states["Kerala"], states["Bihar"], states["Tamil Nadu"], states["Assam"]) == (1, 1, 0, 0), \
        "the mode chosen narrows the states' counts; a draft is not counted"
    modes = {item["value"]: (item["label"], item["count"]) for item in listed["counts"]["mode"]}
    assert modes == {"deputation": ("Deputation", 2), "contract": ("Contract", 1), "transfer": ("Transfer", 0),
                     "promotion": ("Promotion", 0)}, "a filter's own choice leaves its other values counted"
    assert [item["value"] for item in listed["counts"]["pay_level"]] == [str(n) for n in range(1, 19)]
    page = await (await client.get("/vacancies?state=Bihar")).text()
    assert '<form method="get" action="/vacancies"' in page
    assert '<option value="Bihar" selected>Bihar (1)</option>' in page
    assert '<option value="deputation">Deputation (1)</option>' in page and '<option value="10">Pay level 10 (1)</option>' in page
    assert "Epidemiologist, Patna" in page and "Epidemiologist, Kerala" not in page
    hindi = await (await client.get("/vacancies", headers={"Accept-Language": "hi"})).text()
    assert '<option value="Kerala">केरल (1)</option>' in hindi and '<option value="contract">संविदा (1)</option>' in hindi
    assert '<option value="10">वेतन स्तर 10 (2)</option>' in hindi and "Patna, बिहार" in hindi
    wrong = await client.get("/vacancies?pay_level=40")
    assert wrong.status == 200 and 'aria-describedby="filter-pay_level-error"' in await wrong.text()
    document = await (await client.get("/api/v1/openapi.json")).json()
    listing = document["components"]["schemas"]["VacancyListOut"]
    assert "counts" in listing["required"] and set(listing["properties"]["counts"]["propertyNames"]["enum"]) == {
        "state", "mode", "pay_level", "org", "competency", "closing"}


async def test_the_list_counts_and_narrows_by_organisation_and_competency(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    health = await s.post(title="Epidemiologist", required=[{"competency": HEALTH, "level": 3, "essential": True}])
    both_kinds = await s.post(title="Health budget adviser")
    ministry = await s.post(title="Budget officer", org_id=str(s.ministry["_id"]),
                            required=[{"competency": BUDGET, "level": 2, "essential": True}])
    await s.post(title="Draft", org_id=str(s.ministry["_id"]), publish=False)
    await s.client.app[INDEXER].drain()
    department, ministry_id = str(s.department["_id"]), str(s.ministry["_id"])
    status, listed = await call(client, "GET", f"/api/v1/vacancies?org={department}", s.token(s.officer))
    assert status == 200 and {item["id"] for item in listed["items"]} == {health, both_kinds}
    assert [(item["value"], item["label"], item["count"]) for item in listed["counts"]["org"]] == [
        (department, "Department of Health Research", 2), (ministry_id, "Ministry of Health", 1)], \
        "only organisations with open vacancies, by name; the chosen one leaves the others counted"
    assert [(item["value"], item["label"], item["count"]) for item in listed["counts"]["competency"]] == [
        (BUDGET, "Outcome budgeting", 1), (HEALTH, "Public health programmes", 2)], "the organisation chosen narrows"
    _, by_competency = await call(client, "GET", f"/api/v1/vacancies?competency={BUDGET}", s.token(s.officer))
    assert {item["id"] for item in by_competency["items"]} == {both_kinds, ministry}
    assert {item["value"]: item["count"] for item in by_competency["counts"]["org"]} == {department: 1, ministry_id: 1}
    assert {item["value"]: item["count"] for item in by_competency["counts"]["competency"]} == {BUDGET: 2, HEALTH: 2}
    _, nothing = await call(client, "GET", f"/api/v1/vacancies?org={s.other_org['_id']}", s.token(s.officer))
    assert nothing["items"] == [] and [item["count"] for item in nothing["counts"]["org"]] == [2, 1, 0], \
        "an organisation with nothing open is still offered once chosen"
    status, problem = await call(client, "GET", "/api/v1/vacancies?org=nonsense&competency=dom.unknown", s.token(s.officer))
    assert status == 422 and refused(problem) == {"org", "competency"}
    page = await (await client.get(f"/vacancies?competency={HEALTH}")).text()
    assert f'<option value="{HEALTH}" selected>Public health programmes (2)</option>' in page
    assert f'<option value="{department}">Department of Health Research (2)</option>' in page
    assert "Epidemiologist" in page and "Budget officer" not in page
    wrong = await (await client.get(f"/vacancies?org={'0' * 24}")).text()
    assert 'aria-describedby="filter-org-error"' in wrong and "Choose one of the offered options." in wrong
