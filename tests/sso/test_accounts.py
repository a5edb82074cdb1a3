"""Single sign-on and the server's own accounts: linking an existing account only with its
password, closing password sign-in, and an SSO member treated exactly as a local one."""

from __future__ import annotations

import pytest

from community.accounts.sessions import actor_for_user
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.sso.conftest import TOKEN_PATTERN, Browser, Community, CraftedProvider, RealProvider, query_of
from tests.sso.test_attacks import written
from tests.test_policy import ACTIONS


async def test_an_existing_account_is_linked_only_after_its_password(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    own = await community.db.organisations.find_one({"short_name": "MeitY"})
    meera = await make_user(community.db, org=own, email="meera.local@example.gov.in", name="Meera Local")
    url, status, body = await browser.walk(await browser.through_provider("local", next_path="/account"))
    assert (url, status) == (community.url + "/sso/link", 200)
    assert "meera.local@example.gov.in" in body and await browser.community_session() is None
    before = await written(community.db)

    token = await browser.csrf("/sso/link")
    url, status, body = await browser.walk(community.url + "/sso/link", method="POST",
                                           data={"csrf_token": token, "password": "not the password"})
    assert status == 422 and "The e-mail address or the password is not right." in body
    assert await written(community.db) == before

    token = await browser.csrf("/sso/link")
    url, status, body = await browser.walk(community.url + "/sso/link", method="POST",
                                           data={"csrf_token": token, "password": DEFAULT_PASSWORD})
    assert (url, status) == (community.url + "/account", 200)
    link = await community.db.sso_links.find_one({"subject": "local"})
    assert link["user_id"] == meera["_id"]
    assert await community.db.users.count_documents({"email": "meera.local@example.gov.in"}) == 1
    dopt = await community.db.organisations.find_one({"short_name": "DoPT"})
    assert (await community.db.users.find_one({"_id": meera["_id"]}))["org_id"] == dopt["_id"]
    assert await community.db.audit_log.count_documents({"action": "membership.sso", "target_id": meera["_id"]}) == 1
    assert await community.db.sso_pending_links.count_documents({}) == 0

    # The link page cannot be used again, and the next sign-in needs no password.
    final, status, _body = await browser.walk(community.url + "/sso/link")
    assert status == 400
    browser.http.cookie_jar.clear(lambda cookie: cookie.key == "session")
    url, status, _body = await browser.walk(await browser.through_provider("local"))
    assert (url, status) == (community.url + "/", 200) and await browser.community_session() is not None


@pytest.mark.oidc(local_accounts=False)
async def test_closed_local_accounts_leave_only_the_providers_sign_in(community: Community) -> None:
    client = community.client
    page = await (await client.get("/login")).text()
    assert "Sign in with iGOT" in page and 'name="password"' not in page and 'href="/register"' not in page
    assert 'href="/register"' not in await (await client.get("/")).text()
    token = TOKEN_PATTERN.search(page)
    assert token
    refused = await client.post("/login", data={"csrf_token": token.group(1), "email": "a@example.gov.in",
                                                "password": "x" * 12})
    assert refused.status == 403
    assert (await client.get("/register")).status == 403
    answer = await client.post("/api/v1/accounts/login", json={"email": "a@example.gov.in", "password": "x" * 12})
    assert answer.status == 403 and answer.content_type == "application/problem+json"


@pytest.mark.oidc(button_label="Sign in with Karmayogi Bharat")
async def test_the_buttons_words_are_a_setting(community: Community) -> None:
    page = await (await community.client.get("/login")).text()
    assert "Sign in with Karmayogi Bharat" in page and 'name="password"' in page


async def test_an_sso_member_is_decided_exactly_as_a_local_member(
        community: Community, crafted: CraftedProvider, browser: Browser) -> None:
    url, _status, _body = await browser.start(stop_at=crafted.issuer + "/auth")
    sent = query_of(url)
    crafted.queued.append(crafted.sign(crafted.claims(sent["nonce"])))
    await browser.walk(f"{community.url}/sso/callback?code=a-code&state={sent['state']}")
    arrived = await community.db.users.find_one({"email": "kiran.crafted@example.gov.in"})
    dopt = await community.db.organisations.find_one({"short_name": "DoPT"})
    assert arrived["org_id"] == dopt["_id"]
    local = await make_user(community.db, org=dopt)

    sso_actor, local_actor = actor_for_user(arrived), actor_for_user(local)
    assert (sso_actor.org_id, sso_actor.roles, sso_actor.suspended_until) == \
        (local_actor.org_id, local_actor.roles, local_actor.suspended_until)
    differing = [name for name, check in ACTIONS.items() if check(sso_actor) != check(local_actor)]
    assert differing == []
    account = await browser.walk(community.url + "/account")
    assert account[1] == 200 and "Kiran Crafted" in account[2]


async def test_forms_may_lead_to_the_provider_and_nowhere_else(community: Community, provider_port: int) -> None:
    """The sign-in button's and the sign-out form's answers redirect to the provider, which a
    browser checks against ``form-action``."""
    policy = (await community.client.get("/login")).headers["Content-Security-Policy"]
    assert f"form-action 'self' http://127.0.0.1:{provider_port};" in policy


async def _crafted_sign_in(community: Community, crafted: CraftedProvider, **claims: object) -> Browser:
    browser = community.browser()
    url, _status, _body = await browser.start(stop_at=crafted.issuer + "/auth")
    sent = query_of(url)
    crafted.queued.append(crafted.sign(crafted.claims(sent["nonce"], **claims)))
    final, status, _body = await browser.walk(f"{community.url}/sso/callback?code=a-code&state={sent['state']}")
    assert status == 200, final
    await browser.http.close()
    return browser


async def test_organisations_come_from_the_map_then_the_domain_and_an_unmapped_claim_moves_nobody(
        community: Community, crafted: CraftedProvider) -> None:
    nic = await make_org(community.db, name="National Informatics Centre", short_name="NIC", domains=("example.gov.in",))
    dopt = await community.db.organisations.find_one({"short_name": "DoPT"})

    await _crafted_sign_in(community, crafted, org="Somewhere unmapped")
    kiran = await community.db.users.find_one({"email": "kiran.crafted@example.gov.in"})
    assert kiran["org_id"] == nic["_id"]  # no mapping: the domain rule places a new member

    await _crafted_sign_in(community, crafted, org="DOPT")
    assert (await community.db.users.find_one({"_id": kiran["_id"]}))["org_id"] == dopt["_id"]
    await _crafted_sign_in(community, crafted, org="Somewhere unmapped")
    assert (await community.db.users.find_one({"_id": kiran["_id"]}))["org_id"] == dopt["_id"]
    assert await community.db.audit_log.count_documents({"action": "membership.sso", "target_id": kiran["_id"]}) == 1
