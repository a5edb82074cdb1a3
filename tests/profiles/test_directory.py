"""The Network directory: people by competency and level, organisation, state, language, role and
free text; filters that never reveal a hidden field; a cursor that holds across pages."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from community.profiles import directory
from community.search_pages.routes import INDEXER
from tests.factories import bearer_token, make_org, make_user
from tests.profiles.helpers import BUDGET, HEALTH, auth, call, small_dictionary


async def indexed(client: TestClient) -> None:
    """Let the search outbox, which also keeps the directory, catch up with the writes so far."""
    await client.app[INDEXER].drain()


async def declare(client: TestClient, db: Any, person: dict[str, Any], level: int, competency: str = HEALTH,
                  **profile: Any) -> None:
    token = await bearer_token(db, person)
    if profile:
        status, answer = await call(client, "PUT", "/api/v1/profiles/me", token, json={"name": person["name"], **profile})
        assert status == 200, answer
    status, answer = await call(client, "POST", "/api/v1/profiles/me/competencies", token,
                                json={"competency_id": competency, "level": level})
    assert status == 200, answer


def names(body: dict[str, Any]) -> list[str]:
    return [person["name"] for person in body["items"]]


async def test_directory_filters_by_competency_level_role_and_place(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    home = await make_org(db, name="Ministry of Health")
    viewer = await make_user(db, org=home, name="Viewer")
    token = await bearer_token(db, viewer)
    anita = await make_user(db, org=home, roles=("expert",), name="Anita")
    bharat = await make_user(db, name="Bharat")
    chitra = await make_user(db, roles=("expert",), name="Chitra")
    dev = await make_user(db, roles=("expert",), name="Dev")
    await declare(client, db, anita, 4, state="Kerala", languages=["Malayalam", "Hindi"])
    await declare(client, db, bharat, 2, state="Bihar", languages=["Hindi"])
    await declare(client, db, chitra, 5, BUDGET)
    await declare(client, db, dev, 5)
    await indexed(client)

    status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}", token)
    assert status == 200 and names(body) == ["Dev", "Anita", "Bharat"]
    assert body["items"][0]["match"] == {"competency_id": HEALTH, "level": 5, "basis": "declared"}
    assert names((await call(client, "GET", f"/api/v1/people?competency={HEALTH}&min_level=3", token))[1]) == ["Dev", "Anita"]
    assert names((await call(client, "GET", f"/api/v1/people?competency={HEALTH}&role=officer", token))[1]) == ["Bharat"]
    assert names((await call(client, "GET", "/api/v1/people?role=expert", token))[1]) == ["Anita", "Chitra", "Dev"]
    assert names((await call(client, "GET", "/api/v1/people?state=Kerala", token))[1]) == ["Anita"]
    assert names((await call(client, "GET", "/api/v1/people?language=Hindi", token))[1]) == ["Anita", "Bharat"]
    assert names((await call(client, "GET", f"/api/v1/people?org={home['_id']}", token))[1]) == ["Anita"]

    admin = await make_user(db, roles=("admin",), name="Admin")
    status, _ = await call(client, "POST", f"/api/v1/profiles/{bharat['_id']}/verifications", await bearer_token(db, admin),
                           json={"competency_id": HEALTH, "level": 3, "source": "assessment", "reference": "A-1"})
    assert status == 201
    await indexed(client)  # the result reindexes the person, and the directory follows
    status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}&basis=verified", token)
    assert names(body) == ["Bharat"] and body["items"][0]["match"]["basis"] == "verified"
    status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}&min_level=3", token)
    assert names(body) == ["Dev", "Anita", "Bharat"] and body["items"][2]["match"] == {
        "competency_id": HEALTH, "level": 3, "basis": "verified"}

    page = await (await client.get(f"/network?competency={HEALTH}&min_level=3", headers=auth(token))).text()
    assert "Anita" in page and "Chitra" not in page and "self-declared level 4" in page and "verified level 3" in page
    assert '<label for="min_level">' in page


async def test_free_text_goes_through_the_people_search_index(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    viewer = await make_user(db, name="Viewer")
    token = await bearer_token(db, viewer)
    for name, words in (("Anita", "Malaria control in the coastal districts"), ("Bharat", "Railway budgets")):
        person = await make_user(db, roles=("expert",), name=name)
        await declare(client, db, person, 3, bio=words)
    await indexed(client)
    assert names((await call(client, "GET", "/api/v1/people?q=malaria", token))[1]) == ["Anita"]
    assert names((await call(client, "GET", f"/api/v1/people?q=budgets&competency={HEALTH}", token))[1]) == ["Bharat"]


async def test_a_filter_never_matches_on_a_field_hidden_from_the_viewer(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    home, other = await make_org(db, name="Home Ministry"), await make_org(db, name="Other Ministry")
    owner = await make_user(db, org=home, name="Asha Owner")
    colleague, stranger = await make_user(db, org=home, name="Colleague"), await make_user(db, org=other, name="Stranger")
    await declare(client, db, owner, 4, state="Kerala", languages=["Tamil"],
                  privacy={"competencies": "organisation", "location": "organisation", "languages": "me",
                           "organisation": "me"})
    await indexed(client)
    asks = {"competency": f"competency={HEALTH}", "state": "state=Kerala", "language": "language=Tamil",
            "organisation": f"org={home['_id']}"}
    sees = {"colleague": {"competency", "state"}, "stranger": set()}
    for viewer_name, viewer in (("colleague", colleague), ("stranger", stranger)):
        token = await bearer_token(db, viewer)
        for field, query in asks.items():
            status, body = await call(client, "GET", f"/api/v1/people?{query}", token)
            assert status == 200
            assert ("Asha Owner" in names(body)) is (field in sees[viewer_name]), (viewer_name, field)
        status, body = await call(client, "GET", "/api/v1/people", token)
        card = next(person for person in body["items"] if person["name"] == "Asha Owner")
        assert ("competencies" in card) is (viewer_name == "colleague") and "languages" not in card
    assert "Asha Owner" in names((await call(client, "GET", "/api/v1/people?language=Tamil", await bearer_token(db, owner)))[1])


async def test_the_cursor_walks_every_page_once_even_when_people_join_meanwhile(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    viewer = await make_user(db, name="Viewer")
    token = await bearer_token(db, viewer)
    for n in range(23):
        person = await make_user(db, name=f"Member {n:02d}")
        await db.profiles.insert_one({"_id": person["_id"], "competencies": [{"competency_id": HEALTH, "level": 1 + n % 5}]})
        await directory.rebuild(db, person["_id"])
    seen: list[str] = []
    status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}&limit=5", token)
    pages = 1
    while True:
        assert status == 200 and len(body["items"]) <= 5
        seen += names(body)
        if pages == 2:  # someone who sorts before the cursor joins: the walk neither repeats nor skips
            late = await make_user(db, name="Aaron Early")
            await db.profiles.insert_one({"_id": late["_id"], "competencies": [{"competency_id": HEALTH, "level": 5}]})
            await directory.rebuild(db, late["_id"])
        if body["next"] is None:
            break
        status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}&limit=5&after={body['next']}", token)
        pages += 1
    expected = [f"Member {n:02d}" for level in range(5, 0, -1) for n in range(23) if 1 + n % 5 == level]
    assert seen == expected and pages == 5


async def test_bad_filters_are_refused_by_name(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    token = await bearer_token(db, await make_user(db))
    for query, field in (("competency=dom.unknown", "competency"), (f"competency={HEALTH}&min_level=6", "min_level"),
                         ("min_level=0x", "min_level"), ("after=not-a-cursor", "after"), ("after=QUJD", "after"),
                         ("org=nobody", "org"), ("state=Atlantis", "state"), ("role=king", "role"), ("limit=500", "limit")):
        status, problem = await call(client, "GET", f"/api/v1/people?{query}", token)
        assert status == 422 and problem["errors"][0]["field"] == field, query
    response = await client.get(f"/network?competency={HEALTH}&min_level=9", headers=auth(token))
    page = await response.text()
    assert response.status == 422 and 'id="min_level-error"' in page and 'aria-invalid="true"' in page


async def test_an_empty_directory_says_so_rather_than_blaming_filters_nobody_chose(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    token = await bearer_token(db, await make_user(db))
    unfiltered = await (await client.get("/network", headers=auth(token))).text()
    assert "Nobody is listed in the directory yet." in unfiltered and "No one matches these filters." not in unfiltered
    emptied = await (await client.get("/network?q=&competency=&basis=any&state=", headers=auth(token))).text()
    assert "Nobody is listed in the directory yet." in emptied, "a form sent with nothing chosen filters nothing"
    filtered = await (await client.get(f"/network?competency={HEALTH}", headers=auth(token))).text()
    assert "No one matches these filters." in filtered and "Nobody is listed" not in filtered


async def test_the_form_as_a_browser_sends_it_with_any_level_is_answered(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    expert = await make_user(db, roles=("expert",), name="Dr Level Four")
    await declare(client, db, expert, 4)
    await indexed(client)
    token = await bearer_token(db, await make_user(db))
    every_field = f"q=&competency={HEALTH}&min_level=&basis=any&org=&state=&language=&role="
    response = await client.get(f"/network?{every_field}", headers=auth(token))
    assert response.status == 200 and "Dr Level Four" in await response.text(), "an empty level is no filter"
    status, body = await call(client, "GET", f"/api/v1/people?{every_field}", token)
    assert status == 200 and names(body) == ["Dr Level Four"]


async def test_network_is_in_the_navigation(client: TestClient) -> None:
    assert "network" in [item.route for item in client.app[keys.NAV]]
    html = await (await client.get("/")).text()
    assert 'href="/network"' in html


async def test_a_rebuild_writes_and_tells_listeners_only_what_changed(db: Any, monkeypatch: Any) -> None:
    """The indexer rebuilds a person's rows after every change to them, most often their Karma
    Points: when the rows come out as they were, the vacancy rescoring listener is not called."""
    await small_dictionary(db)
    heard: list[Any] = []

    async def listener(_db: Any, person_id: Any) -> None:
        heard.append(person_id)

    monkeypatch.setattr(directory, "LEVEL_LISTENERS", [listener])
    person = await make_user(db, name="Asha Rao")
    pid = person["_id"]
    await db.profiles.insert_one({"_id": pid, "competencies": [{"competency_id": HEALTH, "level": 2}]})
    await directory.rebuild(db, pid)
    assert len(await db.directory.find({"person_id": pid}).to_list(None)) == 2 and heard == [pid]
    await directory.rebuild(db, pid)
    assert heard == [pid], "nothing changed, so nobody is told"
    await db.profiles.update_one({"_id": pid}, {"$set": {"competencies": [{"competency_id": HEALTH, "level": 4}]}})
    await directory.rebuild(db, pid)
    rows = {row["_id"]: row for row in await db.directory.find({"person_id": pid}).to_list(None)}
    assert rows[f"{pid}:{HEALTH}:any"]["level"] == 4 and heard == [pid, pid]
    await db.profiles.update_one({"_id": pid}, {"$set": {"competencies": []}})
    await directory.rebuild(db, pid)
    assert [row["_id"] for row in await db.directory.find({"person_id": pid}).to_list(None)] == [f"{pid}::any"]
    assert heard == [pid, pid, pid], "a row removed is a change"


def _filters(page: str) -> tuple[bool, str]:
    found = re.search(r'<details class="filters"( open)?>\s*<summary>([^<]*)</summary>', page)
    assert found, "the filters fold into a disclosure"
    return bool(found.group(1)), found.group(2)


async def test_the_filters_fold_away_until_one_is_set_and_say_how_many_are(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    token = await bearer_token(db, await make_user(db))
    page = await (await client.get("/network", headers=auth(token))).text()
    assert _filters(page) == (False, "Filters")
    assert page.index('id="q"') < page.index('<details class="filters"'), "the words to find stay in sight"
    emptied = await (await client.get("/network?q=asha&competency=&basis=any&state=", headers=auth(token))).text()
    assert _filters(emptied) == (False, "Filters"), "words, an empty filter and the default counting are no filter"
    chosen = await (await client.get(f"/network?competency={HEALTH}&basis=verified&mentoring=on", headers=auth(token))).text()
    assert _filters(chosen) == (True, "Filters: 3 active")
    refused = await (await client.get(f"/network?competency={HEALTH}&min_level=9", headers=auth(token))).text()
    assert _filters(refused)[0] and 'id="min_level-error"' in refused, "a refused filter is shown with its message"
