"""Every query single sign-on makes, in MongoDB's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.storage.api import Database

STARTED = "sso_started"
"""Sign-ins sent to the provider: keyed by the hash of ``state``, holding the nonce, the PKCE
verifier, the hash of the browser's binding cookie and the return path; each is taken once."""
LINKS = "sso_links"
PENDING = "sso_pending_links"
SSO_SESSIONS = "sso_sessions"


async def insert_started(db: Database, record: dict[str, Any]) -> None:
    await db[STARTED].insert_one(record)


async def take_started(db: Database, state_hash: str, browser_hash: str, now: datetime) -> dict[str, Any] | None:
    """The sign-in this state names, started in this browser and not expired, removed as it is
    read: a state is good once."""
    found = await db[STARTED].find_one({"_id": state_hash, "browser": browser_hash, "expires_at": {"$gt": now}})
    if found is None or (await db[STARTED].delete_one({"_id": state_hash})).deleted_count != 1:
        return None  # unknown, another browser's, expired, or taken meanwhile by a concurrent request
    return found


async def link_of(db: Database, issuer: str, subject: str) -> dict[str, Any] | None:
    return await db[LINKS].find_one({"issuer": issuer, "subject": subject})


async def insert_link(db: Database, link: dict[str, Any], *, session: Any) -> None:
    """Raises ``DuplicateKeyError`` when the identity or the account is linked already."""
    await db[LINKS].insert_one(link, session=session)


async def delete_links(db: Database, user_id: Any, *, session: Any) -> None:
    await db[LINKS].delete_many({"user_id": user_id}, session=session)


async def put_pending(db: Database, record: dict[str, Any]) -> None:
    """One link waiting per browser: a newer sign-in in the same browser replaces it."""
    await db[PENDING].replace_one({"_id": record["_id"]}, record, upsert=True)


async def pending(db: Database, browser_hash: str, now: datetime) -> dict[str, Any] | None:
    return await db[PENDING].find_one({"_id": browser_hash, "expires_at": {"$gt": now}})


async def delete_pending(db: Database, browser_hash: str, *, session: Any) -> bool:
    return (await db[PENDING].delete_one({"_id": browser_hash}, session=session)).deleted_count > 0


async def insert_sso_session(db: Database, record: dict[str, Any]) -> None:
    await db[SSO_SESSIONS].insert_one(record)


async def take_sso_session(db: Database, session_hash: str) -> dict[str, Any] | None:
    found = await db[SSO_SESSIONS].find_one({"_id": session_hash})
    if found is not None:
        await db[SSO_SESSIONS].delete_one({"_id": session_hash})
    return found


async def users_of_provider_session(db: Database, sid: str) -> list[Any]:
    return [row["user_id"] async for row in db[SSO_SESSIONS].find({"sid": sid}, {"user_id": 1})]


async def delete_sso_sessions(db: Database, user_id: Any, *, session: Any) -> None:
    await db[SSO_SESSIONS].delete_many({"user_id": user_id}, session=session)
