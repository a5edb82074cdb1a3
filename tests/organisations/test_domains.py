"""Platform administrators state each organisation's e-mail domains, on the page and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.organisations import domains
from tests.factories import bearer_token, make_org, make_user, sign_in
from tests.organisations.support import post, register_and_verify


@pytest.fixture
async def admin(db: Any) -> dict[str, Any]:
    return await make_user(db, roles=("admin",))


async def test_the_page_stores_domains_lower_case_and_in_ascii(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    org = await make_org(db, name="Ministry of Electronics")
    await sign_in(client, admin)
    page = f"/admin/organisations/{org['_id']}"
    saved = await post(client, f"{page}/domains", {"domains": "MeitY.Gov.in\n@dit.meity.gov.in., मंत्रालय.भारत\nmeity.gov.in"},
                       page)
    assert saved.status == 303 and saved.headers["Location"] == f"{page}?saved=domains"
    stored = await domains.of_organisation(db, org["_id"])
    assert stored == sorted(["meity.gov.in", "dit.meity.gov.in", "xn--i1b2e2agem7fxf.xn--h2brj9c"])
    shown = await (await client.get(saved.headers["Location"])).text()
    assert "The domains have been saved." in shown and "मंत्रालय.भारत" in shown
    entry = await db.audit_log.find_one({"action": "organisation.domains"})
    assert entry["target_id"] == org["_id"] and sorted(entry["details"]["added"]) == stored
    api_view = await (await client.get(f"/api/v1/organisations/{org['_id']}")).json()
    assert api_view["domains"] == stored


@pytest.mark.parametrize(("typed", "message"), [
    ("*.meity.gov.in", "Write the domain without *: every subdomain of it is included."),
    ("gov.in", "gov.in is shared by many organisations; claim a subdomain of it."),
    ("gmail.com", "gmail.com is shared by many organisations; claim a subdomain of it."),
    ("localhost", "localhost is not a valid domain."),
    ("bad_domain.gov.in", "bad_domain.gov.in is not a valid domain."),
    ("10.0.0.1", "10.0.0.1 is not a valid domain."),
    ("-edge.gov.in", "-edge.gov.in is not a valid domain."),
])
async def test_the_page_refuses_a_bad_domain_next_to_the_field(client: TestClient, db: Any, admin: dict[str, Any],
                                                               typed: str, message: str) -> None:
    org = await make_org(db)
    await sign_in(client, admin)
    page = f"/admin/organisations/{org['_id']}"
    response = await post(client, f"{page}/domains", {"domains": f"fine.gov.in\n{typed}"}, page)
    html = await response.text()
    assert response.status == 422 and 'id="error-domains"' in html and message in html
    assert typed in html, "what was typed is kept in the field"
    assert await domains.of_organisation(db, org["_id"]) == []
    assert await db.audit_log.count_documents({"action": "organisation.domains"}) == 0


async def test_a_domain_belongs_to_one_organisation(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    holder = await make_org(db, name="Railway Board", domains=("railways.gov.in",))
    org = await make_org(db)
    headers = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    taken = await client.put(f"/api/v1/organisations/{org['_id']}/domains", headers=headers,
                             json={"domains": ["new.gov.in", "Railways.gov.in"]})
    assert taken.status == 422 and taken.content_type == "application/problem+json"
    assert (await taken.json())["errors"] == [{"field": "domains", "message": "railways.gov.in is already claimed by Railway Board."}]
    assert await domains.of_organisation(db, org["_id"]) == []
    assert await domains.of_organisation(db, holder["_id"]) == ["railways.gov.in"]


async def test_the_api_replaces_the_list_and_names_each_bad_item(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    org = await make_org(db, domains=("old.gov.in",))
    headers = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    path = f"/api/v1/organisations/{org['_id']}/domains"
    replaced = await client.put(path, headers=headers, json={"domains": ["new.gov.in"]})
    assert replaced.status == 200 and (await replaced.json())["domains"] == ["new.gov.in"]
    entry = await db.audit_log.find_one({"action": "organisation.domains"})
    assert entry["details"] == {"added": ["new.gov.in"], "removed": ["old.gov.in"]}
    for body, field in (({"domains": ["ok.gov.in", "*.x.in"]}, "domains.1"), ({"domains": "a.gov.in"}, "domains"),
                        ({"domains": [7]}, "domains.0"), ({"domains": [f"d{n}.gov.in" for n in range(21)]}, "domains"),
                        ({"domains": [], "extra": 1}, "extra"), ({}, "domains")):
        refused = await client.put(path, headers=headers, json=body)
        assert refused.status == 422, body
        assert [error["field"] for error in (await refused.json())["errors"]] == [field], body
    assert await domains.of_organisation(db, org["_id"]) == ["new.gov.in"]


async def test_only_platform_administrators_change_domains(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    own_admin = await make_user(db, org=org, roles=("mdo_admin",))
    path = f"/api/v1/organisations/{org['_id']}/domains"
    assert (await client.put(path, json={"domains": ["gmail-like.in"]})).status in (401, 403)
    headers = {"Authorization": f"Bearer {await bearer_token(db, own_admin)}"}
    assert (await client.put(path, headers=headers, json={"domains": ["anyone.example.com"]})).status == 403
    assert await domains.of_organisation(db, org["_id"]) == []


async def test_an_organisation_with_people_waiting_is_not_removed_and_removal_frees_its_domains(
        client: TestClient, db: Any, admin: dict[str, Any], another_browser: Any) -> None:
    org = await make_org(db, domains=("closing.gov.in",))
    await register_and_verify(another_browser(), db, org, "waiting@example.org")
    headers = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    refused = await client.delete(f"/api/v1/organisations/{org['_id']}", headers=headers)
    assert refused.status == 409
    await db.membership_requests.delete_many({})
    assert (await client.delete(f"/api/v1/organisations/{org['_id']}", headers=headers)).status == 200
    assert await domains.owner_of_address(db, "a@closing.gov.in") is None
