"""Server-side sessions, bearer tokens, and the middleware that says who is asking.

The browser holds a random token in an HttpOnly cookie; the store holds only its SHA-256, so a
copy of the database does not let anyone sign in as someone else. API clients send
``Authorization: Bearer <token>`` (stored the same way). A request with a bearer header is
judged by that token alone and never by a cookie, because the CSRF middleware exempts bearer
requests: a cookie riding along on one must not count.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from aiohttp import hdrs, web
from bson import ObjectId

from community import keys
from community.accounts import queries
from community.policy import ANONYMOUS, Actor, Role

SESSION_COOKIE = "session"
SESSION_LIFETIME = timedelta(days=14)
TOKEN_LIFETIME = timedelta(days=30)

USER: web.RequestKey[dict[str, Any] | None] = web.RequestKey("user")
"""The signed-in person's ``users`` document (without the password hash), or None."""
STALE_COOKIE: web.RequestKey[bool] = web.RequestKey("stale_session_cookie")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for_user(user: dict[str, Any] | None) -> Actor:
    if user is None or user.get("deleted"):
        return ANONYMOUS
    known = {role.value for role in Role}
    roles = frozenset(Role(name) for name in user.get("roles", ()) if name in known) | {Role.OFFICER}
    return Actor(user_id=user["_id"], org_id=user.get("org_id"), roles=roles,
                 suspended_until=queries.as_utc(user.get("suspended_until")))


async def start_session(db: Any, user_id: ObjectId, *, user_agent: str = "", ip: str = "") -> str:
    """Create a session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await queries.insert_session(db, {"_id": digest(token), "user_id": user_id, "created_at": now,
                                      "expires_at": now + SESSION_LIFETIME, "user_agent": user_agent[:300], "ip": ip})
    return token


async def issue_api_token(db: Any, user_id: ObjectId, *, label: str = "api") -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await queries.insert_token(db, {"_id": digest(token), "user_id": user_id, "created_at": now,
                                    "expires_at": now + TOKEN_LIFETIME, "label": label[:100]})
    return token


async def _live_user(db: Any, record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    user = await queries.user_by_id(db, record["user_id"])
    if user is None or not user.get("email_verified"):
        return None
    user.pop("password_hash", None)
    return user


async def user_for_session(db: Any, session_token: str | None) -> dict[str, Any] | None:
    if not session_token:
        return None
    return await _live_user(db, await queries.live_session(db, digest(session_token), datetime.now(UTC)))


async def user_for_token(db: Any, bearer: str) -> dict[str, Any] | None:
    if not bearer:
        return None
    return await _live_user(db, await queries.live_token(db, digest(bearer), datetime.now(UTC)))


async def actor_for_session(db: Any, session_id: str | None) -> Actor:
    """The actor behind a session cookie's value (for the socket layer's ``connect``)."""
    return actor_for_user(await user_for_session(db, session_id))


async def end_session(db: Any, session_token: str) -> None:
    await queries.delete_session(db, digest(session_token))


async def revoke_api_token(db: Any, bearer: str) -> None:
    await queries.delete_token(db, digest(bearer))


async def end_all(db: Any, user_id: ObjectId) -> int:
    """Sign out everywhere: every browser session and every API token of the person."""
    return await queries.delete_user_sessions(db, user_id) + await queries.delete_user_tokens(db, user_id)


def bearer_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="Lax", secure=request.app[keys.SETTINGS].secure_cookies, path="/")


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/", samesite="Lax", secure=request.app[keys.SETTINGS].secure_cookies)


@web.middleware
async def session_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    db = request.app[keys.DB]
    bearer = bearer_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if bearer is not None:
        user = await user_for_token(db, bearer)
        request[keys.SESSION_ID] = None
    else:
        user = await user_for_session(db, cookie)
        request[keys.SESSION_ID] = cookie if user is not None else None
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
        morsel.update({"path": "/", "max-age": "0", "expires": "Thu, 01 Jan 1970 00:00:00 GMT", "samesite": "Lax",
                       "httponly": True, "secure": request.app[keys.SETTINGS].secure_cookies})
        response.headers.add(hdrs.SET_COOKIE, morsel.OutputString())
