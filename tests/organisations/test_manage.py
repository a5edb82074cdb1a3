from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import audit
from community.accounts.sessions import actor_for_user
from community.organisations import service
from community.organisations.schemas import OrganisationIn
from tests.conftest import csrf_token
from tests.factories import act, bearer_token, make_org, make_user, sent_to_sign_in, sign_in


async def post(client: TestClient, path: str, data: dict[str, str], page: str = "/admin/organisations") -> Any:
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, page)}, allow_redirects=False)


@pytest.fixture
async def admin(client: TestClient, db: Any) -> dict[str, Any]:
    person = await make_user(db, roles=("admin",))
    await sign_in(client, person)
    return person


async def test_admin_builds_the_hierarchy_and_every_step_is_audited(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    made = await post(client, "/admin/organisations", {"name": "Ministry of Finance", "short_name": "MoF", "kind": "ministry",
                                                       "level": "central", "state": "", "parent_id": ""})
    assert made.status == 303
    ministry = await db.organisations.find_one({"name": "Ministry of Finance"})
    assert ministry["parent_id"] is None and ministry["path"] == [] and ministry["state"] is None
    await post(client, "/admin/organisations", {"name": "Department of Revenue", "short_name": "DoR", "kind": "department",
                                                "level": "central", "state": "", "parent_id": str(ministry["_id"])})
    department = await db.organisations.find_one({"name": "Department of Revenue"})
    await post(client, "/admin/organisations", {"name": "Central Board of Direct Taxes", "short_name": "CBDT", "kind": "office",
                                                "level": "central", "state": "", "parent_id": str(department["_id"])})
    office = await db.organisations.find_one({"short_name": "CBDT"})
    assert office["path"] == [ministry["_id"], department["_id"]]
    page = await (await client.get("/admin/organisations")).text()
    assert page.index("Ministry of Finance") < page.index("Department of Revenue") < page.index("Central Board of Direct Taxes")
    renamed = await post(client, f"/admin/organisations/{office['_id']}", {"name": "CBDT (Income Tax)", "short_name": "CBDT"},
                         page=f"/admin/organisations/{office['_id']}")
    assert renamed.status == 303
    removed = await post(client, f"/admin/organisations/{office['_id']}/delete", {}, page=f"/admin/organisations/{office['_id']}")
    assert removed.status == 303 and await db.organisations.count_documents({"_id": office["_id"]}) == 0
    log = await db.audit_log.find({}).sort("_id", 1).to_list(None)
    assert [entry["action"] for entry in log] == ["organisation.create"] * 3 + ["organisation.update", "organisation.delete"]
    assert all(entry["actor_id"] == admin["_id"] for entry in log)
    assert log[3]["details"] == {"before": {"name": "Central Board of Direct Taxes"}, "after": {"name": "CBDT (Income Tax)"}}


async def test_state_organisations_need_a_state_and_matching_parents(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    central = await make_org(db, name="Ministry of Home Affairs")
    missing_state = await post(client, "/admin/organisations", {"name": "Home Department", "short_name": "HD", "kind": "ministry",
                                                                "level": "state", "state": "", "parent_id": ""})
    assert missing_state.status == 422 and 'id="error-state"' in await missing_state.text()
    mixed = await post(client, "/admin/organisations", {"name": "Police", "short_name": "POL", "kind": "department",
                                                        "level": "state", "state": "Kerala", "parent_id": str(central["_id"])})
    assert mixed.status == 422 and 'id="error-parent_id"' in await mixed.text()
    orphan = await post(client, "/admin/organisations", {"name": "Lonely Office", "short_name": "LO", "kind": "office",
                                                         "level": "central", "state": "", "parent_id": ""})
    assert orphan.status == 422 and 'id="error-parent_id"' in await orphan.text()
    unknown_state = await post(client, "/admin/organisations", {"name": "X", "short_name": "X", "kind": "ministry",
                                                                "level": "state", "state": "Atlantis", "parent_id": ""})
    assert unknown_state.status == 422 and 'id="error-state"' in await unknown_state.text()
    ok = await post(client, "/admin/organisations", {"name": "गृह विभाग", "short_name": "GV", "kind": "ministry",
                                                     "level": "state", "state": "Uttar Pradesh", "parent_id": ""})
    assert ok.status == 303
    assert await db.organisations.count_documents({"level": "state"}) == 1
    assert await db.audit_log.count_documents({}) == 1


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "n" * 121), ("name", "<script>x</script>"), ("name", "Bad\u202eName"),
    ("short_name", ""), ("short_name", "s" * 31), ("kind", "empire"), ("level", "galactic"), ("parent_id", "nope"),
])
async def test_bad_organisation_fields(client: TestClient, db: Any, admin: dict[str, Any], field: str, value: str) -> None:
    data = {"name": "Ministry of Culture", "short_name": "MoC", "kind": "ministry", "level": "central", "state": "", "parent_id": ""}
    response = await post(client, "/admin/organisations", {**data, field: value})
    assert response.status == 422
    html = await response.text()
    assert f'id="error-{field}"' in html and "<script>x</script>" not in html
    assert await db.organisations.count_documents({"short_name": {"$in": ["MoC", ""]}}) == 0


async def test_duplicate_sibling_name_is_refused(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    await make_org(db, name="Ministry of Coal")
    response = await post(client, "/admin/organisations", {"name": "Ministry of Coal", "short_name": "MoC", "kind": "ministry",
                                                           "level": "central", "state": "", "parent_id": ""})
    assert response.status == 422 and "already exists" in await response.text()


async def test_organisation_with_members_or_children_is_kept(client: TestClient, db: Any, admin: dict[str, Any]) -> None:
    parent = await make_org(db)
    await make_org(db, parent=parent)
    response = await post(client, f"/admin/organisations/{parent['_id']}/delete", {}, page="/admin/organisations")
    assert response.status == 409
    staffed = await make_org(db)
    await make_user(db, org=staffed)
    response = await post(client, f"/admin/organisations/{staffed['_id']}/delete", {}, page="/admin/organisations")
    assert response.status == 409
    assert await db.organisations.count_documents({"_id": {"$in": [parent["_id"], staffed["_id"]]}}) == 2


@pytest.mark.parametrize("roles", [("officer",), ("expert",), ("mdo_admin",), ("moderator",)])
async def test_only_administrators_manage_organisations(client: TestClient, db: Any, roles: tuple[str, ...]) -> None:
    person = await make_user(db, roles=roles)
    await sign_in(client, person)
    assert (await client.get("/admin/organisations")).status == 403
    token = await bearer_token(db, person)
    created = await client.post("/api/v1/organisations", headers={"Authorization": f"Bearer {token}"},
                                json={"name": "X", "short_name": "X", "kind": "ministry", "level": "central"})
    assert created.status == 403
    assert await db.organisations.count_documents({"name": "X"}) == 0


async def test_signed_out_visitors_are_asked_to_sign_in(client: TestClient) -> None:
    assert await sent_to_sign_in(client, "/admin/organisations")


async def test_state_departments_may_stand_at_the_top_but_central_ones_may_not(client: TestClient, db: Any,
                                                                               admin: dict[str, Any]) -> None:
    state = await post(client, "/admin/organisations", {"name": "Revenue Department, Kerala", "short_name": "RD-KL",
                                                        "kind": "department", "level": "state", "state": "Kerala", "parent_id": ""})
    assert state.status == 303
    central = await post(client, "/admin/organisations", {"name": "Department of Nothing", "short_name": "DoN",
                                                          "kind": "department", "level": "central", "state": "", "parent_id": ""})
    assert central.status == 422 and 'id="error-parent_id"' in await central.text()


async def test_an_organisation_and_its_audit_entry_are_written_together(client: TestClient, db: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await make_user(db, roles=("admin",))

    async def failing_record(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("the audit write failed")

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(OSError):
        await act(client.app, actor_for_user(admin), service.create,
                  OrganisationIn(name="Ministry of Finance", short_name="MoF", kind="ministry", level="central"))
    assert await db.organisations.count_documents({"name": "Ministry of Finance"}) == 0, "rolled back with the audit"
