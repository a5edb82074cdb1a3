from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.factories import bearer_token, make_org, make_user


async def test_list_pages_with_a_cursor_without_repeats(client: TestClient, db: Any) -> None:
    for number in range(3):  # equal names under different parents, so equal sort keys straddle pages
        ministry = await make_org(db, name=f"Ministry {number}")
        await make_org(db, name="Administration", parent=ministry)
        await make_org(db, name="Establishment", parent=ministry)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await (await client.get("/api/v1/organisations", params=query)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
    bad = await client.get("/api/v1/organisations", params={"cursor": "@@@"})
    assert bad.status == 422 and bad.content_type == "application/problem+json"
    too_many = await client.get("/api/v1/organisations", params={"limit": "1000"})
    assert too_many.status == 422


async def test_tree_and_children(client: TestClient, db: Any) -> None:
    ministry = await make_org(db, name="Ministry of Education")
    department = await make_org(db, name="Department of Higher Education", parent=ministry)
    await make_org(db, name="University Grants Commission", parent=department)
    tree = await (await client.get("/api/v1/organisations/tree")).json()
    assert tree["items"][0]["name"] == "Ministry of Education"
    assert tree["items"][0]["children"][0]["children"][0]["name"] == "University Grants Commission"
    children = await (await client.get("/api/v1/organisations", params={"parent": str(ministry["_id"])})).json()
    assert [item["name"] for item in children["items"]] == ["Department of Higher Education"]
    top = await (await client.get("/api/v1/organisations", params={"parent": "none"})).json()
    assert [item["name"] for item in top["items"]] == ["Ministry of Education"]
    one = await (await client.get(f"/api/v1/organisations/{department['_id']}")).json()
    assert one["path"] == [str(ministry["_id"])]
    assert (await client.get("/api/v1/organisations/not-an-id")).status == 404


async def test_admin_creates_renames_and_removes_through_the_api(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    created = await client.post("/api/v1/organisations", headers=auth, json={
        "name": "Ministry of Jal Shakti", "short_name": "MoJS", "kind": "ministry", "level": "central"})
    assert created.status == 201
    org = await created.json()
    wrong = await client.patch(f"/api/v1/organisations/{org['id']}", headers=auth, json={"name": 5, "short_name": "x"})
    assert wrong.status == 422 and (await wrong.json())["errors"][0]["field"] == "name"
    renamed = await client.patch(f"/api/v1/organisations/{org['id']}", headers=auth,
                                 json={"name": "जल शक्ति मंत्रालय", "short_name": "MoJS"})
    assert (await renamed.json())["name"] == "जल शक्ति मंत्रालय"
    assert (await client.delete(f"/api/v1/organisations/{org['id']}", headers=auth)).status == 200
    actions = [entry["action"] async for entry in db.audit_log.find({}).sort("_id", 1)]
    assert actions == ["organisation.create", "organisation.update", "organisation.delete"]


GOOD = {"name": "Ministry of Culture", "short_name": "MoC", "kind": "ministry", "level": "central"}
MISSING = object()


@pytest.mark.parametrize("field,value", [
    ("name", MISSING), ("name", ""), ("name", "n" * 121), ("name", 42), ("name", None), ("name", "<script>x</script>"),
    ("name", "Bad\u202eName"), ("short_name", MISSING), ("short_name", "s" * 31), ("short_name", ["MoC"]),
    ("kind", "empire"), ("kind", MISSING), ("level", 3), ("state", "Atlantis"), ("parent_id", "nope"),
    ("parent_id", "0123456789abcdef01234567"), ("colour", "saffron"),
])
async def test_bad_organisation_fields_through_the_api(client: TestClient, db: Any, field: str, value: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    body = {key: item for key, item in {**GOOD, field: value}.items() if item is not MISSING}
    before = await db.organisations.count_documents({})
    response = await client.post("/api/v1/organisations", headers=auth, json=body)
    assert response.status == 422 and response.content_type == "application/problem+json"
    problem = await response.json()
    assert field in {error["field"].split(".")[0] for error in problem["errors"]}, problem
    assert await db.organisations.count_documents({}) == before, "a refused organisation was written"
    assert await db.audit_log.count_documents({"action": "organisation.create"}) == 0
