"""The accounts pages: register, verify, sign in and out, reset, account settings."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from community import actions, keys
from community.accounts import external, login, register, reset, sessions, verify
from community.accounts.forms import render_form
from community.accounts.schemas import EmailIn, LoginIn, RegisterIn, ResetIn, VerifyIn
from community.errors import Invalid, RateLimited
from community.i18n import LOCALES, gettext as _, lazy_gettext, remember_language
from community.organisations import membership, queries as org_queries
from community.organisations.service import choices
from community.policy import require, require_member
from community.requests import form_fields, local_target, see_other
from community.validation import validate

ROLE_LABELS = {
    "officer": lazy_gettext("Officer"), "expert": lazy_gettext("Expert"), "mdo_admin": lazy_gettext("MDO administrator"),
    "moderator": lazy_gettext("Moderator"), "admin": lazy_gettext("Platform administrator"),
}


def _url(request: web.Request, name: str, **query: str) -> str:
    built = request.app.router[name].url_for()
    return str(built.with_query(query) if query else built)


def _ip(request: web.Request) -> str:
    return request.remote or "unknown"


async def signed_in_response(request: web.Request, user: dict[str, Any], target: str) -> web.Response:
    token = await sessions.start_session(request.app[keys.DB], user["_id"], now=request.app[keys.CLOCK](),
                                         user_agent=request.headers.get("User-Agent", ""), ip=_ip(request))
    response = see_other(target)
    sessions.set_session_cookie(request, response, token)
    if user.get("language") in LOCALES:
        remember_language(response, user["language"], secure=request.app[keys.SETTINGS].secure_cookies)
    return response


async def register_page(request: web.Request) -> web.Response:
    external.require_local_accounts(request.app[keys.SETTINGS])
    db = request.app[keys.DB]
    organisations = await choices(db)
    if request.method != "POST":
        return render_form(request, "accounts/register.html", {}, organisations=organisations)
    values = await form_fields(request, RegisterIn.model_fields)
    try:
        email = await register.register(request.app, request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key,
                                        validate(RegisterIn, values), _ip(request))
    except Invalid as error:
        return render_form(request, "accounts/register.html", values, error.errors, organisations=organisations)
    return see_other(_url(request, "verify", email=email))


async def verify_page(request: web.Request) -> web.Response:
    if request.method != "POST":
        return render_form(request, "accounts/verify.html", {"email": request.query.get("email", "")},
                           resent=request.query.get("resent") == "1")
    values = await form_fields(request, VerifyIn.model_fields)
    try:
        user = await verify.verify_email(request.app, request.app[keys.SETTINGS].secret_key, validate(VerifyIn, values))
    except Invalid as error:
        return render_form(request, "accounts/verify.html", values, error.errors, resent=False)
    return await signed_in_response(request, user, _url(request, "account", welcome="1"))


async def resend_code(request: web.Request) -> web.Response:
    values = await form_fields(request, EmailIn.model_fields)
    try:
        data = validate(EmailIn, values)
        await verify.resend(request.app[keys.DB], request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key, data.email,
                            _ip(request))
    except (Invalid, RateLimited) as error:
        errors = error.errors if isinstance(error, Invalid) else {"code": error.detail}
        return render_form(request, "accounts/verify.html", values, errors, status=429 if isinstance(error, RateLimited) else 200,
                           resent=False)
    return see_other(_url(request, "verify", email=data.email, resent="1"))


async def login_page(request: web.Request) -> web.Response:
    target = local_target(request.query.get("next"))
    notices = {"reset": _("Your password has been changed. Sign in with the new one."),
               "all": _("You have been signed out everywhere.")}
    label = request.app.get(external.SIGN_IN_LABEL)
    page: dict[str, Any] = {"sso_label": label() if label else "",
                            "local": external.local_accounts_open(request.app[keys.SETTINGS])}
    if request.method != "POST":
        return render_form(request, "accounts/login.html", {}, next=target,
                           notice=notices.get(request.query.get("done", ""), ""), **page)
    external.require_local_accounts(request.app[keys.SETTINGS])
    values = await form_fields(request, (*LoginIn.model_fields, "next"))
    target = local_target(values.pop("next", None))
    try:
        user = await login.authenticate(request.app[keys.DB], validate(LoginIn, values), _ip(request))
    except Invalid as error:
        return render_form(request, "accounts/login.html", values, error.errors, next=target, notice="", **page)
    except RateLimited as error:
        response = render_form(request, "accounts/login.html", values, {"password": error.detail}, status=429,
                               next=target, notice="", **page)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return await signed_in_response(request, user, target)


async def logout(request: web.Request) -> web.Response:
    """Sign this browser out; a session that began at the sign-in service goes on to its
    end-session page, to sign out there too."""
    session_id = request.get(keys.SESSION_ID)
    elsewhere = request.app.get(external.SIGN_OUT_TARGET)
    target = await elsewhere(request, session_id) if session_id and elsewhere else None
    if session_id:
        await actions.run(request.app, request[keys.ACTOR], sessions.end_session, session_id)
    response = see_other(target or _url(request, "home"))
    sessions.clear_session_cookie(request, response)
    return response


async def reset_page(request: web.Request) -> web.Response:
    external.require_local_accounts(request.app[keys.SETTINGS])
    if request.method != "POST":
        return render_form(request, "accounts/reset.html", {})
    values = await form_fields(request, EmailIn.model_fields)
    try:
        data = validate(EmailIn, values)
    except Invalid as error:
        return render_form(request, "accounts/reset.html", values, error.errors)
    db = request.app[keys.DB]
    await reset.request_reset(db, request.app[keys.MAILER], request.app[keys.SETTINGS].secret_key, data.email, _ip(request))
    return see_other(_url(request, "reset_confirm", email=data.email))


async def reset_confirm_page(request: web.Request) -> web.Response:
    if request.method != "POST":
        return render_form(request, "accounts/reset_confirm.html", {"email": request.query.get("email", "")})
    values = await form_fields(request, ResetIn.model_fields)
    try:
        await actions.run(request.app, request[keys.ACTOR], reset.reset_password, request.app[keys.SETTINGS].secret_key,
                          validate(ResetIn, values))
    except Invalid as error:
        return render_form(request, "accounts/reset_confirm.html", values, error.errors)
    response = see_other(_url(request, "login", done="reset"))
    sessions.clear_session_cookie(request, response)
    return response


async def account_page(request: web.Request) -> web.Response:
    notices = {"approved": _("You are now a member of the organisation: your address is under its domain."),
               "pending": _("Your request has been sent to the organisation's administrators."),
               "withdrawn": _("Your request has been withdrawn.")}
    notice = _("Your e-mail address is verified. Welcome!") if request.query.get("welcome") == "1" else ""
    return await render_account(request, {}, {}, notice=notices.get(request.query.get("membership", ""), notice))


async def render_account(request: web.Request, values: dict[str, Any], errors: dict[str, str], *,
                         notice: str = "") -> web.Response:
    """The account page; the organisation form's values and errors when it was refused."""
    actor = request[keys.ACTOR]
    require(actor, actor.is_authenticated)
    user = request[sessions.USER]
    assert user is not None  # an authenticated actor always comes with the person's document
    db = request.app[keys.DB]
    return render_form(
        request, "accounts/account.html", values, errors,
        user=user,
        organisation=await org_queries.by_id(db, user["org_id"]) if user.get("org_id") else None,
        membership=await membership.state_of(db, user),
        organisations=await choices(db),
        role_labels=[ROLE_LABELS[role] for role in ROLE_LABELS if role in {r.value for r in actor.roles}],
        sessions=await sessions.count_live(db, request.app[keys.SETTINGS], user["_id"], request.app[keys.CLOCK]()),
        notice=notice,
    )


async def sign_out_everywhere(request: web.Request) -> web.Response:
    actor = require_member(request[keys.ACTOR])
    await actions.run(request.app, actor, sessions.end_all, actor.user_id)
    response = see_other(_url(request, "login", done="all"))
    sessions.clear_session_cookie(request, response)
    return response
