"""Every query the accounts feature makes, in MongoDB's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, overload

from bson import ObjectId
from pymongo import ReturnDocument
from community.storage.api import Database



@overload
def as_utc(moment: datetime) -> datetime: ...


@overload
def as_utc(moment: None) -> None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """Stored datetimes come back naive (UTC) from a client that is not tz-aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# --- users --------------------------------------------------------------------------------


async def user_by_email(db: Database, email: str) -> dict[str, Any] | None:
    return await db.users.find_one({"email": email, "deleted": {"$ne": True}})


async def user_by_id(db: Database, user_id: ObjectId) -> dict[str, Any] | None:
    return await db.users.find_one({"_id": user_id, "deleted": {"$ne": True}})


async def insert_user(db: Database, user: dict[str, Any], *, session: Any = None) -> dict[str, Any]:
    """Raises ``DuplicateKeyError`` when the e-mail is taken (unique index)."""
    await db.users.insert_one(user, session=session)
    return user


async def mark_verified(db: Database, user_id: ObjectId, *, session: Any) -> None:
    """Only verified members are searchable (``policy.profile_search_copies``): the caller tells the
    people index in the same transaction."""
    await db.users.update_one({"_id": user_id}, {"$set": {"email_verified": True}}, session=session)


async def set_organisation(db: Database, user_id: ObjectId, org_id: ObjectId, *, drop_roles: tuple[str, ...],
                           session: Any) -> None:
    """Make ``org_id`` the person's organisation (the one fact every permission reads), dropping
    roles that belonged to the previous one; the caller tells the people index in the same transaction."""
    update: dict[str, Any] = {"$set": {"org_id": org_id}}
    if drop_roles:
        update["$pull"] = {"roles": {"$in": list(drop_roles)}}
    await db.users.update_one({"_id": user_id}, update, session=session)


async def set_name_and_roles(db: Database, user_id: ObjectId, *, name: str | None, roles: list[str], session: Any) -> None:
    """The name and roles single sign-on takes from the provider's claims (``community.sso.service``);
    the caller tells the people index in the same transaction."""
    await db.users.update_one({"_id": user_id}, {"$set": {"name": name, "roles": roles}}, session=session)


async def users_by_ids(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    rows = db.users.find({"_id": {"$in": user_ids}}, {"name": 1, "email": 1, "designation": 1, "org_id": 1})
    return {row["_id"]: row async for row in rows}


async def ids_with_role(db: Database, role: str, org_id: ObjectId | None = None) -> list[ObjectId]:
    """People holding ``role`` (within ``org_id`` when given), not erased."""
    conditions: dict[str, Any] = {"roles": role, "deleted": {"$ne": True}}
    if org_id is not None:
        conditions["org_id"] = org_id
    return [row["_id"] async for row in db.users.find(conditions, {"_id": 1})]
async def set_password_hash(db: Database, user_id: ObjectId, password_hash: str, *, session: Any = None) -> None:
    await db.users.update_one({"_id": user_id}, {"$set": {"password_hash": password_hash}}, session=session)


async def add_role(db: Database, user_id: ObjectId, role: str, *, session: Any = None) -> bool:
    result = await db.users.update_one({"_id": user_id, "roles": {"$ne": role}}, {"$addToSet": {"roles": role}},
                                       session=session)
    return result.modified_count == 1


async def remove_role(db: Database, user_id: ObjectId, role: str, *, session: Any = None) -> bool:
    result = await db.users.update_one({"_id": user_id, "roles": role}, {"$pull": {"roles": role}}, session=session)
    return result.modified_count == 1


async def count_users(db: Database) -> int:
    return await db.users.count_documents({})


async def users_page(db: Database, *, org_id: ObjectId | None, query: str | None, after: ObjectId | None,
                     limit: int) -> list[dict[str, Any]]:
    """People newest first, optionally within one organisation or matching a name/e-mail prefix."""
    conditions: dict[str, Any] = {"deleted": {"$ne": True}}
    if org_id is not None:
        conditions["org_id"] = org_id
    if query:
        pattern = re.escape(query)
        conditions["$or"] = [{"name": {"$regex": pattern, "$options": "i"}},
                             {"email": {"$regex": "^" + re.escape(query.lower())}}]
    if after is not None:
        conditions["_id"] = {"$lt": after}
    return await db.users.find(conditions, {"password_hash": 0}).sort("_id", -1).limit(limit).to_list(None)


# --- sessions and API tokens --------------------------------------------------------------


async def insert_session(db: Database, session: dict[str, Any]) -> None:
    await db.sessions.insert_one(session)


async def live_session(db: Database, session_hash: str, now: datetime, *, seen_after: datetime) -> dict[str, Any] | None:
    return await db.sessions.find_one({"_id": session_hash, "expires_at": {"$gt": now}, "seen_at": {"$gt": seen_after}})


async def mark_session_seen(db: Database, session_hash: str, now: datetime) -> None:
    await db.sessions.update_one({"_id": session_hash}, {"$max": {"seen_at": now}})


async def delete_session(db: Database, session_hash: str, *, session: Any = None) -> None:
    await db.sessions.delete_one({"_id": session_hash}, session=session)


async def delete_user_sessions(db: Database, user_id: ObjectId, *, session: Any = None) -> int:
    return (await db.sessions.delete_many({"user_id": user_id}, session=session)).deleted_count


async def count_live_sessions(db: Database, user_id: ObjectId, now: datetime, *, seen_after: datetime) -> int:
    return await db.sessions.count_documents({"user_id": user_id, "expires_at": {"$gt": now},
                                              "seen_at": {"$gt": seen_after}})


async def insert_token(db: Database, token: dict[str, Any]) -> None:
    await db.api_tokens.insert_one(token)


async def live_token(db: Database, token_hash: str, now: datetime) -> dict[str, Any] | None:
    return await db.api_tokens.find_one({"_id": token_hash, "expires_at": {"$gt": now}})


async def delete_token(db: Database, token_hash: str, *, session: Any = None) -> None:
    await db.api_tokens.delete_one({"_id": token_hash}, session=session)


async def delete_user_tokens(db: Database, user_id: ObjectId, *, session: Any = None) -> int:
    return (await db.api_tokens.delete_many({"user_id": user_id}, session=session)).deleted_count


# --- one-time codes -----------------------------------------------------------------------


async def current_code(db: Database, user_id: ObjectId, purpose: str) -> dict[str, Any] | None:
    return await db.one_time_codes.find_one({"user_id": user_id, "purpose": purpose})


async def put_code(db: Database, code: dict[str, Any]) -> None:
    """One live code per person and purpose: a new code replaces the old one."""
    await db.one_time_codes.replace_one({"user_id": code["user_id"], "purpose": code["purpose"]}, code, upsert=True)


async def spend_try(db: Database, code_id: ObjectId, max_tries: int) -> dict[str, Any] | None:
    """Count one attempt atomically; None when the tries were already used up."""
    return await db.one_time_codes.find_one_and_update(
        {"_id": code_id, "tries": {"$lt": max_tries}}, {"$inc": {"tries": 1}}, return_document=ReturnDocument.AFTER
    )


async def delete_code(db: Database, code_id: ObjectId) -> bool:
    """True for the one caller that removed it, so a code is used at most once."""
    return (await db.one_time_codes.delete_one({"_id": code_id})).deleted_count == 1


# --- development outbox -------------------------------------------------------------------


async def insert_outbox_message(db: Database, message: dict[str, Any]) -> None:
    await db.dev_outbox.insert_one(message)


async def outbox_messages(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    return await db.dev_outbox.find({}).sort("at", -1).limit(limit).to_list(None)


async def staff_names(db: Database, *, other_than: ObjectId | None) -> list[dict[str, Any]]:
    """The display names of administrators and moderators (other than ``other_than``)."""
    query: dict[str, Any] = {"roles": {"$in": ["admin", "mdo_admin", "moderator"]}, "deleted": {"$ne": True}}
    if other_than is not None:
        query["_id"] = {"$ne": other_than}
    return await db.users.find(query, {"name": 1}).to_list(None)
