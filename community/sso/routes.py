"""Single sign-on with an OpenID Connect provider (iGOT's Keycloak), when ``OIDC_ISSUER`` is set."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from community import csrf, keys
from community.accounts import external
from community.i18n import gettext as _
from community.sso import storage, views
from community.sso.oidc import Provider
from community.storage.facts import declare
from community.requests import add_form_page


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    settings = app[keys.SETTINGS].oidc
    if settings is None:
        return
    router = app.router
    router.add_post("/sso/start", views.start, name="sso_start")
    router.add_get("/sso/callback", views.callback, name="sso_callback")
    add_form_page(router, "/sso/link", views.link_page, name="sso_link")
    router.add_post("/sso/backchannel-logout", views.backchannel_logout, name="sso_backchannel_logout")
    csrf.exempt(app, "/sso/backchannel-logout")
    app[external.SIGN_IN_LABEL] = lambda: settings.button_label or _("Sign in with iGOT")
    app[external.SIGN_OUT_TARGET] = views.sign_out_target

    async def provider_client(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as http:
            app[views.PROVIDER] = Provider(settings, http)
            yield

    app.cleanup_ctx.append(provider_client)
