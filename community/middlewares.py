"""Request pipeline: client address, language, errors, security headers. CSRF and sessions live beside their code."""

from __future__ import annotations

import functools
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from community import api, keys
from community.accounts.sessions import SESSION_COOKIE
from community.config import Network
from community.errors import BadRequest, DomainError, Invalid, RateLimited, Unauthenticated
from community.templating import base_context
from community.i18n import LANGUAGE_COOKIE, N_, current_locale, gettext as _, negotiate
from community.logs import Throttled

log = logging.getLogger("community.http")

MALFORMED_REQUESTS = Throttled(log, "malformed request refused")


class MalformedRequestFilter(logging.Filter):
    """aiohttp answers a request it cannot parse (a request line or header over 8 KiB, bytes
    that are not HTTP) with a 400 and logs it on ``aiohttp.server`` at ERROR with a traceback:
    a log flood anyone can cause. Such a record becomes one throttled warning line instead. So
    does the error aiohttp logs after a body that does not decompress was refused, when it reads
    the rest of that body to keep the connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.ERROR or not isinstance(error, (HttpProcessingError, web.RequestPayloadError)):
            return True
        peer = record.args[0] if isinstance(record.args, tuple) and record.args else None
        detail = error.message if isinstance(error, HttpProcessingError) else error
        MALFORMED_REQUESTS(peer=peer, error=type(error).__name__, detail=str(detail)[:200])
        return False


def throttle_malformed_requests() -> None:
    """Put :class:`MalformedRequestFilter` on aiohttp's server log, once per process."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(existing, MalformedRequestFilter) for existing in server_log.filters):
        server_log.addFilter(MalformedRequestFilter())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address, with IPv4-mapped IPv6 (``::ffff:10.0.0.1``, from a dual-stack socket) as IPv4."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return (address.ipv4_mapped or address) if isinstance(address, ipaddress.IPv6Address) else address


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str | None:
    """Who sent the request: the peer, unless it is a trusted proxy; then the right-most address in
    ``X-Forwarded-For`` that is not a trusted proxy itself.

    Only hops appended by our own proxies are believed, so a client that sends its own
    ``X-Forwarded-For`` cannot choose its address: its claims sit left of the address our proxy
    appended. An entry that is not an address ends the walk at the last trusted hop.
    """
    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in trusted)

    current = _address(peer) if peer else None
    if not is_trusted(current):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not is_trusted(address):
            break
    return str(current)


@web.middleware
async def forwarded_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    """Behind trusted reverse proxies (``TRUSTED_PROXIES``), give handlers the client's address as
    ``request.remote``, so per-address limits count people, not the proxy."""
    trusted = request.app[keys.SETTINGS].trusted_proxies
    if not trusted:
        return await handler(request)
    remote = client_address(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)
    return await handler(request if remote is None or remote == request.remote else request.clone(remote=remote))


def wants_json(request: web.Request) -> bool:
    if request.path.startswith(api.PREFIX):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _error_page(request: web.Request, status: int, title: str, detail: str,
                      errors: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> web.Response:
    """Render the error page with the base context itself: the error may have been raised before
    the template-context middleware ran (a refused CSRF check, say)."""
    context = {**await base_context(request), "status": status, "title": title, "detail": detail, "errors": errors or {}}
    response = aiohttp_jinja2.render_template("errors/error.html", request, context, status=status)
    if headers:
        response.headers.update(headers)
    return response


HTTP_TITLES = {400: N_("Bad request"), 404: N_("Not found"), 405: N_("Method not allowed"), 413: N_("Too large"),
               415: N_("Unsupported media type")}

KEPT_HEADERS = ("Allow", "Retry-After")
"""Headers of aiohttp's own error answers that the rendered page or problem keeps: a 405 must
say which methods the resource allows (RFC 9110, section 15.5.6)."""


@web.middleware
async def error_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as error:
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
        errors = error.errors if isinstance(error, (Invalid, BadRequest)) else None
        if wants_json(request):
            return api.problem(error.status, _(error.title), _(error.detail), error.type_slug,
                               errors=errors, headers=headers, instance=request.path)
        if isinstance(error, Unauthenticated) and request.method in ("GET", "HEAD"):
            # A visitor following a link to a members' page signs in and comes back to it.
            login = request.app.router["login"].url_for().with_query({"next": request.path_qs})
            return web.Response(status=303, headers={"Location": str(login)})
        return await _error_page(request, error.status, _(error.title), _(error.detail), errors, headers)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        title = HTTP_TITLES.get(error.status, error.reason)
        slug = title.lower().replace(" ", "-")
        kept = {name: error.headers[name] for name in KEPT_HEADERS if name in error.headers}
        if wants_json(request):
            return api.problem(error.status, _(title), _(title), slug, headers=kept, instance=request.path)
        return await _error_page(request, error.status, _(title),
                                 _("We could not find that page.") if error.status == 404 else _(title), headers=kept)
    except Exception:
        incident = secrets.token_hex(6)
        log.exception("unhandled error", extra={"incident": incident, "path": request.path, "method": request.method})
        detail = _("Something went wrong on our side. Quote incident %(id)s if you report it.", id=incident)
        if wants_json(request):
            return api.problem(500, _("Server error"), detail, "server-error", instance=request.path)
        return await _error_page(request, 500, _("Server error"), detail)


@web.middleware
async def language_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    locale = negotiate(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language"))
    request[keys.LOCALE] = locale
    token = current_locale.set(locale)
    try:
        response = await handler(request)
    finally:
        current_locale.reset(token)
    response.headers.setdefault("Content-Language", locale)
    return response


# Cached per process, not per app: the policy depends on nothing but ``base_url``, the key.
@functools.cache
def content_security_policy(base_url: str, issuer: str | None = None) -> str:
    """The policy for a server at ``base_url``: sockets may reach this server's own origin only.
    With single sign-on, forms may also lead to the provider's origin (``issuer``): the sign-in
    button's and the sign-out form's answers redirect there, and browsers hold redirects of a
    form to ``form-action`` too."""
    parts = urlsplit(base_url)
    provider = urlsplit(issuer) if issuer else None
    form_targets = f"'self' {provider.scheme}://{provider.netloc}" if provider else "'self'"
    socket_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        f"connect-src 'self' {socket_origin}",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        f"form-action {form_targets}",
        "object-src 'none'",
    ])


def _personal(request: web.Request) -> bool:
    """Whether the answer may depend on who is asking: the request presents a session or a token.
    A presented but dead credential counts too (its answer clears the cookie)."""
    if keys.public_resource(request):
        return False
    return bool(request.cookies.get(SESSION_COOKIE)) or request.headers.get("Authorization", "").startswith("Bearer ")


def _secure(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:  # a WebSocket or a stream: its headers have already gone
        return
    headers = response.headers
    settings = request.app[keys.SETTINGS]
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(settings.base_url, settings.oidc.issuer if settings.oidc else None))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.app[keys.SETTINGS].secure_cookies:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if _personal(request) and not headers.get("Cache-Control", "").startswith("private, max-age="):
        headers["Cache-Control"] = "no-store"


@web.middleware
async def security_headers_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    """The outermost middleware: every answer gets the headers, including error pages, problems and
    redirects, whether returned or raised. Whatever depends on who is signed in is never stored
    by a cache (``Cache-Control: no-store``), decided here for every route at once; the one
    way out is a handler's own ``private, max-age=N`` (only the person's browser keeps it, for
    N seconds), which avatars use so that a page's faces are not fetched again on every page."""
    try:
        response = await handler(request)
    except web.HTTPException as raised:
        _secure(request, raised)
        raise
    _secure(request, response)
    return response


BADGE_SKIPS = (api.PREFIX, "/static/", "/socket.io/")


def badge_middleware(key: web.RequestKey[int], count: Callable[[Any, Any], Awaitable[int]]) -> Any:
    """A header badge's number, ``count(db, user_id)``, put in ``request[key]`` for every page a
    signed-in person opens (not the API, static files or sockets, which show no header)."""
    @web.middleware
    async def badge(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
        actor = request.get(keys.ACTOR)
        if (request.method == "GET" and actor is not None and actor.is_authenticated
                and not request.path.startswith(BADGE_SKIPS)):
            request[key] = await count(request.app[keys.DB], actor.user_id)
        return await handler(request)
    return badge
