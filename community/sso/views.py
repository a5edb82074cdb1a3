"""Single sign-on's pages: start, the provider's return, the password step of a link, and the
provider's back-channel logout.

``state``, ``nonce`` and the PKCE verifier are kept here, in ``sso_started``, never in the
browser; the record is bound to the browser by the hash of an HttpOnly cookie set when the
sign-in starts, and is taken (deleted) by the first return that names it, so a forged, missing,
replayed or another browser's ``state`` finds nothing. Every refusal is a page saying why, and
nothing is written before the ID token has passed every check (``community.sso.oidc``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from community import keys, ratelimit
from community.accounts import sessions
from community.accounts.forms import render_form
from community.accounts.sessions import digest
from community.accounts.views import signed_in_response
from community.errors import Invalid
from community.i18n import gettext as _
from community.requests import form_fields, local_target, see_other, url_for
from community.sso import queries, service
from community.sso.oidc import Provider, Refused

PROVIDER: web.AppKey[Provider] = web.AppKey("sso_provider")
BROWSER_COOKIE = "sso_browser"
STARTED_MINUTES = 10
"""How long a sign-in may stay at the provider's pages before its return is refused."""
STARTS_PER_ADDRESS = 60
RETURNS_PER_ADDRESS = 60
LOGOUTS_PER_ADDRESS = 600
WINDOW_SECONDS = 15 * 60


def _ip(request: web.Request) -> str:
    return request.remote or "unknown"


def refused(request: web.Request, message: str) -> web.Response:
    return aiohttp_jinja2.render_template("sso/refused.html", request, {"message": message}, status=400)


def redirect_uri(request: web.Request) -> str:
    return request.app[keys.SETTINGS].base_url + url_for(request, "sso_callback")


def _set_browser_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(BROWSER_COOKIE, value, max_age=int(timedelta(minutes=service.PENDING_MINUTES).total_seconds()),
                        httponly=True, samesite="Lax", secure=request.app[keys.SETTINGS].secure_cookies, path="/sso/")


async def start(request: web.Request) -> web.Response:
    """Send the browser to the provider's sign-in page, with a fresh state, nonce and PKCE challenge."""
    db = request.app[keys.DB]
    settings = request.app[keys.SETTINGS].oidc
    assert settings is not None
    await ratelimit.hit(db, f"sso:start:{_ip(request)}", limit=STARTS_PER_ADDRESS, window_seconds=WINDOW_SECONDS)
    values = await form_fields(request, ("next",))
    try:
        metadata = await request.app[PROVIDER].metadata()
    except Refused as error:
        return refused(request, error.message)
    browser = request.cookies.get(BROWSER_COOKIE) or ""
    if len(browser) != 43:
        browser = secrets.token_urlsafe(32)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    now = request.app[keys.CLOCK]()
    await queries.insert_started(db, {"_id": digest(state), "browser": digest(browser), "nonce": nonce,
                                      "verifier": verifier, "next": local_target(values.get("next")),
                                      "created_at": now, "expires_at": now + timedelta(minutes=STARTED_MINUTES)})
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    target = URL(metadata["authorization_endpoint"]).update_query(
        response_type="code", client_id=settings.client_id, redirect_uri=redirect_uri(request),
        scope="openid profile email organisation", state=state, nonce=nonce, code_challenge=challenge,
        code_challenge_method="S256")
    response = see_other(str(target))
    _set_browser_cookie(request, response, browser)
    return response


async def callback(request: web.Request) -> web.Response:
    """The provider's return: the state taken, the code exchanged, the ID token checked, then the
    account found, made or waiting for its password."""
    app, db = request.app, request.app[keys.DB]
    await ratelimit.hit(db, f"sso:return:{_ip(request)}", limit=RETURNS_PER_ADDRESS, window_seconds=WINDOW_SECONDS)
    browser = request.cookies.get(BROWSER_COOKIE, "")
    state = request.query.get("state", "")
    started = await queries.take_started(db, digest(state), digest(browser), app[keys.CLOCK]()) if state and browser else None
    if started is None:
        return refused(request, _("This sign-in was not started in this browser, has expired or has been used already. "
                                  "Start again from the sign-in page."))
    if request.query.get("error") or not request.query.get("code"):
        return refused(request, _("The sign-in service did not sign you in (it was cancelled or refused there)."))
    try:
        provider = app[PROVIDER]
        token = await provider.exchange(request.query["code"], started["verifier"], redirect_uri(request))
        claims = await provider.id_token_claims(token, started["nonce"])
        settings = app[keys.SETTINGS].oidc
        assert settings is not None
        outcome = await service.sign_in(app, service.identity(settings, claims), digest(browser), started["next"])
    except Refused as error:
        return refused(request, error.message)
    if outcome.user is None:
        return see_other(url_for(request, "sso_link"))
    return await _signed_in(request, outcome.user, started["next"], claims.get("sid"))


async def _signed_in(request: web.Request, user: dict[str, Any], target: str, sid: Any) -> web.Response:
    response = await signed_in_response(request, user, target)
    token = request[keys.SESSION_ID]
    assert token is not None  # signed_in_response has just set the session cookie
    now = request.app[keys.CLOCK]()
    await queries.insert_sso_session(request.app[keys.DB], {
        "_id": digest(token), "user_id": user["_id"], "sid": sid if isinstance(sid, str) else None,
        "created_at": now, "expires_at": now + sessions.SESSION_LIFETIME})
    return response


async def link_page(request: web.Request) -> web.Response:
    """The one password entry that links a provider identity to the existing account of its address."""
    browser = request.cookies.get(BROWSER_COOKIE, "")
    waiting = await service.waiting_link(request.app[keys.DB], digest(browser), request.app[keys.CLOCK]()) if browser else None
    if waiting is None:
        return refused(request, _("This link has expired or was started in another browser. Sign in again."))
    if request.method != "POST":
        return render_form(request, "sso/link.html", {}, email=waiting["email"])
    values = await form_fields(request, ("password",))
    try:
        user, target = await service.link_with_password(request.app, digest(browser), values.get("password", ""),
                                                        _ip(request))
    except Invalid as error:
        return render_form(request, "sso/link.html", {}, error.errors, email=waiting["email"])
    except Refused as error:
        return refused(request, error.message)
    return await _signed_in(request, user, target, None)


async def backchannel_logout(request: web.Request) -> web.Response:
    """The provider's server says a person signed out there: end every session of theirs here.
    It carries no cookie and no CSRF token (it is not a browser); the signed logout token is what
    authenticates it. Answers as the specification asks: 200, or 400 with an OAuth error."""
    db = request.app[keys.DB]
    await ratelimit.hit(db, f"sso:logout:{_ip(request)}", limit=LOGOUTS_PER_ADDRESS, window_seconds=WINDOW_SECONDS)
    token = (await form_fields(request, ("logout_token",))).get("logout_token", "")
    headers = {"Cache-Control": "no-store"}
    try:
        claims = await request.app[PROVIDER].logout_token_claims(token)
    except Refused as error:
        return web.json_response({"error": "invalid_request", "error_description": error.message}, status=400,
                                 headers=headers)
    await service.end_for(request.app, claims)
    return web.Response(status=200, headers=headers)


async def sign_out_target(request: web.Request, session_token: str) -> str | None:
    """After signing out a session that began at the provider: its end-session page, when it has one."""
    record = await queries.take_sso_session(request.app[keys.DB], digest(session_token))
    if record is None:
        return None
    try:
        endpoint = (await request.app[PROVIDER].metadata()).get("end_session_endpoint")
    except Refused:
        return None
    settings = request.app[keys.SETTINGS]
    assert settings.oidc is not None
    if not isinstance(endpoint, str):
        return None
    return str(URL(endpoint).update_query(client_id=settings.oidc.client_id,
                                          post_logout_redirect_uri=settings.base_url + url_for(request, "home")))
