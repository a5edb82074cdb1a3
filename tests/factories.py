"""Factories for people and organisations, and helpers to sign them in; every feature's tests use these.

They write real documents through the accounts code (real argon2id hashes; the hash of the
default password is computed once per test run because argon2 is slow on purpose).
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from collections.abc import Mapping
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId
from yarl import URL

from community import keys
from community.accounts import sessions
from community.accounts.passwords import hash_password
from community.accounts.sessions import SESSION_COOKIE
from community.jobs.registry import recurring_key
from community.jobs.schedule import JOBS
from community.organisations.queries import DOMAINS
from tests.conftest import csrf_token

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hashes: dict[str, str] = {}


async def _hash(password: str) -> str:
    if password not in _hashes:
        _hashes[password] = await hash_password(password)
    return _hashes[password]


async def make_org(db: Any, *, name: str | None = None, short_name: str | None = None, kind: str | None = None,
                   level: str = "central", state: str | None = None, parent: dict[str, Any] | None = None,
                   domains: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """An organisation; under ``parent`` it inherits level and State, and its kind follows the hierarchy.
    ``domains`` are the e-mail domains it claims (verified addresses under them join directly)."""
    number = next(_counter)
    if parent is not None:
        level, state = parent["level"], parent.get("state")
    org = {
        "_id": ObjectId(),
        "name": name or f"Organisation {number}",
        "short_name": short_name or f"ORG{number}",
        "kind": kind or ("ministry" if parent is None else "department" if parent["kind"] == "ministry" else "office"),
        "level": level,
        "state": state,
        "parent_id": parent["_id"] if parent else None,
        "path": [*parent["path"], parent["_id"]] if parent else [],
        "created_at": datetime.now(UTC),
        **extra,
    }
    await db.organisations.insert_one(org)
    if domains:
        await db[DOMAINS].insert_many([{"_id": domain, "org_id": org["_id"], "added_at": org["created_at"]}
                                       for domain in domains])
    return org


async def make_user(db: Any, *, org: dict[str, Any] | None = None, roles: tuple[str, ...] | list[str] = ("officer",),
                    name: str | None = None, email: str | None = None, password: str = DEFAULT_PASSWORD,
                    verified: bool = True, **extra: Any) -> dict[str, Any]:
    """A person; a fresh organisation is made when none is given. Returns the stored document."""
    number = next(_counter)
    org = org or await make_org(db)
    user = {
        "_id": ObjectId(),
        "name": name or f"Officer {number}",
        "email": (email or f"officer{number}@example.gov.in").lower(),
        "email_verified": verified,
        "mobile": None,
        "org_id": org["_id"],
        "designation": "Under Secretary",
        "roles": sorted({"officer", *roles}),
        "suspended_until": None,
        "password_hash": await _hash(password),
        "created_at": datetime.now(UTC),
        "deleted": False,
        **extra,
    }
    await db.users.insert_one(user)
    return user


async def sign_in(client: TestClient, user: dict[str, Any], password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the real page, so the client holds the session cookie afterwards."""
    token = await csrf_token(client, "/login")
    response = await client.post("/login", data={"email": user["email"], "password": password, "csrf_token": token},
                                 allow_redirects=False)
    assert response.status == 303, f"sign-in failed with {response.status}: {await response.text()}"
    assert any(cookie.key == SESSION_COOKIE for cookie in client.session.cookie_jar)


async def bearer_token(client_or_db: TestClient | Any, user: dict[str, Any]) -> str:
    """An API token for ``user`` (send it as ``Authorization: Bearer <token>``)."""
    db = client_or_db.app[keys.DB] if isinstance(client_or_db, TestClient) else client_or_db
    return await sessions.issue_api_token(db, user["_id"], label="test")


def bare_app(db: Any, limits: Any = None) -> dict[Any, Any]:
    """What an action needs of an app, for a store with no app around it (no sockets, no notifier):
    the store, the clock and the forums' limits (the defaults unless given)."""
    from community.app import utc_now
    from community.forums.limits import LIMITS, ForumLimits
    return {keys.DB: db, keys.CLOCK: utc_now, LIMITS: limits or ForumLimits()}


async def act(app: Any, actor: Any, service: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a write service in an action of ``actor`` on an app or, given a bare store, on ``bare_app``."""
    from community import actions
    return await actions.run(app if isinstance(app, Mapping) else bare_app(app), actor, service, *args, **kwargs)


async def make_notification(db: Any, user: Mapping[str, Any] | ObjectId, *, title: str = "Pay rules",
                            excerpt: str = "See the circular", **fields: Any) -> dict[str, Any]:
    """An unread mention stored as the notifier stores one, for a store another process serves
    (whose notifier this test cannot drive); its words are rendered when shown."""
    user_id = user if isinstance(user, ObjectId) else user["_id"]
    now = datetime.now(UTC)
    thread_id, post_id = ObjectId(), ObjectId()
    row = {"_id": ObjectId(), "user_id": user_id, "kind": "mention", "subject_type": "forum_post", "subject_id": post_id,
           "actor_id": None, "params": {"title": title, "excerpt": excerpt, "thread_id": str(thread_id), "number": 2},
           "url": f"/forums/t/{thread_id}/p/2", "count": 1, "read": False, "created_at": now, "updated_at": now,
           "open_key": f"{user_id}|mention|forum_post|{post_id}", "intents": [], **fields}
    await db.notifications.insert_one(row)
    return row


async def sent_to_sign_in(client: Any, path: str) -> bool:
    """Whether a visitor asking for the page ``path`` is sent to sign in and then back to it."""
    response = await client.get(path, allow_redirects=False)
    return response.status == 303 and response.headers["Location"] == str(URL("/login").with_query(next=path))


async def forget_recurring_jobs(db: Any) -> None:
    """Drop the recurring jobs (the daily digest), for a test whose runner's clock is hours
    ahead: its drain then schedules them again from that clock, so a count of the jobs it ran is
    the test's own, whatever the time of day (a clock two hours ahead crosses the digest's 07:00
    in India from 23:30 to 01:30 UTC)."""
    await db[JOBS].delete_many({"_id": {"$regex": "^" + re.escape(recurring_key(""))}})


def record_calls(monkeypatch: Any, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """The positional arguments of each call to the coroutine function ``owner.name`` from now on
    (it still runs), for tests that assert what a request asks of it."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    async def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls
