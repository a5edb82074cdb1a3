"""Membership is earned: by a verified address under a claimed domain, or by an administrator of
the organisation approving the request; decisions are audited and people are told."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.notifications import kinds
from community.notifications.render import in_language, with_text
from community.notifications.routes import NOTIFIER
from community.organisations.queries import REQUESTS
from tests.factories import bearer_token, make_org, make_user, sign_in
from tests.organisations.support import post, private_category, register_and_verify


async def told(client: TestClient, db: Any, user_id: Any, language: str = "en") -> dict[str, Any]:
    """The person's membership notification once the notifier has delivered, rendered in ``language``."""
    await client.app[NOTIFIER].drain()
    row = await db.notifications.find_one({"user_id": user_id, "kind": "membership"})
    assert row is not None and "text" not in row, "stored as parameters, rendered when shown"
    with in_language(language):
        return (await with_text(db, [row]))[0]


async def test_a_verified_address_under_the_claim_or_a_subdomain_joins_directly(client: TestClient, db: Any,
                                                                                another_browser: Any) -> None:
    org = await make_org(db, name="Ministry of Railways", domains=("railways.gov.in",))
    person = await register_and_verify(client, db, org, "Asha@Railways.gov.in")
    assert person["org_id"] == org["_id"]
    deeper = await register_and_verify(another_browser(), db, org, "ravi@rdso.railways.gov.in", name="Ravi")
    assert deeper["org_id"] == org["_id"]
    request = await db[REQUESTS].find_one({"user_id": person["_id"]})
    assert request["status"] == "approved" and request["via"] == "domain"


async def test_an_unverified_account_belongs_nowhere_even_under_the_domain(client: TestClient, db: Any) -> None:
    org = await make_org(db, domains=("railways.gov.in",))
    response = await post(client, "/register", {"name": "Asha", "email": "asha@railways.gov.in", "org_id": str(org["_id"]),
                                                "designation": "Director", "password": "a long enough secret"}, "/register")
    assert response.status == 303
    stored = await db.users.find_one({"email": "asha@railways.gov.in"})
    assert stored["org_id"] is None
    assert (await db[REQUESTS].find_one({"user_id": stored["_id"]}))["status"] == "unverified"


async def test_the_most_specific_claim_wins_and_a_lookalike_domain_is_no_subdomain(client: TestClient, db: Any,
                                                                                  another_browser: Any) -> None:
    state = await make_org(db, name="Government of Kerala", level="state", state="Kerala", kind="department",
                           domains=("kerala.gov.in",))
    health = await make_org(db, name="Health Department, Kerala", level="state", state="Kerala", kind="department",
                            domains=("health.kerala.gov.in",))
    claimed_by_health = await register_and_verify(client, db, state, "meera@health.kerala.gov.in", name="Meera")
    assert claimed_by_health["org_id"] is None, "the address belongs to the more specific claim, not the one chosen"
    lookalike = await register_and_verify(another_browser(), db, state, "x@evilkerala.gov.in", name="X")
    assert lookalike["org_id"] is None
    owner = await register_and_verify(another_browser(), db, health, "anoop@health.kerala.gov.in", name="Anoop")
    assert owner["org_id"] == health["_id"]


async def _pending_with_admin(client: TestClient, db: Any, another_browser: Any) -> tuple[dict[str, Any], ...]:
    org = await make_org(db, name="Department of Expenditure")
    admin = await make_user(db, org=org, roles=("mdo_admin",), name="Joseph Thomas")
    applicant_browser = another_browser()
    applicant = await register_and_verify(applicant_browser, db, org, "fatima@example.org", name="Fatima Khan")
    return org, admin, applicant, applicant_browser


async def test_the_administrator_is_told_and_approves_on_the_queue_page(client: TestClient, db: Any,
                                                                        another_browser: Any) -> None:
    org, admin, applicant, applicant_browser = await _pending_with_admin(client, db, another_browser)
    category = await private_category(db, org, "expenditure-internal")
    notice = await told(client, db, admin["_id"])
    assert notice["text"] == "Fatima Khan asked to join Department of Expenditure."
    assert notice["url"] == f"/admin/organisations/{org['_id']}/requests"
    in_hindi = await told(client, db, admin["_id"], "hi")
    assert "Fatima Khan" in in_hindi["text"] and "asked to join" not in in_hindi["text"], "the reader's language"
    await sign_in(client, admin)
    queue = await client.get(f"/admin/organisations/{org['_id']}/requests")
    page = await queue.text()
    assert queue.status == 200 and "Fatima Khan" in page and "fatima@example.org" in page
    request = await db[REQUESTS].find_one({"user_id": applicant["_id"]})
    approved = await post(client, f"/admin/membership-requests/{request['_id']}/approve", {"reason": ""},
                          f"/admin/organisations/{org['_id']}/requests")
    assert approved.status == 303
    assert (await db.users.find_one({"_id": applicant["_id"]}))["org_id"] == org["_id"]
    entry = await db.audit_log.find_one({"action": "membership.approve"})
    assert entry["actor_id"] == admin["_id"] and entry["target_id"] == applicant["_id"] and entry["org_id"] == org["_id"]
    news = await told(client, db, applicant["_id"])
    assert news["url"] == "/account"
    assert news["text"] == "You are now a member of Department of Expenditure."
    assert (await applicant_browser.get(f"/forums/c/{category['slug']}")).status == 200
    again = await post(client, f"/admin/membership-requests/{request['_id']}/approve", {},
                       f"/admin/organisations/{org['_id']}/requests")
    assert again.status == 422, "a request is decided once"
    assert await db.audit_log.count_documents({"action": "membership.approve"}) == 1


async def test_a_rejection_with_a_reason_is_audited_and_told(client: TestClient, db: Any, another_browser: Any) -> None:
    org, admin, applicant, _browser = await _pending_with_admin(client, db, another_browser)
    request = await db[REQUESTS].find_one({"user_id": applicant["_id"]})
    headers = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    queue = await (await client.get(f"/api/v1/organisations/{org['_id']}/membership-requests", headers=headers)).json()
    assert [item["email"] for item in queue["items"]] == ["fatima@example.org"] and queue["next_cursor"] is None
    rejected = await client.post(f"/api/v1/membership-requests/{request['_id']}/reject", headers=headers,
                                 json={"reason": "Not on our staff list"})
    assert rejected.status == 200 and (await rejected.json())["status"] == "rejected"
    assert (await db.users.find_one({"_id": applicant["_id"]}))["org_id"] is None
    entry = await db.audit_log.find_one({"action": "membership.reject"})
    assert entry["reason"] == "Not on our staff list" and entry["actor_id"] == admin["_id"]
    news = await told(client, db, applicant["_id"])
    assert news["text"] == "Your request to join Department of Expenditure was declined: Not on our staff list"
    bad = await client.post(f"/api/v1/membership-requests/{request['_id']}/reject", headers=headers,
                            json={"reason": "<b>x</b>"})
    assert bad.status == 422 and bad.content_type == "application/problem+json"
    assert (await bad.json())["errors"][0]["field"] == "reason"


async def test_others_may_not_see_the_queue_or_decide(client: TestClient, db: Any, another_browser: Any) -> None:
    org, _admin, applicant, applicant_browser = await _pending_with_admin(client, db, another_browser)
    request = await db[REQUESTS].find_one({"user_id": applicant["_id"]})
    elsewhere = await make_user(db, roles=("mdo_admin",))
    colleague = await make_user(db, org=org)
    for person in (elsewhere, colleague):
        headers = {"Authorization": f"Bearer {await bearer_token(db, person)}"}
        assert (await client.get(f"/api/v1/organisations/{org['_id']}/membership-requests", headers=headers)).status == 403
        decided = await client.post(f"/api/v1/membership-requests/{request['_id']}/approve", headers=headers, json={})
        assert decided.status == 403
    own = await applicant_browser.post(f"/api/v1/membership-requests/{request['_id']}/approve", json={},
                                       headers={"Authorization": f"Bearer {await bearer_token(db, applicant)}"})
    assert own.status == 403
    assert (await db.users.find_one({"_id": applicant["_id"]}))["org_id"] is None
    assert await db.audit_log.count_documents({"action": {"$regex": "^membership"}}) == 0


async def test_without_an_mdo_administrator_the_platform_administrators_are_told(client: TestClient, db: Any) -> None:
    org = await make_org(db, name="Railway Board")
    platform = await make_user(db, roles=("admin",))
    await register_and_verify(client, db, org, "nobody@example.org", name="Arjun")
    notice = await told(client, db, platform["_id"])
    assert notice["text"] == "Arjun asked to join Railway Board."


async def test_moving_keeps_the_old_organisation_until_approved_then_drops_its_roles(client: TestClient, db: Any) -> None:
    old, new = await make_org(db, name="Ministry A"), await make_org(db, name="Ministry B")
    old_space, new_space = await private_category(db, old, "a-internal"), await private_category(db, new, "b-internal")
    person = await make_user(db, org=old, roles=("mdo_admin", "expert"), email="mover@example.org")
    new_admin = await make_user(db, org=new, roles=("mdo_admin",))
    await sign_in(client, person)
    asked = await post(client, "/account/organisation", {"org_id": str(new["_id"])}, "/account")
    assert asked.status == 303 and asked.headers["Location"] == "/account?membership=pending"
    assert "Your request to move to Ministry B is waiting" in await (await client.get("/account")).text()
    assert (await client.get(f"/forums/c/{old_space['slug']}")).status == 200, "still a member of the old one"
    assert (await client.get(f"/forums/c/{new_space['slug']}")).status == 404, "not yet of the new one"
    request = await db[REQUESTS].find_one({"user_id": person["_id"], "status": "pending"})
    assert request["previous_org_id"] == old["_id"]
    headers = {"Authorization": f"Bearer {await bearer_token(db, new_admin)}"}
    assert (await client.post(f"/api/v1/membership-requests/{request['_id']}/approve", headers=headers, json={})).status == 200
    moved = await db.users.find_one({"_id": person["_id"]})
    assert moved["org_id"] == new["_id"]
    assert "mdo_admin" not in moved["roles"] and "expert" in moved["roles"], "administration stays with the old organisation"
    assert (await client.get(f"/forums/c/{old_space['slug']}")).status == 404
    assert (await client.get(f"/forums/c/{new_space['slug']}")).status == 200


async def test_moving_under_the_new_domain_is_immediate(client: TestClient, db: Any) -> None:
    old = await make_org(db)
    new = await make_org(db, domains=("finmin.gov.in",))
    person = await make_user(db, org=old, email="meera@finmin.gov.in")
    headers = {"Authorization": f"Bearer {await bearer_token(db, person)}"}
    moved = await client.post("/api/v1/me/membership", headers=headers, json={"org_id": str(new["_id"])})
    assert moved.status == 200 and (await moved.json())["status"] == "approved"
    assert (await db.users.find_one({"_id": person["_id"]}))["org_id"] == new["_id"]


async def test_asking_again_or_withdrawing_leaves_one_open_request(client: TestClient, db: Any) -> None:
    first, second = await make_org(db), await make_org(db)
    person = await make_user(db, email="nomad@example.org")
    headers = {"Authorization": f"Bearer {await bearer_token(db, person)}"}
    for org in (first, second):
        assert (await client.post("/api/v1/me/membership", headers=headers, json={"org_id": str(org["_id"])})).status == 200
    mine = await (await client.get("/api/v1/me/membership", headers=headers)).json()
    assert mine["request"]["org_id"] == str(second["_id"])
    assert await db[REQUESTS].count_documents({"user_id": person["_id"], "status": "pending"}) == 1
    same = await client.post("/api/v1/me/membership", headers=headers, json={"org_id": str(person["org_id"])})
    assert same.status == 422 and (await same.json())["errors"][0]["field"] == "org_id"
    unknown = await client.post("/api/v1/me/membership", headers=headers, json={"org_id": "not-an-id"})
    assert unknown.status == 422
    assert (await client.delete("/api/v1/me/membership", headers=headers)).status == 200
    assert (await (await client.get("/api/v1/me/membership", headers=headers)).json())["request"] is None


async def test_the_account_form_shows_its_error_next_to_the_field(client: TestClient, db: Any) -> None:
    person = await make_user(db)
    await sign_in(client, person)
    response = await post(client, "/account/organisation", {"org_id": str(person["org_id"])}, "/account")
    page = await response.text()
    assert response.status == 422 and 'id="error-org_id"' in page and "You already belong to this organisation." in page


async def test_export_and_erasure_include_the_membership_request(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    person = await register_and_verify(client, db, org, "kept@example.org")
    exported = await (await client.get("/api/v1/me/data")).json()
    requests = exported["collections"][REQUESTS]["documents"]
    assert [row["org_id"] for row in requests] == [str(org["_id"])]
    erased = await client.post("/api/v1/me/erase", json={"confirm": "kept@example.org"},
                               headers={"Authorization": f"Bearer {await bearer_token(db, person)}"})
    assert erased.status == 200, await erased.text()
    assert await db[REQUESTS].count_documents({"user_id": person["_id"]}) == 0
    assert await db[REQUESTS].count_documents({"org_id": org["_id"], "status": "pending"}) == 0


async def test_the_queue_forms_need_the_csrf_token_and_show_a_bad_reason_next_to_its_field(
        client: TestClient, db: Any, another_browser: Any) -> None:
    org, admin, applicant, _browser = await _pending_with_admin(client, db, another_browser)
    request = await db[REQUESTS].find_one({"user_id": applicant["_id"]})
    await sign_in(client, admin)
    forged = await client.post(f"/admin/membership-requests/{request['_id']}/approve", data={}, allow_redirects=False)
    assert forged.status == 403
    marked_up = await post(client, f"/admin/membership-requests/{request['_id']}/reject", {"reason": "<script>x</script>"},
                           f"/admin/organisations/{org['_id']}/requests")
    page = await marked_up.text()
    assert marked_up.status == 422 and f'id="error-reason-{request["_id"]}"' in page
    assert "Remove the characters &lt; and &gt; from this field." in page and "<script>x" not in page
    assert (await db[REQUESTS].find_one({"_id": request["_id"]}))["status"] == "pending"
    assert await db.audit_log.count_documents({"action": {"$regex": "^membership"}}) == 0


async def test_asking_is_rate_limited(client: TestClient, db: Any) -> None:
    person = await make_user(db)
    orgs = [await make_org(db) for _ in range(6)]
    headers = {"Authorization": f"Bearer {await bearer_token(db, person)}"}
    answers = [(await client.post("/api/v1/me/membership", headers=headers, json={"org_id": str(org["_id"])})).status
               for org in orgs]
    assert answers == [200] * 5 + [429]


def test_a_request_by_someone_since_erased_names_a_deleted_member() -> None:
    membership = kinds.kind("membership")
    params = {"event": "asked", "org_id": "6b0fb3b15829cd7a1c31dfd2", "organisation": "Railway Board", "reason": ""}
    assert membership.text(params, "") == "Deleted member asked to join Railway Board."
    assert membership.url(params) == "/admin/organisations/6b0fb3b15829cd7a1c31dfd2/requests"
