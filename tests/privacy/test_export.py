"""Download my data: everything held about the person, no secrets; administrators' views are audited."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp.test_utils import TestClient

from community.search_pages.routes import INDEXER
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.privacy.people import STRINGS, rich_member
from tests.profiles.helpers import auth, call


async def test_export_holds_everything_about_the_person_and_no_secrets(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    status, data = await call(client, "GET", "/api/v1/me/data", scene.token)
    assert status == 200 and data["person_id"] == str(scene.person["_id"])
    collections = data["collections"]
    assert collections["users"]["documents"][0]["email"] == STRINGS["email"]
    assert "password_hash" not in collections["users"]["documents"][0]
    assert collections["profiles"]["documents"][0]["bio"] == STRINGS["bio"]
    assert base64.b64decode(collections["avatars"]["documents"][0]["data"]["base64"])[8:12] == b"WEBP"
    assert {doc["endorser_id"] for doc in collections["endorsements"]["documents"]} == {
        str(scene.expert["_id"]), str(scene.person["_id"])}
    assert collections["verifications"]["documents"][0]["reference"] == "iGOT: Budgeting"
    assert collections["karma_ledger"]["documents"][0]["points"] == 15
    assert collections["connections"]["documents"][0]["status"] == "accepted"
    assert collections["dev_outbox"]["documents"][0]["to"] == STRINGS["email"]
    assert all("_id" not in doc for doc in collections["sessions"]["documents"])
    assert collections["sessions"]["documents"][0]["ip"] == "10.0.0.7"
    assert all("code_hash" not in doc for doc in collections["one_time_codes"]["documents"])
    api_tokens = collections.get("api_tokens", {"documents": []})["documents"]
    assert api_tokens and all("_id" not in doc for doc in api_tokens)
    assert all(section["purposes"] for section in collections.values())
    assert "not-a-real-hash" not in json.dumps(data) and "digest-of-a-session" not in json.dumps(data)


async def test_download_page_and_file_without_javascript(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    await sign_in(client, scene.person)
    page = await (await client.get("/privacy")).text()
    assert 'href="/privacy/my-data.json"' in page
    assert '<th scope="row">Profile</th>' in page and '<th scope="row">Karma Points</th>' in page
    for internal in ("profiles", "karma_ledger", "dev_outbox", "one_time_codes", "<code>"):
        assert internal not in page, internal
    download = await client.get("/privacy/my-data.json")
    assert download.status == 200 and "attachment" in download.headers["Content-Disposition"]
    assert json.loads(await download.text())["collections"]["profiles"]["documents"][0]["district"] == STRINGS["district"]


async def test_administrators_views_are_audited_and_others_are_refused(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    person_id = scene.person["_id"]
    status, _ = await call(client, "GET", "/api/v1/me/data", scene.token)
    assert await db.audit_log.count_documents({"action": "privacy.view_personal_data"}) == 0
    status, data = await call(client, "GET", f"/api/v1/admin/people/{person_id}/data?reason=Grievance%2042",
                              scene.admin_token)
    assert status == 200 and data["collections"]["profiles"]["documents"][0]["bio"] == STRINGS["bio"]
    entry = await db.audit_log.find_one({"action": "privacy.view_personal_data"})
    assert entry["actor_id"] == scene.admin["_id"] and entry["target_id"] == person_id and entry["reason"] == "Grievance 42"
    page = await client.get(f"/admin/people/{person_id}/data", headers=auth(scene.admin_token))
    assert page.status == 200 and STRINGS["bio"] in await page.text()
    assert await db.audit_log.count_documents({"action": "privacy.view_personal_data", "target_id": person_id}) == 2
    for roles in (("officer",), ("expert",), ("moderator",), ("mdo_admin",)):
        token = await bearer_token(db, await make_user(db, roles=roles))
        status, problem = await call(client, "GET", f"/api/v1/admin/people/{person_id}/data", token)
        assert status == 403 and STRINGS["bio"] not in json.dumps(problem)
    assert (await call(client, "GET", f"/api/v1/admin/people/{person_id}/data"))[0] == 401
    assert await db.audit_log.count_documents({"action": "privacy.view_personal_data"}) == 2


async def test_erase_form_needs_the_exact_address(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    await sign_in(client, scene.person)
    response = await client.post("/privacy/erase", data={"csrf_token": await csrf_token(client, "/privacy"),
                                                         "confirm": "someone.else@example.gov.in"})
    assert response.status == 422 and 'id="confirm-error"' in await response.text()
    assert (await db.users.find_one({"_id": scene.person["_id"]}))["name"] == STRINGS["name"]


async def test_every_kind_of_personal_data_has_a_label_and_purposes_in_english_and_hindi(client: TestClient, db: Any) -> None:
    from community.i18n import current_locale, gettext
    from community.privacy.registry import entries

    labels = {entry.collection: entry.label for entry in entries()}
    assert all(labels.values()), [name for name, label in labels.items() if not label]
    words = set(labels.values()) | {entry.purpose for entry in entries() if entry.purpose}
    token = current_locale.set("hi")
    try:
        untranslated = [text for text in words if gettext(text) == text]
    finally:
        current_locale.reset(token)
    assert untranslated == []


async def test_the_page_groups_records_by_kind_and_speaks_hindi(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    await client.app[INDEXER].drain()  # the search outbox also writes the directory's Profile rows
    await sign_in(client, scene.person)
    _status, data = await call(client, "GET", "/api/v1/me/data", scene.token)
    profile = sum(len(section["documents"]) for section in data["collections"].values() if section["label"] == "Profile")
    assert profile >= 2, "the profile and its picture are one kind of record"
    page = await (await client.get("/privacy")).text()
    assert f'<th scope="row">Profile</th><td>{profile}</td>' in page
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    hindi = await (await client.get("/privacy")).text()
    assert '<th scope="row">प्रोफ़ाइल</th>' in hindi and "आपकी प्रोफ़ाइल तस्वीर।" in hindi
    assert "Your profile picture." not in hindi


async def test_an_administrator_reads_a_member_s_data_in_words_and_downloads_it_separately(
        client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    person_id = scene.person["_id"]
    page = await client.get(f"/admin/people/{person_id}/data", headers=auth(scene.admin_token))
    html = await page.text()
    assert page.status == 200 and "Data held about Kavitha Ramaswamy" in html
    assert '<h2 id="kind-' in html and ">Profile <span" in html and ">Connections <span" in html
    assert "<dt>About</dt><dd>" + STRINGS["bio"] + "</dd>" in html
    assert "<dt>Organisation</dt><dd>Ministry of Finance</dd>" in html
    assert "<dt>Endorsed by</dt><dd>Endorsing Expert</dd>" in html
    assert " IST</dd>" in html
    assert "What the member is told it is for: <q>Your profile picture." in html, "purposes speak to the member"
    for raw in (str(person_id), str(scene.expert["_id"]), str(scene.person["org_id"]), "karma_ledger", "<pre",
                '"documents"', "created_at"):
        assert raw not in html.replace(f"/admin/people/{person_id}", ""), raw
    download = await client.get(f"/admin/people/{person_id}/data.json?reason=Grievance%2042",
                                headers=auth(scene.admin_token))
    assert download.status == 200 and "attachment" in download.headers["Content-Disposition"]
    assert json.loads(await download.text())["collections"]["profiles"]["documents"][0]["bio"] == STRINGS["bio"]
    assert await db.audit_log.count_documents({"action": "privacy.view_personal_data", "target_id": person_id,
                                               "reason": "Grievance 42"}) == 1
    officer = await bearer_token(db, await make_user(db))
    assert (await client.get(f"/admin/people/{person_id}/data.json", headers=auth(officer))).status == 403


async def test_a_kind_of_record_gives_only_the_purposes_of_the_ways_the_person_is_in_it(
        client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    status, _ = await call(client, "GET", f"/api/v1/admin/people/{scene.person['_id']}/data?reason=Grievance%2042",
                           scene.admin_token)
    assert status == 200
    _status, data = await call(client, "GET", "/api/v1/me/data", scene.token)
    audit = data["collections"]["audit_log"]
    assert {document["actor_id"] for document in audit["documents"]} == {str(scene.admin["_id"])}
    assert len(audit["purposes"]) == 1 and audit["purposes"][0].startswith("Administrative actions about you")
    _status, data = await call(client, "GET", "/api/v1/me/data", scene.admin_token)
    assert any(purpose.startswith("Administrative actions you took")
               for purpose in data["collections"]["audit_log"]["purposes"])
