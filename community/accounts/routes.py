from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from community import api, keys
from community.accounts import api as account_api, storage, views
from community.accounts.mailer import mailer_context
from community.accounts.schemas import Accepted, CsrfOut, EmailIn, LoginIn, RegisterIn, ResetIn, TokenOut, UserOut, VerifyIn
from community.accounts.sessions import USER, drop_stale_cookie
from community.i18n import lazy_gettext
from community.policy import can_open_admin_area
from community.storage.facts import declare
from community.requests import add_form_page


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.cleanup_ctx.append(mailer_context)
    app.on_response_prepare.append(drop_stale_cookie)
    env = aiohttp_jinja2.get_env(app)
    env.globals["signed_in_user"] = lambda request: request.get(USER)
    env.globals["can_open_admin_area"] = can_open_admin_area
    app[keys.USER_MENU].append(keys.NavItem("account", lazy_gettext("Account and sign-in"), weight=30))

    router = app.router
    add_form_page(router, "/register", views.register_page, name="register")
    add_form_page(router, "/verify", views.verify_page, name="verify")
    router.add_post("/verify/resend", views.resend_code, name="verify_resend")
    add_form_page(router, "/login", views.login_page, name="login")
    router.add_post("/logout", views.logout, name="logout")
    add_form_page(router, "/reset", views.reset_page, name="reset")
    add_form_page(router, "/reset/confirm", views.reset_confirm_page, name="reset_confirm")
    router.add_get("/account", views.account_page, name="account")
    router.add_post("/account/sign-out-everywhere", views.sign_out_everywhere, name="sign_out_everywhere")

    tag = "accounts"
    api.route(app, "GET", "/accounts/csrf", account_api.csrf_token, summary="Get a CSRF token for the unauthenticated calls",
              tag=tag, response=CsrfOut, auth=False)
    api.route(app, "POST", "/accounts/register", account_api.register_api, summary="Register; a code is e-mailed",
              tag=tag, body=RegisterIn, response=Accepted, auth=False, status=201)
    api.route(app, "POST", "/accounts/verify", account_api.verify_api, summary="Verify the e-mail address with the code",
              tag=tag, body=VerifyIn, response=UserOut, auth=False)
    api.route(app, "POST", "/accounts/verify/resend", account_api.resend_api, summary="Send a new verification code",
              tag=tag, body=EmailIn, response=Accepted, auth=False, status=202)
    api.route(app, "POST", "/accounts/login", account_api.login_api, summary="Sign in; returns a bearer token",
              tag=tag, body=LoginIn, response=TokenOut, auth=False,
              links={"me": api.Link("api.me", {}, "Who the token signs in (send it as `Authorization: Bearer`)")})
    api.route(app, "POST", "/accounts/logout", account_api.logout_api, summary="End this token or session",
              tag=tag, body=None, response=Accepted)
    api.route(app, "POST", "/accounts/sign-out-everywhere", account_api.sign_out_everywhere_api,
              summary="End every session and token of the signed-in person", tag=tag, body=None, response=Accepted)
    api.route(app, "POST", "/accounts/reset/request", account_api.reset_request_api,
              summary="E-mail a password reset code", tag=tag, body=EmailIn, response=Accepted, auth=False, status=202)
    api.route(app, "POST", "/accounts/reset", account_api.reset_api, summary="Set a new password with the reset code",
              tag=tag, body=ResetIn, response=Accepted, auth=False)
    api.route(app, "GET", "/me", account_api.me_api, summary="The signed-in person", tag=tag, response=UserOut, name="api.me")
