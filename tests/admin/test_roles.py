from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import actions, audit
from community.accounts import roles
from community.accounts.schemas import RoleChangeIn
from community.accounts.sessions import actor_for_user
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_org, make_user, sign_in


async def change(client: TestClient, person: dict[str, Any], **form: str) -> Any:
    page = f"/admin/people/{person['_id']}"
    return await client.post(f"{page}/roles", data={**form, "csrf_token": await csrf_token(client, "/admin")},
                             allow_redirects=False)


async def roles_of(db: Any, person: dict[str, Any]) -> set[str]:
    return set((await db.users.find_one({"_id": person["_id"]}))["roles"])


async def test_admin_grants_expert_after_vetting_with_a_reason(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",), name="Platform Admin")
    officer = await make_user(db, name="डॉ. कविता राव")
    await sign_in(client, admin)
    page = await (await client.get(f"/admin/people/{officer['_id']}")).text()
    assert "Grant: Expert" in page and "Grant: Platform administrator" in page
    response = await change(client, officer, role="expert", action="grant", reason="Vetted: 20 years in public health")
    assert response.status == 303 and response.headers["Location"].endswith("changed=1")
    assert await roles_of(db, officer) == {"officer", "expert"}
    entry = await db.audit_log.find_one({"action": "role.grant"})
    assert entry["actor_id"] == admin["_id"] and entry["target_id"] == officer["_id"]
    assert entry["details"] == {"role": "expert"} and entry["reason"] == "Vetted: 20 years in public health"
    assert entry["org_id"] == officer["org_id"]
    again = await change(client, officer, role="expert", action="grant", reason="")
    assert again.headers["Location"].endswith("changed=0")
    assert await db.audit_log.count_documents({"action": "role.grant"}) == 1, "nothing changed, nothing logged"
    await change(client, officer, role="expert", action="revoke", reason="")
    assert await roles_of(db, officer) == {"officer"}
    history = await (await client.get(f"/admin/people/{officer['_id']}")).text()
    assert "Revoked a role: Expert" in history and "Granted a role: Expert" in history
    assert "Vetted: 20 years in public health" in history and "role.revoke" not in history and " UTC" not in history


async def test_mdo_admin_manages_only_own_members_and_only_two_roles(client: TestClient, db: Any) -> None:
    home, elsewhere = await make_org(db, name="Home Org"), await make_org(db, name="Other Org")
    mdo = await make_user(db, org=home, roles=("mdo_admin",))
    colleague = await make_user(db, org=home, name="Colleague")
    stranger = await make_user(db, org=elsewhere, name="Stranger")
    await sign_in(client, mdo)
    assert (await change(client, colleague, role="expert", action="grant")).status == 303
    assert (await change(client, colleague, role="mdo_admin", action="grant")).status == 303
    assert await roles_of(db, colleague) == {"officer", "expert", "mdo_admin"}
    for role in ("moderator", "admin"):
        assert (await change(client, colleague, role=role, action="grant")).status == 403
    assert (await change(client, stranger, role="expert", action="grant")).status == 403
    assert (await change(client, mdo, role="expert", action="grant")).status == 403, "no self-vetting"
    assert await roles_of(db, stranger) == {"officer"} and await roles_of(db, mdo) == {"officer", "mdo_admin"}
    listing = await (await client.get("/admin/people")).text()
    assert "Colleague" in listing and "Stranger" not in listing
    assert (await client.get(f"/admin/people?org={elsewhere['_id']}")).status == 403
    assert (await client.get(f"/admin/people/{stranger['_id']}")).status == 403
    assert (await client.get("/admin/audit")).status == 403
    assert (await client.get("/admin/outbox")).status == 403


@pytest.mark.parametrize("roles", [("officer",), ("expert",), ("moderator",)])
async def test_people_without_admin_roles_cannot_open_administration(client: TestClient, db: Any, roles: tuple[str, ...]) -> None:
    person = await make_user(db, roles=roles)
    target = await make_user(db, org={"_id": person["org_id"]})
    await sign_in(client, person)
    for path in ("/admin", "/admin/people", f"/admin/people/{target['_id']}", "/admin/audit", "/admin/outbox"):
        assert (await client.get(path)).status == 403, path
    assert (await change(client, target, role="expert", action="grant")).status == 403
    assert await roles_of(db, target) == {"officer"}


async def test_role_change_input_is_checked(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    person = await make_user(db)
    await sign_in(client, admin)
    for form in ({"role": "officer", "action": "revoke"}, {"role": "emperor", "action": "grant"},
                 {"role": "expert", "action": "promote"}, {"role": "expert"}, {"action": "grant"},
                 {"role": "expert", "action": "grant", "reason": "<script>x</script>"},
                 {"role": "expert", "action": "grant", "reason": "r" * 501}):
        assert (await change(client, person, **form)).status == 422, form
    assert await roles_of(db, person) == {"officer"}
    assert (await client.post("/admin/people/not-an-id/roles", data={"role": "expert", "action": "grant",
                                                                     "csrf_token": await csrf_token(client, "/admin")})).status == 404
    assert await db.audit_log.count_documents({"action": {"$regex": "^role"}}) == 0


async def test_role_change_api(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    person = await make_user(db)
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    response = await client.post(f"/api/v1/admin/people/{person['_id']}/roles", headers=auth,
                                 json={"role": "moderator", "action": "grant", "reason": "Community volunteer"})
    assert response.status == 200 and (await response.json())["roles"] == ["moderator", "officer"]
    bad = await client.post(f"/api/v1/admin/people/{person['_id']}/roles", headers=auth, json={"role": 3, "action": "grant"})
    assert bad.status == 422 and bad.content_type == "application/problem+json"
    self_change = await client.post(f"/api/v1/admin/people/{admin['_id']}/roles", headers=auth,
                                    json={"role": "admin", "action": "revoke"})
    assert self_change.status == 403, "an administrator cannot lock themselves out"
    officer_auth = {"Authorization": f"Bearer {await bearer_token(db, person)}"}
    assert (await client.get("/api/v1/admin/people", headers=officer_auth)).status == 403


async def test_people_api_pages_with_a_cursor(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    admin = await make_user(db, org=org, roles=("admin",))
    for _ in range(5):
        await make_user(db, org=org)
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"org": str(org["_id"]), "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = await (await client.get("/api/v1/admin/people", params=params, headers=auth)).json()
        seen += [item["id"] for item in page["items"]]
        assert all("password_hash" not in item for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 6
    found = await (await client.get("/api/v1/admin/people", params={"q": admin["email"][:8]}, headers=auth)).json()
    assert admin["email"] in {item["email"] for item in found["items"]}


async def test_people_lists_leave_out_mobiles_which_only_the_audited_record_shows(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    admin = await make_user(db, org=org, roles=("admin",))
    person = await make_user(db, org=org, mobile="+919876543210")
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    listed = await (await client.get("/api/v1/admin/people", params={"org": str(org["_id"])}, headers=auth)).json()
    assert listed["items"] and all("mobile" not in item for item in listed["items"])
    assert await db.audit_log.count_documents({"action": "person.view"}) == 0
    record = await (await client.get(f"/api/v1/admin/people/{person['_id']}", headers=auth)).json()
    assert record["mobile"] == "+919876543210"
    assert await db.audit_log.count_documents({"action": "person.view", "target_id": person["_id"]}) == 1


MISSING = object()


@pytest.mark.parametrize("field,value", [
    ("role", MISSING), ("role", ""), ("role", "emperor"), ("role", 3), ("role", ["admin"]), ("role", "officer"),
    ("action", MISSING), ("action", "promote"), ("action", None), ("reason", "r" * 1001), ("reason", 7),
    ("reason", "<script>alert(1)</script>"), ("also", "this"),
])
async def test_bad_role_change_through_the_api(client: TestClient, db: Any, field: str, value: Any) -> None:
    org = await make_org(db)
    admin = await make_user(db, org=org, roles=("admin",))
    person = await make_user(db, org=org)
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    body = {key: item for key, item in {"role": "moderator", "action": "grant", "reason": "Volunteer", field: value}.items()
            if item is not MISSING}
    response = await client.post(f"/api/v1/admin/people/{person['_id']}/roles", headers=auth, json=body)
    assert response.status == 422 and response.content_type == "application/problem+json"
    assert field in {error["field"] for error in (await response.json())["errors"]}
    assert await roles_of(db, person) == {"officer"} and await db.audit_log.count_documents({}) == 0


async def test_a_failure_after_the_role_is_written_leaves_neither_role_nor_audit_entry(
        client: TestClient, db: Any, monkeypatch: pytest.MonkeyPatch, captured_effects: actions.Effects) -> None:
    admin = await make_user(db, roles=("admin",))
    officer = await make_user(db, name="Officer")

    async def failing_record(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("the audit write failed")

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(OSError):
        await actions.run(client.app, actor_for_user(admin), roles.change_role, officer["_id"],
                          RoleChangeIn(role="expert", action="grant", reason="vetted"))
    assert await roles_of(db, officer) == {"officer"}, "the role written before the failure was rolled back"
    assert await db.audit_log.count_documents({"action": "role.grant"}) == 0
    assert captured_effects.empty
    monkeypatch.undo()
    assert await actions.run(client.app, actor_for_user(admin), roles.change_role, officer["_id"],
                             RoleChangeIn(role="expert", action="grant", reason="vetted"))
    assert await roles_of(db, officer) == {"officer", "expert"}
    assert await db.audit_log.count_documents({"action": "role.grant", "target_id": officer["_id"]}) == 1
