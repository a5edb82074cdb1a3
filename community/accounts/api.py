"""The accounts JSON API under /api/v1: the same services as the pages, answers as JSON.

API clients have no form to carry a CSRF token, so ``GET /accounts/csrf`` hands one out (with
its cookie) for the unauthenticated calls (register, verify, sign in, reset). Once signed in a
client sends ``Authorization: Bearer <token>``, which needs no CSRF token at all.
"""

from __future__ import annotations

from aiohttp import web

from community import actions, api, csrf, keys
from community.accounts import external, login, register, reset, sessions, verify
from community.accounts.schemas import EmailIn, LoginIn, RegisterIn, ResetIn, VerifyIn, user_out
from community.i18n import gettext as _
from community.policy import require, require_member
from community.requests import read_json
from community.validation import validate


def _ip(request: web.Request) -> str:
    return request.remote or "unknown"


async def csrf_token(request: web.Request) -> web.Response:
    return api.json_response({"csrf_token": csrf.token_for(request)})


async def register_api(request: web.Request) -> web.Response:
    external.require_local_accounts(request.app[keys.SETTINGS])
    data = validate(RegisterIn, await read_json(request))
    email = await register.register(request.app, request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key,
                                    data, _ip(request))
    return api.json_response({"status": "verification_sent",
                              "detail": _("We have sent a 6-digit code to %(email)s.", email=email)}, status=201)


async def verify_api(request: web.Request) -> web.Response:
    user = await verify.verify_email(request.app, request.app[keys.SETTINGS].secret_key,
                                     validate(VerifyIn, await read_json(request)))
    return api.json_response(user_out(user))


async def resend_api(request: web.Request) -> web.Response:
    data = validate(EmailIn, await read_json(request))
    await verify.resend(request.app[keys.DB], request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key, data.email,
                        _ip(request))
    return api.json_response({"status": "accepted",
                              "detail": _("If that address is waiting for verification, a new code is on its way.")}, status=202)


async def login_api(request: web.Request) -> web.Response:
    external.require_local_accounts(request.app[keys.SETTINGS])
    db = request.app[keys.DB]
    user = await login.authenticate(db, validate(LoginIn, await read_json(request)), _ip(request))
    token = await sessions.issue_api_token(db, user["_id"], label=request.headers.get("User-Agent", "api"))
    return api.json_response({"token": token, "token_type": "Bearer",
                              "expires_in": int(sessions.TOKEN_LIFETIME.total_seconds())})


async def logout_api(request: web.Request) -> web.Response:
    """Ends whatever authenticated this request: the bearer token, or the browser session."""
    require(request[keys.ACTOR], request[keys.ACTOR].is_authenticated)
    bearer = sessions.bearer_of(request)
    if bearer:
        await actions.run(request.app, request[keys.ACTOR], sessions.revoke_api_token, bearer)
    elif session_id := request.get(keys.SESSION_ID):
        await actions.run(request.app, request[keys.ACTOR], sessions.end_session, session_id)
    return api.json_response({"status": "signed_out", "detail": _("You are signed out.")})


async def sign_out_everywhere_api(request: web.Request) -> web.Response:
    actor = require_member(request[keys.ACTOR])
    await actions.run(request.app, actor, sessions.end_all, actor.user_id)
    return api.json_response({"status": "signed_out", "detail": _("You have been signed out everywhere.")})


async def reset_request_api(request: web.Request) -> web.Response:
    external.require_local_accounts(request.app[keys.SETTINGS])
    data = validate(EmailIn, await read_json(request))
    await reset.request_reset(request.app[keys.DB], request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key,
                              data.email, _ip(request))
    return api.json_response({"status": "accepted",
                              "detail": _("If an account uses that address, we have sent a code to it.")}, status=202)


async def reset_api(request: web.Request) -> web.Response:
    await actions.run(request.app, request[keys.ACTOR], reset.reset_password, request.app[keys.SETTINGS].secret_key,
                      validate(ResetIn, await read_json(request)))
    return api.json_response({"status": "password_changed",
                              "detail": _("Your password has been changed. Sign in with the new one.")})


async def me_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, actor.is_authenticated)
    user = request[sessions.USER]
    assert user is not None  # an authenticated actor always comes with the person's document
    return api.json_response(user_out(user))
