"""Every privacy level against every kind of viewer, through the API, the profile page and the directory."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.profiles.fields import field_names
from community.search_pages.routes import INDEXER
from tests.factories import bearer_token, make_org, make_user, sent_to_sign_in
from tests.profiles.helpers import BUDGET, HEALTH, POSITION, auth, call, image_bytes, small_dictionary

VIEWERS = ("self", "same_org", "connected", "stranger", "admin")
SEES = {
    "everyone": {"self", "same_org", "connected", "stranger", "admin"},
    "organisation": {"self", "same_org"},
    "connections": {"self", "connected"},
    "me": {"self"},
}
MARKERS = {
    "designation": "Joint Secretary (Health Finance)", "service": "IAS 2009 Kerala cadre",
    "bio": "Runs the maternal health budget review", "email": "asha.owner@example.gov.in", "mobile": "+919812345678",
    "expertise": "Health financing",
}


async def people(db: Any) -> dict[str, dict[str, Any]]:
    home, other = await make_org(db, name="Ministry of Health and Family Welfare"), await make_org(db, name="Ministry of Railways")
    owner = await make_user(db, org=home, roles=("expert",), name="Asha Owner", email=MARKERS["email"],
                            mobile=MARKERS["mobile"], designation=MARKERS["designation"])
    viewers = {
        "self": owner,
        "same_org": await make_user(db, org=home, name="Same Org"),
        "connected": await make_user(db, org=other, name="Connected Friend"),
        "stranger": await make_user(db, org=other, name="Stranger"),
        "admin": await make_user(db, org=other, roles=("admin",), name="Platform Admin"),
    }
    await db.connections.insert_one({"a": viewers["connected"]["_id"], "b": owner["_id"], "status": "accepted"})
    await db.connections.insert_one({"a": viewers["stranger"]["_id"], "b": owner["_id"], "status": "pending"})
    return viewers


async def fill_profile(client: TestClient, token: str, level: str) -> None:
    body = {
        "name": "Asha Owner", "designation": MARKERS["designation"], "service": MARKERS["service"], "state": "Kerala",
        "district": "Ernakulam", "languages": ["Malayalam", "Hindi"], "bio": MARKERS["bio"],
        "expertise": [MARKERS["expertise"]], "position_id": POSITION,
        "privacy": {field: level for field in field_names()},
    }
    status, answer = await call(client, "PUT", "/api/v1/profiles/me", token, json=body)
    assert status == 200, answer
    status, answer = await call(client, "PUT", "/api/v1/profiles/me/competencies", token,
                                json={"competencies": [{"competency_id": HEALTH, "level": 4}, {"competency_id": BUDGET, "level": 2}]})
    assert status == 200, answer
    status, _ = await call(client, "PUT", "/api/v1/profiles/me/avatar", token, data=image_bytes(),
                           headers={**auth(token), "Content-Type": "image/png"})
    assert status == 204
    await client.app[INDEXER].drain()  # the search outbox also keeps the directory


@pytest.mark.parametrize("level", list(SEES))
async def test_each_level_against_each_viewer(client: TestClient, db: Any, level: str) -> None:
    await small_dictionary(db)
    viewers = await people(db)
    owner = viewers["self"]
    tokens = {kind: await bearer_token(db, user) for kind, user in viewers.items()}
    await fill_profile(client, tokens["self"], level)
    owner_id = str(owner["_id"])

    for kind in VIEWERS:
        allowed = kind in SEES[level]
        status, shown = await call(client, "GET", f"/api/v1/profiles/{owner_id}", tokens[kind])
        assert status == 200
        assert shown["name"] == "Asha Owner" and "karma" in shown, kind
        present = {field for field in field_names() if field in shown}
        assert present == (set(field_names()) if allowed else set()), (level, kind, present)
        assert ("gap" in shown) is allowed

        page = (await (await client.get(f"/people/{owner_id}", headers=auth(tokens[kind]))).read()).decode()
        for marker in MARKERS.values():
            assert (marker in page) is allowed, (level, kind, marker)
        assert (f'href="/competencies/{HEALTH}"' in page) is allowed

        picture = await client.get(f"/people/{owner_id}/avatar", headers=auth(tokens[kind]))
        assert picture.status == 200, (level, kind)
        assert picture.content_type == ("image/webp" if allowed else "image/svg+xml"), \
            (level, kind, "the uploaded picture, or the initials that stand for a hidden one")

        status, listing = await call(client, "GET", f"/api/v1/people?competency={HEALTH}", tokens[kind])
        assert status == 200
        listed = [person for person in listing["items"] if person["id"] == owner_id]
        assert bool(listed) is allowed, (level, kind)
        network = (await (await client.get(f"/network?competency={HEALTH}", headers=auth(tokens[kind]))).read()).decode()
        assert ("Asha Owner" in network) is allowed


async def test_visitors_who_are_not_signed_in_see_no_profile(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    viewers = await people(db)
    await fill_profile(client, await bearer_token(db, viewers["self"]), "everyone")
    owner_id = str(viewers["self"]["_id"])
    status, body = await call(client, "GET", f"/api/v1/profiles/{owner_id}")
    assert status == 401 and "Asha" not in str(body)
    page = await client.get(f"/people/{owner_id}", allow_redirects=False)
    assert await sent_to_sign_in(client, f"/people/{owner_id}") and MARKERS["bio"] not in await page.text()
    picture = await client.get(f"/people/{owner_id}/avatar")
    assert picture.content_type == "image/svg+xml", "initials only, never the uploaded picture"
    assert await sent_to_sign_in(client, "/network")
    assert (await call(client, "GET", "/api/v1/people"))[0] == 401


async def test_privacy_can_differ_per_field(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    viewers = await people(db)
    token = await bearer_token(db, viewers["self"])
    await fill_profile(client, token, "everyone")
    status, _ = await call(client, "PUT", "/api/v1/profiles/me", token, json={
        "name": "Asha Owner", "designation": MARKERS["designation"], "bio": MARKERS["bio"],
        "privacy": {"bio": "me", "mobile": "organisation"}})
    assert status == 200
    status, shown = await call(client, "GET", f"/api/v1/profiles/{viewers['self']['_id']}",
                               await bearer_token(db, viewers["same_org"]))
    assert "bio" not in shown and shown["mobile"] == MARKERS["mobile"] and shown["organisation"]["name"]
    status, shown = await call(client, "GET", f"/api/v1/profiles/{viewers['self']['_id']}",
                               await bearer_token(db, viewers["stranger"]))
    assert "bio" not in shown and "mobile" not in shown and shown["designation"] == MARKERS["designation"]


async def test_unknown_and_malformed_profile_ids(client: TestClient, db: Any) -> None:
    viewer = await make_user(db)
    token = await bearer_token(db, viewer)
    assert (await call(client, "GET", f"/api/v1/profiles/{ObjectId()}", token))[0] == 404
    assert (await call(client, "GET", "/api/v1/profiles/not-an-id", token))[0] == 404
    assert (await client.get("/people/not-an-id", headers=auth(token))).status == 404
