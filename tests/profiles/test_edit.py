"""Editing a profile through the form and the API, and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sent_to_sign_in, sign_in
from tests.profiles.helpers import POSITION, call, small_dictionary


async def test_form_edit_through_a_signed_in_browser(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    user = await make_user(db, name="Ravi Kumar")
    await sign_in(client, user)
    token = await csrf_token(client, "/profile/edit")
    form = {"csrf_token": token, "name": "Ravi Kumar Sharma", "designation": "Deputy Secretary", "service": "CSS",
            "state": "Bihar", "district": "पटना", "languages": ["Hindi", "Maithili"], "bio": "पहली पंक्ति\n\n**Second** line",
            "position_id": POSITION, **{f"privacy_{field}": "everyone" for field in ("bio", "location")}}
    data = [(key, value) for key, values in form.items() for value in (values if isinstance(values, list) else [values])]
    response = await client.post("/profile/edit", data=data, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"/people/{user['_id']}"
    stored = await db.profiles.find_one({"_id": user["_id"]})
    assert stored["languages"] == ["Hindi", "Maithili"] and stored["district"] == "पटना"
    assert stored["bio"] == "पहली पंक्ति\n\n**Second** line" and stored["position_id"] == POSITION
    account = await db.users.find_one({"_id": user["_id"]})
    assert account["name"] == "Ravi Kumar Sharma" and account["designation"] == "Deputy Secretary"
    page = await (await client.get(f"/people/{user['_id']}")).text()
    assert "<p>पहली पंक्ति</p>\n<p><strong>Second</strong> line</p>" in page and "Deputy Secretary" in page


async def test_form_errors_are_shown_next_to_fields_and_nothing_is_saved(client: TestClient, db: Any) -> None:
    user = await make_user(db, name="Ravi Kumar")
    await sign_in(client, user)
    token = await csrf_token(client, "/profile/edit")
    response = await client.post("/profile/edit", data={"csrf_token": token, "name": "", "bio": "x" * 2001,
                                                        "state": "Atlantis"})
    assert response.status == 422
    html = await response.text()
    assert 'id="name-error"' in html and 'id="bio-error"' in html and 'id="state-error"' in html
    assert "Keep this to 2000 characters; it has 2001." in html
    assert 'aria-invalid="true"' in html
    assert await db.profiles.find_one({"_id": user["_id"]}) is None
    assert (await db.users.find_one({"_id": user["_id"]}))["name"] == "Ravi Kumar"


async def test_form_without_csrf_token_is_refused(client: TestClient, db: Any) -> None:
    user = await make_user(db, name="Ravi Kumar")
    await sign_in(client, user)
    response = await client.post("/profile/edit", data={"name": "Mallory"}, allow_redirects=False)
    assert response.status == 403
    assert (await db.users.find_one({"_id": user["_id"]}))["name"] == "Ravi Kumar"


BAD = [
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": 12}, "name"),
    ({"name": "A\u202eB"}, "name"),
    ({"name": "Ok", "bio": "b" * 2001}, "bio"),
    ({"name": "Ok", "bio": "ok\u0007"}, "bio"),
    ({"name": "Ok", "languages": ["Klingon"]}, "languages.0"),
    ({"name": "Ok", "languages": ["Hindi", "Hindi"]}, "languages"),
    ({"name": "Ok", "state": "Atlantis"}, "state"),
    ({"name": "Ok", "privacy": {"bio": "world"}}, "privacy.bio"),
    ({"name": "Ok", "privacy": {"password": "me"}}, "privacy.password.[key]"),
    ({"name": "Ok", "position_id": "pos.no-such-position"}, "position_id"),
    ({"name": "Ok", "expertise": ["Tax"]}, "expertise"),
    ({"name": "Ok", "surprise": 1}, "surprise"),
]


@pytest.mark.parametrize(("body", "field"), BAD)
async def test_api_bad_input_names_the_field_and_changes_nothing(client: TestClient, db: Any, body: dict[str, Any],
                                                                 field: str) -> None:
    user = await make_user(db, name="Unchanged Name")
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", await bearer_token(db, user), json=body)
    assert status == 422
    assert problem["type"].endswith("/invalid")
    assert field in {error["field"] for error in problem["errors"]}, problem
    assert await db.profiles.find_one({"_id": user["_id"]}) is None
    assert (await db.users.find_one({"_id": user["_id"]}))["name"] == "Unchanged Name"
    assert await db.search_outbox.count_documents({}) == 0


async def test_a_change_tells_search_in_the_same_write(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    assert (await call(client, "PUT", "/api/v1/profiles/me", token, json={"name": "Searchable"}))[0] == 200
    entries = await db.search_outbox.find({}).to_list(None)
    assert [(entry["index"], entry["doc_id"], entry["op"]) for entry in entries] == [("people", str(user["_id"]), "upsert")]


async def test_api_rejects_a_body_that_is_not_an_object(client: TestClient, db: Any) -> None:
    token = await bearer_token(db, await make_user(db))
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", token, data=b"[1, 2",
                                 headers={"Content-Type": "application/json"})
    assert status == 400 and problem["errors"][0]["field"] == "body"
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", token, json=["name"])
    assert status == 422 and problem["errors"][0]["field"] == "body"


async def test_experts_list_expertise_and_markup_is_stored_as_text(client: TestClient, db: Any) -> None:
    expert = await make_user(db, roles=("expert",))
    token = await bearer_token(db, expert)
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", token, json={"name": "Dr <b>Meera</b>"})
    assert status == 422 and problem["errors"][0]["field"] == "name", "a name is refused markup, as at registration"
    status, shown = await call(client, "PUT", "/api/v1/profiles/me", token, json={
        "name": "Dr Meera", "bio": "<script>alert(1)</script>", "expertise": ["Public finance", "GST"]})
    assert status == 200 and shown["expertise"] == ["Public finance", "GST"]
    page = await (await client.get(f"/people/{expert['_id']}", headers={"Authorization": f"Bearer {token}"})).text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_about_is_markdown_rendered_and_sanitised_like_posts(client: TestClient, db: Any) -> None:
    user = await make_user(db, name="Ravi Kumar")
    await sign_in(client, user)
    form = await (await client.get("/profile/edit")).text()
    assert "Markdown, as in posts" in form, "the form says the About is written in Markdown"
    token = await csrf_token(client, "/profile/edit")
    bio = "Works on _GeM_ tenders: https://gem.gov.in\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    response = await client.post("/profile/edit", data={"csrf_token": token, "name": "Ravi Kumar", "bio": bio,
                                                        "privacy_bio": "everyone"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get(f"/people/{user['_id']}")).text()
    about = page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    assert "Works on <em>GeM</em> tenders:" in about
    assert '<a href="https://gem.gov.in" rel="nofollow ugc noopener">https://gem.gov.in</a>' in about
    assert "href" not in about.replace('href="https://gem.gov.in"', "") and "<img" not in about
    assert "&lt;img src=x onerror=alert(1)&gt;" in about


async def test_signed_out_visitors_cannot_edit(client: TestClient) -> None:
    status, problem = await call(client, "GET", "/api/v1/profiles/me")
    assert status == 401 and problem["type"].endswith("/unauthenticated")
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", json={"name": "X"})
    assert status == 403  # no session and no token: the CSRF check refuses it before anything else
    assert await sent_to_sign_in(client, "/profile/edit")
