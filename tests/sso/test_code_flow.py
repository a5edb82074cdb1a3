"""Journeys against the real provider: the code flow through its own pages, the organisation
and roles from its claims, later sign-ins, key rotation, sign-out and back-channel logout."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from community.sso.views import PROVIDER
from tests.sso.conftest import FORM_ACTION, Browser, Community, RealProvider, new_key, query_of


async def _user(db: Any, email: str) -> dict[str, Any]:
    found = await db.users.find_one({"email": email})
    assert found is not None, f"no account for {email}"
    return found


async def test_the_code_flow_makes_a_verified_member_in_the_mapped_organisation(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    callback = await browser.through_provider("asha", next_path="/account")
    sent = query_of(callback)
    assert set(sent) >= {"code", "state"}

    url, status, body = await browser.walk(callback)

    assert (url, status) == (community.url + "/account", 200)
    assert "Asha Verma" in body and "Ministry of Electronics and IT" in body
    asha = await _user(community.db, "asha.verma@meity.example.gov.in")
    meity = await community.db.organisations.find_one({"short_name": "MeitY"})
    assert asha["email_verified"] is True and asha["org_id"] == meity["_id"]
    assert asha["roles"] == ["mdo_admin", "officer"] and asha["password_hash"] is None
    link = await community.db.sso_links.find_one({"user_id": asha["_id"]})
    assert link["issuer"] == provider.issuer and link["subject"] == "asha"
    assert await community.db.sso_started.count_documents({}) == 0  # the state was taken


async def test_a_later_sign_in_follows_the_claims_and_audits_the_move(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    await browser.walk(await browser.through_provider("asha"))
    first = await _user(community.db, "asha.verma@meity.example.gov.in")

    provider.accounts["asha"].update(name="Asha Verma Rao", org="DOPT", roles=[])
    await provider.restart(provider.signing)
    again = community.browser()
    try:
        url, status, _body = await again.walk(await again.through_provider("asha"))
    finally:
        await again.http.close()

    assert status == 200
    moved = await _user(community.db, "asha.verma@meity.example.gov.in")
    dopt = await community.db.organisations.find_one({"short_name": "DoPT"})
    assert moved["_id"] == first["_id"] and moved["name"] == "Asha Verma Rao" and moved["org_id"] == dopt["_id"]
    assert moved["roles"] == ["officer"]  # the provider took its role away, and MDO administration ends on a move
    entry = await community.db.audit_log.find_one({"action": "membership.sso", "target_id": first["_id"]})
    assert entry["org_id"] == dopt["_id"] and entry["details"]["previous_org_id"] == first["org_id"]
    assert await community.db.users.count_documents({"email": "asha.verma@meity.example.gov.in"}) == 1


async def test_rotated_keys_are_fetched_once_when_an_unknown_kid_arrives(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    await browser.walk(await browser.through_provider("ravi"))
    fetches = community.client.app[PROVIDER].key_fetches
    assert fetches == 1

    await provider.restart([new_key("second"), *provider.signing])  # the provider signs with a new key
    browser.http.cookie_jar.clear()
    url, status, body = await browser.walk(await browser.through_provider("ravi"))

    assert status == 200, body[:300]
    assert community.client.app[PROVIDER].key_fetches == fetches + 1
    assert await browser.community_session() is not None


async def test_sign_out_goes_on_to_the_providers_end_session_page(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    await browser.walk(await browser.through_provider("ravi"))
    token = await browser.csrf("/")
    async with browser.http.post(community.url + "/logout", data={"csrf_token": token}, allow_redirects=False) as response:
        location = response.headers["Location"]
    assert location.startswith(provider.issuer + "/session/end")
    assert query_of(location)["post_logout_redirect_uri"] == community.url + "/"
    assert await community.db.sessions.count_documents({}) == 0


async def test_back_channel_logout_ends_every_session_of_the_person(
        community: Community, provider: RealProvider, browser: Browser) -> None:
    other = community.browser()
    try:
        await other.walk(await other.through_provider("ravi"))
        await browser.walk(await browser.through_provider("ravi"))
        ravi = await _user(community.db, "ravi.kumar@dopt.example.gov.in")
        assert await community.db.sessions.count_documents({"user_id": ravi["_id"]}) == 2

        # Sign out at the provider, in the first browser: it tells the community on the back channel.
        url, status, body = await browser.walk(provider.issuer + "/session/end")
        assert status == 200, body[:300]
        action = browser_form_action(url, body)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', body)
        assert xsrf, body[:500]
        await browser.walk(action, method="POST", data={"xsrf": xsrf.group(1), "logout": "yes"})

        assert await community.db.sessions.count_documents({"user_id": ravi["_id"]}) == 0, provider.output
        async with other.http.get(community.url + "/account", allow_redirects=False) as response:
            assert response.status in (302, 303, 401)
    finally:
        await other.http.close()


def browser_form_action(url: str, body: str) -> str:
    match = FORM_ACTION.search(body)
    assert match, body[:500]
    return urljoin(url, match.group(1))
