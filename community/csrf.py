"""CSRF protection for every state-changing request a browser can send.

Signed double-submit, bound to the session: each form (or the ``X-CSRF-Token`` header for the
pages' scripts' fetches) carries an HMAC under the server secret of the browser's own secret. Signed in, that
secret is the session token itself, so a token is good for one session only: a cookie and token
pair planted from another browser, or a token taken before sign-in, is refused. Before sign-in
(the sign-in, registration and reset forms) it is a random value in an HttpOnly ``csrf`` cookie;
that value is replaced whenever the session cookie is set or cleared (:func:`rotate`), so a
pre-sign-in token dies at sign-in and at sign-out. A page on another site can make the browser
send its cookies but can neither read them nor forge the HMAC. The Origin header, when present,
must also be our own. Requests that authenticate with a bearer token carry no ambient
credentials, so they are exempt. So are Socket.IO's long-polling POSTs under
``/socket.io/``, which carry no token: each names an Engine.IO session id that only the page that
opened the connection was told (another site's page can make the browser send the cookie but
cannot read the answer that holds the id), the connection was authenticated by the session
cookie when it opened, and their Origin is checked here and by Engine.IO. Over HTTPS the cookie is named ``__Host-csrf``: browsers take
such a cookie only from this very host over HTTPS, so a sibling subdomain or a forged plain-HTTP
answer cannot plant its own pre-sign-in pair either.

The session middleware runs first (``community.app``), so the check knows the session.
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
SECURE_COOKIE = "__Host-csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT: web.AppKey[set[str]] = web.AppKey("csrf_exempt_paths")
"""Paths that servers, not browsers, post to, authenticated by what they carry (single sign-on's
back-channel logout, by its signed logout token); no cookie of ours rides on them."""
_COOKIE_LENGTH = 43
"""``secrets.token_urlsafe(32)``; anything else in the cookie is replaced."""


def _sign(secret: str, purpose: bytes, value: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + purpose + b":" + value.encode(), hashlib.sha256).hexdigest()


def exempt(app: web.Application, path: str) -> None:
    """Exempt ``path`` (see :data:`EXEMPT`)."""
    app.setdefault(EXEMPT, set()).add(path)


def token_for(request: web.Request) -> str:
    """The token to embed in forms rendered for this request: bound to the session when signed in."""
    secret = request.app[keys.SETTINGS].secret_key
    session = request.get(keys.SESSION_ID)
    if session:
        return _sign(secret, b"session", session)
    return _sign(secret, b"anonymous", request[keys.CSRF_COOKIE])


def rotate(request: web.Request, response: web.StreamResponse) -> None:
    """Replace the pre-sign-in secret (called whenever the session cookie is set or cleared)."""
    request[keys.CSRF_COOKIE] = secrets.token_urlsafe(32)
    _set_cookie(request, response)


def cookie_name(request: web.Request) -> str:
    return SECURE_COOKIE if request.app[keys.SETTINGS].secure_cookies else COOKIE


def _set_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.set_cookie(cookie_name(request), request[keys.CSRF_COOKIE], httponly=True, samesite="Lax",
                        secure=request.app[keys.SETTINGS].secure_cookies, path="/")


def origin_allowed(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    settings = request.app[keys.SETTINGS]
    own = {settings.base_url, f"{request.scheme}://{request.host}"}
    return origin in own


async def _submitted(request: web.Request) -> str | None:
    """The token a request carries: in the header, or in the form's field."""
    submitted = request.headers.get(HEADER)
    if submitted is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_form(request)
        value = form.get(FIELD)
        submitted = value if isinstance(value, str) else None
    return submitted


def _check_token(request: web.Request, fresh: bool, submitted: str | None) -> None:
    unbound = fresh and not request.get(keys.SESSION_ID)
    if unbound or not submitted or not hmac.compare_digest(submitted, token_for(request)):
        raise Forbidden(_("The form has expired or did not come from this site. Reload the page and try again."))


@web.middleware
async def csrf_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    cookie = request.cookies.get(cookie_name(request))
    fresh = cookie is None or len(cookie) != _COOKIE_LENGTH
    request[keys.CSRF_COOKIE] = secrets.token_urlsafe(32) if fresh or cookie is None else cookie
    if request.method not in SAFE_METHODS and not request.headers.get("Authorization", "").startswith("Bearer "):
        if not origin_allowed(request):
            raise Forbidden(_("This request came from another site and was refused."))
        if request.path in request.app.get(EXEMPT, ()):
            return await handler(request)
        if not request.path.startswith(keys.SOCKET_PREFIX):
            _check_token(request, fresh, await _submitted(request))
    response = await handler(request)
    if fresh and cookie_name(request) not in response.cookies:
        _set_cookie(request, response)
    return response
