"""Server-side sessions, bearer tokens, and the middleware that says who is asking.

The browser holds a random token in an HttpOnly cookie; the store holds only its SHA-256, so a
copy of the database does not let anyone sign in as someone else. API clients send
``Authorization: Bearer <token>`` (stored the same way). A request with a bearer header is
judged by that token alone and never by a cookie, because the CSRF middleware exempts bearer
requests: a cookie riding along on one must not count.

A browser session ends 14 days after sign-in, or earlier once it has made no request for
``SESSION_IDLE_MINUTES``. Ending one (signing out, everywhere, a password reset, a suspension)
also closes the sockets it opened, on every process: each socket sits in a room named by a hash
of its credential's hash (``socket_room``), and ``tx.hang_up`` disconnects a room once the
write that ends it has committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any, Literal

from aiohttp import hdrs, web
from bson import ObjectId

from community import csrf, keys
from community.actions import Action
from community.accounts import queries
from community.config import SESSION_LIFETIME_MINUTES, Settings
from community.policy import ANONYMOUS, Actor, Member, Role
from community.realtime.emitter import session_room, user_room
from community.storage.api import Database

SESSION_COOKIE = "session"
SESSION_LIFETIME = timedelta(minutes=SESSION_LIFETIME_MINUTES)
TOKEN_LIFETIME = timedelta(days=30)
SEEN_EVERY = timedelta(minutes=1)
"""How stale a session's ``seen_at`` may grow before a request writes it again: the idle limit
slides with use, without a write on every request."""

USER: web.RequestKey[dict[str, Any] | None] = web.RequestKey("user")
"""The signed-in person's ``users`` document (without the password hash), or None."""
STALE_COOKIE: web.RequestKey[bool] = web.RequestKey("stale_session_cookie")

Credential = tuple[Literal["cookie", "token"], str]
"""How someone signs in: ("cookie", session token) for browsers, ("token", bearer) for API clients."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: dict[str, Any]
    """The person's ``users`` document, without the password hash."""
    ends_at: datetime
    """When the credential stops working unless it is used again (a session's idle limit slides)."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def socket_room(token: str) -> str:
    """The Socket.IO room of every socket opened with this session or API token."""
    return session_room(digest(token))


def actor_for_user(user: Mapping[str, Any] | None) -> Actor:
    if user is None or user.get("deleted"):
        return ANONYMOUS
    known = {role.value for role in Role}
    roles = frozenset(Role(name) for name in user.get("roles", ()) if name in known) | {Role.OFFICER}
    return Member(user_id=user["_id"], org_id=user.get("org_id"), roles=roles,
                  suspended_until=queries.as_utc(user.get("suspended_until")))


async def start_session(db: Database, user_id: ObjectId, *, now: datetime, user_agent: str = "", ip: str = "") -> str:
    """Create a session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    await queries.insert_session(db, {"_id": digest(token), "user_id": user_id, "created_at": now, "seen_at": now,
                                      "expires_at": now + SESSION_LIFETIME, "user_agent": user_agent[:300], "ip": ip})
    return token


async def issue_api_token(db: Database, user_id: ObjectId, *, label: str = "api") -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await queries.insert_token(db, {"_id": digest(token), "user_id": user_id, "created_at": now,
                                    "expires_at": now + TOKEN_LIFETIME, "label": label[:100]})
    return token


async def _live_user(db: Database, record: dict[str, Any]) -> dict[str, Any] | None:
    user = await queries.user_by_id(db, record["user_id"])
    if user is None or not user.get("email_verified"):
        return None
    user.pop("password_hash", None)
    return user


async def signed_in(db: Database, credential: Credential, *, now: datetime, idle: timedelta,
                    touch: bool = False) -> SignedIn | None:
    """Who a credential signs in, or None when it is unknown, expired or idle too long.

    ``touch`` records the use of a session (at most once per :data:`SEEN_EVERY`), which moves its
    idle limit on; a request does, a socket's check does not, so an open tab alone keeps no one
    signed in."""
    kind, value = credential
    if not value:
        return None
    if kind == "token":
        record = await queries.live_token(db, digest(value), now)
        if record is None:
            return None
        ends_at = queries.as_utc(record["expires_at"])
    else:
        record = await queries.live_session(db, digest(value), now, seen_after=now - idle)
        if record is None:
            return None
        seen_at = queries.as_utc(record["seen_at"])
        if touch and now - seen_at >= SEEN_EVERY:
            await queries.mark_session_seen(db, record["_id"], now)
            seen_at = now
        ends_at = min(queries.as_utc(record["expires_at"]), seen_at + idle)
    assert ends_at is not None  # every session and token is stored with its expiry
    user = await _live_user(db, record)
    return None if user is None else SignedIn(user, ends_at)


async def count_live(db: Database, settings: Settings, user_id: ObjectId, now: datetime) -> int:
    """How many browsers the person is signed in on."""
    return await queries.count_live_sessions(db, user_id, now, seen_after=now - idle_limit(settings))


async def end_session(tx: Action, session_token: str) -> None:
    """Sign one browser out, and close the sockets it opened, on every process (once the
    session's deletion has committed)."""
    await queries.delete_session(tx.db, digest(session_token), session=await tx.start())
    tx.hang_up(socket_room(session_token))


async def revoke_api_token(tx: Action, bearer: str) -> None:
    await queries.delete_token(tx.db, digest(bearer), session=await tx.start())
    tx.hang_up(socket_room(bearer))


async def end_all(tx: Action, user_id: ObjectId) -> int:
    """Sign out everywhere: every browser session and every API token of the person, in one
    transaction, and then every socket they hold, on every process."""
    session = await tx.start()
    ended = (await queries.delete_user_sessions(tx.db, user_id, session=session)
             + await queries.delete_user_tokens(tx.db, user_id, session=session))
    tx.hang_up(user_room(user_id))
    return ended


def bearer_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    """Hand the browser its new session; forms in this response are bound to it, and the
    pre-sign-in CSRF secret is replaced (``csrf.rotate``)."""
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="Lax", secure=request.app[keys.SETTINGS].secure_cookies, path="/")
    request[keys.SESSION_ID] = token
    csrf.rotate(request, response)


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/", samesite="Lax", secure=request.app[keys.SETTINGS].secure_cookies)
    request[keys.SESSION_ID] = None
    csrf.rotate(request, response)


@web.middleware
async def session_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    """Who sends the request. Not for Socket.IO's requests (``keys.SOCKET_PREFIX``): a socket
    authenticates itself when it connects and checks its session again as it runs
    (``community.realtime.sockets``); a long-polling client sends a request every few seconds,
    and looking each one up would cost a read apiece and touch the session, so that an open tab
    alone would keep its person signed in, which a WebSocket does not. Nor for static files
    (``keys.PUBLIC_RESOURCES``), the same for everyone: a page's assets would each look the
    session up again."""
    unsigned = request.path.startswith(keys.SOCKET_PREFIX) or keys.public_resource(request)
    bearer = None if unsigned else bearer_of(request)
    cookie = None if unsigned else request.cookies.get(SESSION_COOKIE)
    credential: Credential | None = ("token", bearer) if bearer is not None else ("cookie", cookie) if cookie else None
    found = None
    if credential is not None:
        found = await signed_in(request.app[keys.DB], credential, now=request.app[keys.CLOCK](),
                                idle=idle_limit(request.app[keys.SETTINGS]), touch=True)
    user = found.user if found is not None else None
    request[keys.SESSION_ID] = cookie if bearer is None and user is not None else None
    request[USER] = user
    request[keys.ACTOR] = actor_for_user(user)
    request[STALE_COOKIE] = bearer is None and bool(cookie) and user is None
    return await handler(request)


async def drop_stale_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """An ``on_response_prepare`` hook, so error pages (rendered outside the middleware) drop
    an expired or unknown session cookie too. Headers are already built at this point, so the
    expiring cookie is added as a header."""
    if request.get(STALE_COOKIE) and SESSION_COOKIE not in response.cookies:
        jar: SimpleCookie = SimpleCookie()
        jar[SESSION_COOKIE] = ""
        morsel = jar[SESSION_COOKIE]
        morsel.update({"path": "/", "max-age": "0", "expires": "Thu, 01 Jan 1970 00:00:00 GMT", "samesite": "Lax"})
        morsel["httponly"] = True
        morsel["secure"] = request.app[keys.SETTINGS].secure_cookies
        response.headers.add(hdrs.SET_COOKIE, morsel.OutputString())
