"""The Network directory lists experts, by competency, page by page."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community import keys
from tests.factories import bearer_token, make_user
from tests.profiles.helpers import BUDGET, HEALTH, auth, call, small_dictionary


async def test_directory_lists_experts_holding_a_competency(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    viewer = await make_user(db)
    token = await bearer_token(db, viewer)
    names = ["Anita", "Bharat", "Chitra", "Dev"]
    experts = [await make_user(db, roles=("expert",), name=name) for name in names]
    officer = await make_user(db, name="Not An Expert")
    for person, competency in zip([*experts, officer], [HEALTH, HEALTH, BUDGET, HEALTH, HEALTH], strict=True):
        await call(client, "POST", "/api/v1/profiles/me/competencies", await bearer_token(db, person),
                   json={"competency_id": competency, "level": 4})
    status, body = await call(client, "GET", f"/api/v1/people?competency={HEALTH}", token)
    assert status == 200 and [person["name"] for person in body["items"]] == ["Anita", "Bharat", "Dev"]
    status, first = await call(client, "GET", "/api/v1/people?limit=2", token)
    status, second = await call(client, "GET", f"/api/v1/people?limit=2&after={first['next']}", token)
    assert [p["name"] for p in first["items"]] + [p["name"] for p in second["items"]] == names
    page = await (await client.get(f"/network?competency={HEALTH}", headers=auth(token))).text()
    assert "Anita" in page and "Chitra" not in page and "Not An Expert" not in page
    status, problem = await call(client, "GET", "/api/v1/people?competency=dom.unknown", token)
    assert status == 422 and problem["errors"][0]["field"] == "competency"


async def test_network_is_in_the_navigation(client: TestClient) -> None:
    assert "network" in [item.route for item in client.app[keys.NAV]]
    html = await (await client.get("/")).text()
    assert 'href="/network"' in html
