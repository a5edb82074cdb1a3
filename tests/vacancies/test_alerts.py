"""Saved searches: a newly published vacancy that fits alerts each person once; filters, words
and the minimum match decide; a person manages only their own searches."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions, keys
from community.jobs.runner import Runner
from community.notifications.intents import INTENTS, RECIPIENT_SETS
from community.notifications.notifier import Notifier
from community.notifications.queries import NOTIFICATIONS
from community.profiles import directory
from community.vacancies import alerts
from community.vacancies.matching import Held, score
from community.vacancies.queries import ALERT_ROWS, ALERTS, SAVED_SEARCHES
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.vacancies.helpers import HEALTH, call, hold, refused, scene


async def _save(client: TestClient, token: str, **search: Any) -> str:
    status, saved = await call(client, "POST", "/api/v1/vacancies/saved-searches", token, json=search)
    assert status == 201, saved
    return str(saved["id"])


async def _run_jobs(client: TestClient, db: Any) -> list[dict[str, Any]]:
    app = client.app
    later = {keys.DB: db, keys.EMITTER: app[keys.EMITTER], keys.CLOCK: lambda: app[keys.CLOCK]() + timedelta(seconds=5)}
    with actions.capture() as effects:
        await Runner(later).drain()
    return [notice for notice in effects.notifications if notice["kind"] == "vacancy_alert"]


async def test_a_published_vacancy_alerts_each_fitting_person_once(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    fits, wrong_state, wrong_words, too_weak, strong = [await s.person() for _ in range(5)]
    await _save(client, s.token(fits), state="Kerala", words="outcome budgeting")
    await _save(client, s.token(fits), mode="deputation")
    await _save(client, s.token(wrong_state), state="Assam")
    await _save(client, s.token(wrong_words), words="railway")
    await _save(client, s.token(too_weak), min_match=60)
    await hold(db, too_weak, verified={HEALTH: 1})
    await _save(client, s.token(strong), min_match=60)
    await hold(db, strong, verified={HEALTH: 3})
    draft = await s.post(publish=False)
    assert await _run_jobs(client, db) == [], "a draft alerts nobody"
    await call(client, "POST", f"/api/v1/vacancies/{draft}/publish", s.token(s.admin))
    alerted = await _run_jobs(client, db)
    assert len(alerted) == 1 and alerted[0]["to"]["set"] == "vacancy.alerted", "one intent for everyone the run alerts"
    told = await RECIPIENT_SETS["vacancy.alerted"](db, **alerted[0]["to"]["args"])
    assert sorted(map(str, told)) == sorted([str(fits["_id"]), str(strong["_id"])])
    assert await db[ALERTS].count_documents({}) == 2
    intent = await db[INTENTS].find_one({"kind": "vacancy_alert"})
    assert await Notifier(db, None, client.app[keys.CLOCK]).deliver(intent) == 2, "the notifier tells each of the batch"
    rows = await db[NOTIFICATIONS].find({"kind": "vacancy_alert"}).to_list(None)
    assert sorted(str(row["user_id"]) for row in rows) == sorted([str(fits["_id"]), str(strong["_id"])])
    await call(client, "POST", f"/api/v1/vacancies/{draft}/close", s.token(s.admin))
    await call(client, "POST", f"/api/v1/vacancies/{draft}/reopen", s.token(s.admin),
               json={"closes_at": "2031-01-01T10:00:00+05:30"})
    assert await _run_jobs(client, db) == [], "reopening alerts nobody again"


async def test_people_manage_only_their_own_saved_searches(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    mine = await _save(client, s.token(s.officer), words="budget", pay_level=12)
    status, listed = await call(client, "GET", "/api/v1/vacancies/saved-searches", s.token(s.officer))
    assert [(item["id"], item["words"], item["pay_level"]) for item in listed["items"]] == [(mine, "budget", 12)]
    assert await db[ALERT_ROWS].find_one({"_id": ObjectId(mine)}) == {
        "_id": ObjectId(mine), "filters": '[null, null, 12]', "user_id": s.officer["_id"], "needs": '[0, "budget"]'}
    assert (await call(client, "DELETE", f"/api/v1/vacancies/saved-searches/{mine}", s.token(s.other_admin)))[0] == 404
    assert await db[ALERT_ROWS].count_documents({}) == 1, "a refused delete leaves the alert row"
    status, problem = await call(client, "POST", "/api/v1/vacancies/saved-searches", s.token(s.officer),
                                 json={"min_match": 101})
    assert status == 422 and "min_match" in refused(problem)
    assert await db[ALERT_ROWS].count_documents({}) == 1, "a refused search writes no alert row"
    assert (await call(client, "DELETE", f"/api/v1/vacancies/saved-searches/{mine}", s.token(s.officer)))[0] == 204
    assert await db[SAVED_SEARCHES].count_documents({}) == 0
    assert await db[ALERT_ROWS].count_documents({}) == 0, "the alert row goes with its search"


async def test_the_alerts_page_saves_and_deletes(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    await sign_in(client, s.officer)
    token = await csrf_token(client, "/vacancies/alerts")
    bad = await client.post("/vacancies/alerts", data={"words": "", "min_match": "500", "csrf_token": token})
    assert bad.status == 422 and "Enter 100 or less." in await bad.text()
    saved = await client.post("/vacancies/alerts", allow_redirects=False,
                              data={"words": "health", "state": "Kerala", "mode": "", "min_match": "40", "csrf_token": token})
    assert saved.status == 303
    row = await db[SAVED_SEARCHES].find_one({"user_id": s.officer["_id"]})
    assert (row["words"], row["state"], row["mode"], row["min_match"]) == ("health", "Kerala", None, 40)
    page = await (await client.get("/vacancies/alerts")).text()
    assert "Match at least 40" in page
    gone = await client.post(f"/vacancies/alerts/{row['_id']}/delete", data={"csrf_token": token}, allow_redirects=False)
    assert gone.status == 303 and await db[SAVED_SEARCHES].count_documents({}) == 0
    assert (await client.post(f"/vacancies/alerts/{ObjectId()}/delete", data={"csrf_token": token})).status == 404


async def test_a_vacancy_reads_only_the_saved_searches_its_filters_let_through(bare_db: Any) -> None:
    """Every combination of set, matching and other filters, words and minimum match gives the
    answer the saved searches' rule gives, and only searches whose filters fit are read."""
    vacancy = {"_id": ObjectId(), "title": "Budget officer", "description": "Outcome budgeting", "city": "Kochi",
               "state": "Kerala", "mode": "deputation", "pay_level": 11, "required_ids": [HEALTH],
               "required": [{"competency": HEALTH, "level": 2, "essential": True}]}
    choices = {"mode": (None, "deputation", "contract"), "state": (None, "Kerala", "Assam"), "pay_level": (None, 11, 12)}
    searches, expected = [], set()
    for mode, state, pay_level in itertools.product(*choices.values()):
        for words in ("", "BUDGET kochi", "railway"):
            person = ObjectId()
            searches.append({"_id": ObjectId(), "user_id": person, "mode": mode, "state": state, "pay_level": pay_level,
                             "words": words, "min_match": 0, "created_at": datetime.now(UTC)})
            if mode in (None, "deputation") and state in (None, "Kerala") and pay_level in (None, 11) and words != "railway":
                expected.add(person)
    strong, weak = ObjectId(), ObjectId()
    searches += [{"_id": ObjectId(), "user_id": who, "mode": None, "state": None, "pay_level": None, "words": "",
                  "min_match": 50, "created_at": datetime.now(UTC)} for who in (strong, weak)]
    await bare_db[SAVED_SEARCHES].insert_many(searches)
    assert await alerts.fill_alert_rows(bare_db) == len(searches), "searches from before alert rows get theirs"
    await bare_db[directory.DIRECTORY].insert_many(directory.rows_for(  # type: ignore[arg-type]
        {"_id": strong, "name": "Strong", "org_id": ObjectId()}, {"competencies": [{"competency_id": HEALTH, "level": 2}]},
        {HEALTH: 2}))
    assert set(await alerts.people_to_alert(bare_db, vacancy)) == expected | {strong}
    plan = await bare_db[ALERT_ROWS].find(alerts.searches_it_may_fit(vacancy), alerts.ALERT_FIELDS).explain()
    assert plan["queryPlanner"]["winningPlan"]["stage"] == "PROJECTION_COVERED", "answered from the index's keys"
    assert plan["queryPlanner"]["winningPlan"]["inputStage"]["indexName"] == "filters_1_user_id_1_needs_1"
    assert plan["executionStats"]["totalKeysExamined"] == 8 * 3 + 2, "only the searches whose filters fit are read"
    assert plan["executionStats"]["totalDocsExamined"] == 0


async def test_alert_rows_follow_their_searches_at_start(bare_db: Any) -> None:
    """A start writes the rows of searches from before alert rows (words casefolded, single-spaced,
    beside the minimum match), rewrites rows of the earlier shape (words and minimum match apart,
    each only when set) and removes rows whose search is gone; then it changes nothing."""
    person, kept, earlier, stray = ObjectId(), ObjectId(), ObjectId(), ObjectId()
    await bare_db[SAVED_SEARCHES].insert_many([
        {"_id": kept, "user_id": person, "mode": "deputation", "state": None, "pay_level": None,
         "words": "  Outcome\tBUDGETING ", "min_match": 30, "created_at": datetime.now(UTC)},
        {"_id": earlier, "user_id": person, "mode": None, "state": "Kerala", "pay_level": None,
         "words": "", "min_match": 0, "created_at": datetime.now(UTC)}])
    await bare_db[ALERT_ROWS].insert_many([{"_id": stray, "filters": '[null, null, null]', "user_id": person},
                                           {"_id": earlier, "filters": '[null, "Kerala", null]', "user_id": person}])
    assert await alerts.fill_alert_rows(bare_db) == 3
    assert sorted([row async for row in bare_db[ALERT_ROWS].find({})], key=lambda row: row["_id"] != kept) == [
        {"_id": kept, "filters": '["deputation", null, null]', "user_id": person, "needs": '[30, "outcome budgeting"]'},
        {"_id": earlier, "filters": '[null, "Kerala", null]', "user_id": person, "needs": '[0, ""]'}]
    assert await alerts.fill_alert_rows(bare_db) == 0


async def test_a_minimum_match_asked_by_many_reads_their_levels_from_the_directory_keys(bare_db: Any) -> None:
    """More people asking a minimum match than a read by person serves: their levels come from
    the keys of the directory's (competency, basis, key) index, and the same people are alerted
    as their levels, scored one by one, say (names with a NUL or a digit first included)."""
    other = "beh.self-awareness.self-learning"
    vacancy = {"_id": ObjectId(), "title": "Health", "description": "", "city": "Kochi", "state": "Kerala",
               "mode": "deputation", "pay_level": 11, "required_ids": [HEALTH, other],
               "required": [{"competency": HEALTH, "level": 3, "essential": True},
                            {"competency": other, "level": 2, "essential": False}]}
    people = [ObjectId() for _ in range(directory.HELD_BY_PERSON * 2)]
    levels: dict[ObjectId, dict[str, Held]] = {}
    for n, person in enumerate(people):
        declared = {HEALTH: n % 6, other: (n // 6) % 3}
        verified = {HEALTH: n % 4} if n % 3 else {}
        profile = {"competencies": [{"competency_id": cid, "level": level} for cid, level in declared.items() if level]}
        verified = {cid: level for cid, level in verified.items() if level}
        await bare_db[directory.DIRECTORY].insert_many(directory.rows_for(  # type: ignore[arg-type]
            {"_id": person, "name": f"{n}th\x00officer", "org_id": ObjectId()}, profile, verified))
        levels[person] = {cid: Held(verified.get(cid, 0), max(verified.get(cid, 0), declared[cid]))
                          for cid in declared if declared[cid] or verified.get(cid)}
    await bare_db[SAVED_SEARCHES].insert_many([
        {"_id": ObjectId(), "user_id": person, "mode": None, "state": None, "pay_level": None, "words": "",
         "min_match": 40, "created_at": datetime.now(UTC)} for person in people])
    await alerts.fill_alert_rows(bare_db)
    expected = {person for person in people if score(levels[person], vacancy["required"]) >= 40}
    assert 0 < len(expected) < len(people)
    assert set(await alerts.people_to_alert(bare_db, vacancy)) == expected
    read = bare_db[directory.DIRECTORY].find({"competency": {"$in": vacancy["required_ids"]}},
                                             {"_id": 0, "competency": 1, "basis": 1, "key": 1})
    assert (await read.explain())["executionStats"]["totalDocsExamined"] == 0
