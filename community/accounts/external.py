"""What a sign-in from elsewhere (single sign-on, ``community.sso``) plugs into the accounts
pages, so that accounts does not depend on it: the sign-in page's button, where signing out
sends the browser next, and whether the server's own password accounts stay open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from community.config import Settings
from community.errors import Forbidden
from community.i18n import gettext as _

SIGN_IN_LABEL: web.AppKey[Callable[[], str]] = web.AppKey("sign_in_elsewhere_label")
"""The words of the sign-in page's button to the other sign-in (in the reader's language); it
posts to the route named ``sso_start``."""
SIGN_OUT_TARGET: web.AppKey[Callable[[web.Request, str], Awaitable[str | None]]] = web.AppKey("sign_out_elsewhere")
"""Given the session being ended, where the browser goes after signing out (the provider's
end-session page), or None for the home page."""


def local_accounts_open(settings: Settings) -> bool:
    return settings.oidc is None or settings.oidc.local_accounts


def require_local_accounts(settings: Settings) -> None:
    """Refuse password sign-in, registration and reset where only the sign-in service signs people in."""
    if not local_accounts_open(settings):
        raise Forbidden(_("This server signs people in only through the sign-in service, not with a password here."))
