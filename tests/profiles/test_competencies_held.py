"""Declared competencies, experts' endorsements, recorded results, and the gap against a position."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.notifications.routes import NOTIFIER
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import BUDGET, HEALTH, POSITION, call, small_dictionary


def held(shown: dict[str, Any], competency_id: str) -> dict[str, Any]:
    return next(row for row in shown["competencies"] if row["competency_id"] == competency_id)


async def test_declare_endorse_verify_and_gap(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, expert = await make_user(db), await make_user(db, roles=("expert",))
    admin = await make_user(db, roles=("admin",))
    mine, theirs, admins = (await bearer_token(db, officer), await bearer_token(db, expert), await bearer_token(db, admin))
    assert (await call(client, "PUT", "/api/v1/profiles/me", mine, json={"name": "Officer", "position_id": POSITION}))[0] == 200
    status, shown = await call(client, "POST", "/api/v1/profiles/me/competencies", mine,
                               json={"competency_id": HEALTH, "level": 2})
    assert status == 200 and held(shown, HEALTH)["self_level"] == 2 and held(shown, HEALTH)["verified_level"] is None
    status, shown = await call(client, "POST", "/api/v1/profiles/me/competencies", mine,
                               json={"competency_id": HEALTH, "level": 3})
    assert [row["self_level"] for row in shown["competencies"]] == [3]

    endorse_at_4 = {"competency_id": HEALTH, "level": 4}
    status, problem = await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/endorsements", theirs, json=endorse_at_4)
    assert status == 422 and problem["errors"][0]["field"] == "level", "an expert who does not list it holds no level"
    await call(client, "POST", "/api/v1/profiles/me/competencies", theirs, json={"competency_id": HEALTH, "level": 4})
    status, answer = await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/endorsements", theirs, json=endorse_at_4)
    assert status == 201 and answer == {"created": True}
    status, answer = await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/endorsements", theirs,
                                json={"competency_id": HEALTH, "level": 3})
    assert status == 200 and answer == {"created": False}
    assert await db.endorsements.count_documents({"user_id": officer["_id"]}) == 1
    await client.app[NOTIFIER].drain()
    told = await db.notifications.find({"user_id": officer["_id"], "kind": "endorsement"}).to_list(None)
    assert len(told) == 1 and told[0]["actor_id"] == expert["_id"] and told[0]["params"]["level"] == 3
    await db.users.update_one({"_id": expert["_id"]}, {"$set": {"name": "Dr Meera Iyer"}})
    status, listed = await call(client, "GET", "/api/v1/notifications", mine)
    assert status == 200 and listed["items"][0]["text"].startswith("Dr Meera Iyer endorsed your ")
    assert listed["items"][0]["text"].endswith("at level 3."), "rendered when shown, with the expert's name as it is now"

    status, _ = await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/verifications", admins,
                           json={"competency_id": BUDGET, "level": 2, "source": "course", "reference": "iGOT: Outcome budgets"})
    assert status == 201
    status, shown = await call(client, "GET", "/api/v1/profiles/me", mine)
    assert held(shown, HEALTH) | {"name": None} == {
        "competency_id": HEALTH, "name": None, "self_level": 3, "verified_level": 3, "sources": ["endorsement"],
        "endorsements": 1, "verification": "Verified at level 3: endorsed by 1 expert in this competency."}
    assert held(shown, BUDGET)["self_level"] is None and held(shown, BUDGET)["sources"] == ["course"]
    gap = {row["competency_id"]: (row["required"], row["held"], row["gap"]) for row in shown["gap"]}
    assert gap == {HEALTH: (3, 3, 0), BUDGET: (4, 2, 2)}

    assert (await call(client, "DELETE", f"/api/v1/profiles/me/competencies/{HEALTH}", mine))[0] == 204
    assert (await call(client, "DELETE", f"/api/v1/profiles/me/competencies/{HEALTH}", mine))[0] == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"competencies": [{"competency_id": "fun.no-such-thing", "level": 2}]}, "competencies.0.competency_id"),
    ({"competencies": [{"competency_id": HEALTH, "level": 0}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": 6}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": "three"}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": "3"}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": False}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": 3.0}]}, "competencies.0.level"),
    ({"competencies": [{"competency_id": HEALTH, "level": 2}, {"competency_id": HEALTH, "level": 3}]}, "competencies"),
    ({"competencies": [{"competency_id": HEALTH, "level": 2, "verified_level": 5}]}, "competencies.0.verified_level"),
    ({"competencies": [{"competency_id": HEALTH, "level": 1}] * 61}, "competencies"),
])
async def test_bad_competency_lists_change_nothing(client: TestClient, db: Any, body: dict[str, Any], field: str) -> None:
    await small_dictionary(db)
    user = await make_user(db)
    token = await bearer_token(db, user)
    assert (await call(client, "PUT", "/api/v1/profiles/me/competencies", token,
                       json={"competencies": [{"competency_id": BUDGET, "level": 1}]}))[0] == 200
    status, problem = await call(client, "PUT", "/api/v1/profiles/me/competencies", token, json=body)
    assert status == 422 and field in {error["field"] for error in problem["errors"]}, problem
    assert (await db.profiles.find_one({"_id": user["_id"]}))["competencies"] == [{"competency_id": BUDGET, "level": 1}]


async def test_endorsement_rules(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, peer = await make_user(db), await make_user(db)
    expert = await make_user(db, roles=("expert",))
    officer_token, peer_token, expert_token = [await bearer_token(db, user) for user in (officer, peer, expert)]
    await call(client, "POST", "/api/v1/profiles/me/competencies", officer_token, json={"competency_id": HEALTH, "level": 2})
    await call(client, "POST", "/api/v1/profiles/me/competencies", expert_token, json={"competency_id": HEALTH, "level": 5})
    url = f"/api/v1/profiles/{officer['_id']}/endorsements"
    status, problem = await call(client, "POST", url, peer_token, json={"competency_id": HEALTH, "level": 3})
    assert status == 422 and problem["errors"][0]["field"] == "level", "a peer with no verified level cannot endorse"
    assert (await call(client, "POST", f"/api/v1/profiles/{expert['_id']}/endorsements", expert_token,
                       json={"competency_id": HEALTH, "level": 5}))[0] == 403
    status, problem = await call(client, "POST", url, expert_token, json={"competency_id": BUDGET, "level": 3})
    assert status == 422 and problem["errors"][0]["field"] == "competency_id"
    status, problem = await call(client, "POST", url, expert_token, json={"competency_id": HEALTH, "level": 9})
    assert status == 422 and problem["errors"][0]["field"] == "level"
    assert (await call(client, "POST", "/api/v1/profiles/000000000000000000000000/endorsements", expert_token,
                       json={"competency_id": HEALTH, "level": 3}))[0] == 404
    assert await db.endorsements.count_documents({}) == 0
    assert (await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/verifications", expert_token,
                       json={"competency_id": HEALTH, "level": 3, "source": "assessment", "reference": "x"}))[0] == 403


async def test_pages_declare_and_endorse_without_javascript(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, expert = await make_user(db, name="Officer Page"), await make_user(db, roles=("expert",))
    await db.profiles.insert_one({"_id": expert["_id"], "competencies": [{"competency_id": HEALTH, "level": 4}]})
    await sign_in(client, officer)
    token = await csrf_token(client, "/profile/edit")
    response = await client.post("/profile/competencies", data={"csrf_token": token, "competency_id": HEALTH, "level": "2"},
                                 allow_redirects=False)
    assert response.status == 303
    unknown = await client.post("/profile/competencies", data={"csrf_token": token, "competency_id": "dom.nothing", "level": "2"})
    assert unknown.status == 422 and 'id="competency_id-error"' in await unknown.text()
    too_high = await client.post("/profile/competencies", data={"csrf_token": token, "competency_id": HEALTH, "level": "7"})
    assert too_high.status == 422 and 'id="level-error"' in await too_high.text()
    assert (await db.profiles.find_one({"_id": officer["_id"]}))["competencies"] == [{"competency_id": HEALTH, "level": 2}]
    client.session.cookie_jar.clear()
    await sign_in(client, expert)
    page = await client.get(f"/people/{officer['_id']}")
    assert 'action="/people/' in await page.text()
    token = await csrf_token(client, f"/people/{officer['_id']}")
    response = await client.post(f"/people/{officer['_id']}/endorse",
                                 data={"csrf_token": token, "competency_id": HEALTH, "level": "3"}, allow_redirects=False)
    assert response.status == 303
    assert (await db.endorsements.find_one({"user_id": officer["_id"]}))["level"] == 3
    page = await (await client.get(f"/people/{officer['_id']}")).text()
    assert "1 endorsement" in page and "endorsed by 1 expert in this competency" in page
    hindi = await client.get(f"/people/{officer['_id']}", headers={"Accept-Language": "hi"})
    assert hindi.status == 200


async def test_administrators_record_results_on_the_profile_page(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, admin = await make_user(db, name="Officer Page"), await make_user(db, roles=("admin",))
    await sign_in(client, admin)
    page = await (await client.get(f"/people/{officer['_id']}")).text()
    assert f'action="/people/{officer["_id"]}/verifications"' in page
    assert f'href="/admin/people/{officer["_id"]}/data"' in page
    token = await csrf_token(client, f"/people/{officer['_id']}")
    bad = await client.post(f"/people/{officer['_id']}/verifications",
                            data={"csrf_token": token, "competency_id": HEALTH, "level": "3", "source": "rumour", "reference": "x"})
    assert bad.status == 422 and 'id="source-error"' in await bad.text()
    good = await client.post(f"/people/{officer['_id']}/verifications", allow_redirects=False,
                             data={"csrf_token": token, "competency_id": HEALTH, "level": "3", "source": "assessment",
                                   "reference": "iGOT assessment 12"})
    assert good.status == 303
    stored = await db.verifications.find_one({"user_id": officer["_id"]})
    assert (stored["level"], stored["source"], stored["recorded_by"]) == (3, "assessment", admin["_id"])
    assert await db.verifications.count_documents({}) == 1
