"""CSRF protection for every state-changing request a browser can send.

Signed double-submit: a random value in an HttpOnly ``csrf`` cookie, and in each form (or the
``X-CSRF-Token`` header for htmx and fetch) an HMAC of it under the server secret. A page on
another site can make the browser send the cookie but can neither read it nor forge the HMAC.
The Origin header, when present, must also be our own. Requests that authenticate with a bearer
token carry no ambient credentials, so they are exempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from community import keys
from community.errors import Forbidden
from community.i18n import gettext as _
from community.requests import read_form

COOKIE = "csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + value.encode(), hashlib.sha256).hexdigest()


def token_for(request: web.Request) -> str:
    """The token to embed in forms rendered for this request."""
    return _sign(request.app[keys.SETTINGS].secret_key, request[keys.CSRF_COOKIE])


def origin_allowed(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    settings = request.app[keys.SETTINGS]
    own = {settings.base_url, f"{request.scheme}://{request.host}"}
    return origin in own


@web.middleware
async def csrf_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    cookie = request.cookies.get(COOKIE)
    fresh = cookie is None or len(cookie) != 43
    request[keys.CSRF_COOKIE] = secrets.token_urlsafe(32) if fresh else cookie
    if request.method not in SAFE_METHODS and not request.headers.get("Authorization", "").startswith("Bearer "):
        if not origin_allowed(request):
            raise Forbidden(_("This request came from another site and was refused."))
        submitted = request.headers.get(HEADER)
        if submitted is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await read_form(request)
            value = form.get(FIELD)
            submitted = value if isinstance(value, str) else None
        if fresh or not submitted or not hmac.compare_digest(submitted, token_for(request)):
            raise Forbidden(_("The form has expired or did not come from this site. Reload the page and try again."))
    response = await handler(request)
    if fresh:
        response.set_cookie(
            COOKIE,
            request[keys.CSRF_COOKIE],
            httponly=True,
            samesite="Lax",
            secure=request.app[keys.SETTINGS].secure_cookies,
            path="/",
        )
    return response
