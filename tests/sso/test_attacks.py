"""Every attack on the sign-in is refused with a page saying why, and writes nothing: no
account, no link, no session, no audit entry.

State and code attacks go through the real provider; token attacks use a provider of our own
(``CraftedProvider``) whose tokens are made with joserfc, so each breaks exactly one rule."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from community.sso.views import PROVIDER
from tests.sso.conftest import CLIENT_SECRET, Browser, Community, CraftedProvider, RealProvider, new_key, query_of

WRITTEN = ("users", "sso_links", "sso_pending_links", "sessions", "sso_sessions", "audit_log")


async def written(db: Any) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in WRITTEN}


async def refused_page(browser: Browser, url: str) -> str:
    final, status, body = await browser.walk(url)
    assert status == 400, (final, status, body[:300])
    assert "Sign-in refused" in body and "Nothing was changed on this server." in body
    assert await browser.community_session() is None
    return body


async def test_a_missing_or_forged_state_is_refused(community: Community, provider: RealProvider,
                                                    browser: Browser) -> None:
    callback = await browser.through_provider("ravi")
    code, state = query_of(callback)["code"], query_of(callback)["state"]
    before = await written(community.db)

    for url in (f"{community.url}/sso/callback?code={code}",
                f"{community.url}/sso/callback?code={code}&state=forged-{state}"):
        assert "not started in this browser" in await refused_page(browser, url)

    assert await written(community.db) == before
    await browser.walk(callback)  # the genuine state is still good: the forgeries took nothing
    assert await browser.community_session() is not None


async def test_another_browsers_state_is_refused(community: Community, provider: RealProvider,
                                                 browser: Browser) -> None:
    callback = await browser.through_provider("ravi")
    before = await written(community.db)
    stranger = community.browser()
    try:
        assert "not started in this browser" in await refused_page(stranger, callback)
    finally:
        await stranger.http.close()
    assert await written(community.db) == before


async def test_a_replayed_code_is_refused(community: Community, provider: RealProvider, browser: Browser) -> None:
    callback = await browser.through_provider("ravi")
    await browser.walk(callback)
    browser.http.cookie_jar.clear(lambda cookie: cookie.key == "session")  # keep the provider's and the binding
    before = await written(community.db)

    # The same return again: its state was taken by the first.
    assert "has been used already" in await refused_page(browser, callback)
    # The old code under a fresh state of the same browser: the provider refuses it (used, and
    # issued for another PKCE challenge).
    fresh = await browser.through_provider("ravi")
    replayed = f"{community.url}/sso/callback?code={query_of(callback)['code']}&state={query_of(fresh)['state']}"
    assert "may have been used already" in await refused_page(browser, replayed)
    assert await written(community.db) == before


async def _crafted_return(browser: Browser, crafted: CraftedProvider) -> dict[str, str]:
    """Start a sign-in and stop at our provider's authorization page: its state and nonce."""
    url, _status, _body = await browser.start(stop_at=crafted.issuer + "/auth")
    return query_of(url)


def _none_token(claims: dict[str, Any]) -> str:
    """An unsigned token, as an attacker would send it (joserfc refuses to make one)."""
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("attack, says", [
    ("another audience", "meant for another service"),
    ("several audiences, another party", "meant for another service"),
    ("expired", "has expired"),
    ("alg none", "signature method"),
    ("HS256 with the client secret", "signature method"),
    ("unknown key", "not signed by the sign-in service's keys"),
    ("nonce differs", "does not belong to the sign-in this browser started"),
    ("no nonce", "does not belong to the sign-in this browser started"),
    ("another issuer", "issued by another service"),
    ("tampered", "not signed by the sign-in service's keys"),
])
async def test_a_bad_id_token_is_refused(community: Community, crafted: CraftedProvider, browser: Browser,
                                         attack: str, says: str) -> None:
    sent = await _crafted_return(browser, crafted)
    good = crafted.claims(sent["nonce"])
    token = {
        "another audience": lambda: crafted.sign({**good, "aud": "elsewhere"}),
        "several audiences, another party": lambda: crafted.sign({**good, "aud": ["community", "elsewhere"],
                                                                  "azp": "elsewhere"}),
        "expired": lambda: crafted.sign({**good, "exp": int(time.time()) - 600, "iat": int(time.time()) - 900}),
        "alg none": lambda: _none_token(good),
        "HS256 with the client secret": lambda: jwt.encode({"alg": "HS256"}, good, OctKey.import_key(CLIENT_SECRET)),
        "unknown key": lambda: crafted.sign(good, key=new_key("stranger")),
        "nonce differs": lambda: crafted.sign({**good, "nonce": "another-" + sent["nonce"]}),
        "no nonce": lambda: crafted.sign({key: value for key, value in good.items() if key != "nonce"}),
        "another issuer": lambda: crafted.sign({**good, "iss": "http://127.0.0.1:1"}),
        "tampered": lambda: _tampered(crafted.sign(good)),
    }[attack]()
    crafted.queued.append(token)
    before = await written(community.db)
    fetches = community.client.app[PROVIDER].key_fetches

    body = await refused_page(browser, f"{community.url}/sso/callback?code=a-code&state={sent['state']}")

    assert says in body.replace("&#39;", "'")
    assert await written(community.db) == before
    if attack == "unknown key":
        # the first fetch filled the cache; the unknown kid fetched once more, and no more than once
        assert (fetches, community.client.app[PROVIDER].key_fetches) == (0, 2)


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "someone.else@example.gov.in"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_a_good_crafted_token_signs_in_within_the_leeway(community: Community, crafted: CraftedProvider,
                                                               browser: Browser) -> None:
    """The control for the attacks above: the same provider's well-made token is accepted, even
    a few seconds past its expiry (clocks differ)."""
    sent = await _crafted_return(browser, crafted)
    crafted.queued.append(crafted.sign(crafted.claims(sent["nonce"], exp=int(time.time()) - 5)))

    url, status, _body = await browser.walk(f"{community.url}/sso/callback?code=a-code&state={sent['state']}")

    assert (url, status) == (community.url + "/", 200)
    assert await community.db.users.count_documents({"email": "kiran.crafted@example.gov.in"}) == 1


@pytest.mark.parametrize("target", ["https://evil.example/steal", "//evil.example/steal", "/\\evil.example",
                                    "javascript:alert(1)"])
async def test_the_return_path_never_leaves_the_site(community: Community, provider: RealProvider,
                                                     browser: Browser, target: str) -> None:
    callback = await browser.through_provider("ravi", next_path=target)
    async with browser.http.get(callback, allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/"


async def test_an_unreachable_provider_is_a_page_not_an_error(community: Community, browser: Browser) -> None:
    before = await written(community.db)
    final, status, body = await browser.start()
    assert status == 400 and "The sign-in service cannot be reached." in body
    assert await written(community.db) == before


async def _signed_in_by_crafted(community: Community, crafted: CraftedProvider, browser: Browser) -> None:
    sent = await _crafted_return(browser, crafted)
    crafted.queued.append(crafted.sign(crafted.claims(sent["nonce"])))
    await browser.walk(f"{community.url}/sso/callback?code=a-code&state={sent['state']}")
    assert await browser.community_session() is not None


def _logout_claims(crafted: CraftedProvider, **changes: Any) -> dict[str, Any]:
    return {"iss": crafted.issuer, "aud": "community", "iat": int(time.time()), "jti": "logout-1", "sub": "crafted-1",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}}, **changes}


@pytest.mark.parametrize("attack", ["unknown key", "another audience", "no logout event", "a nonce", "alg none",
                                    "not a token"])
async def test_a_bad_logout_token_ends_nothing(community: Community, crafted: CraftedProvider, browser: Browser,
                                               attack: str) -> None:
    await _signed_in_by_crafted(community, crafted, browser)
    good = _logout_claims(crafted)
    token = {
        "unknown key": lambda: crafted.sign(good, key=new_key("stranger")),
        "another audience": lambda: crafted.sign({**good, "aud": "elsewhere"}),
        "no logout event": lambda: crafted.sign({**good, "events": {}}),
        "a nonce": lambda: crafted.sign({**good, "nonce": "n"}),
        "alg none": lambda: _none_token(good),
        "not a token": lambda: "garbage",
    }[attack]()
    answer = await community.client.post("/sso/backchannel-logout", data={"logout_token": token})
    assert answer.status == 400 and (await answer.json())["error"] == "invalid_request"
    assert await community.db.sessions.count_documents({}) == 1


async def test_a_good_logout_token_ends_the_persons_sessions(community: Community, crafted: CraftedProvider,
                                                             browser: Browser) -> None:
    await _signed_in_by_crafted(community, crafted, browser)
    answer = await community.client.post("/sso/backchannel-logout",
                                         data={"logout_token": crafted.sign(_logout_claims(crafted))})
    assert answer.status == 200
    assert await community.db.sessions.count_documents({}) == 0
    assert await community.db.sso_sessions.count_documents({}) == 0


@pytest.mark.parametrize("token", ["e30.e30.", "W10.W10.c2ln", "a.b", "...", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
                                   "eyJhbGciOiJSUzI1NiIsImtpZCI6W119.e30.c2ln", "x" * 20_000, "é.é.é"])
async def test_a_malformed_token_is_a_refusal_not_an_error(community: Community, crafted: CraftedProvider,
                                                          browser: Browser, token: str) -> None:
    answer = await community.client.post("/sso/backchannel-logout", data={"logout_token": token})
    assert answer.status == 400
    sent = await _crafted_return(browser, crafted)
    crafted.queued.append(token)
    await refused_page(browser, f"{community.url}/sso/callback?code=a-code&state={sent['state']}")
