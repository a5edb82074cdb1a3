"""Queries on ``organisations`` (MDOs), in MongoDB's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.storage.api import Database



async def by_id(db: Database, org_id: ObjectId) -> dict[str, Any] | None:
    return await db.organisations.find_one({"_id": org_id})


async def insert(db: Database, org: dict[str, Any], *, session: Any = None) -> None:
    """Raises ``DuplicateKeyError`` when a sibling already has the name."""
    await db.organisations.insert_one(org, session=session)


async def update(db: Database, org_id: ObjectId, changes: dict[str, Any], *, session: Any = None) -> bool:
    return (await db.organisations.update_one({"_id": org_id}, {"$set": changes}, session=session)).modified_count == 1


async def delete(db: Database, org_id: ObjectId, session: Any = None) -> bool:
    return (await db.organisations.delete_one({"_id": org_id}, session=session)).deleted_count == 1


async def child_count(db: Database, org_id: ObjectId) -> int:
    return await db.organisations.count_documents({"parent_id": org_id})


async def member_count(db: Database, org_id: ObjectId) -> int:
    return await people.member_count(db, org_id)


async def by_name(db: Database, name: str) -> dict[str, Any] | None:
    """The organisation called ``name`` (or with it as its short name)."""
    return await db.organisations.find_one({"$or": [{"name": name}, {"short_name": name}]})


async def oldest(db: Database, limit: int = 0) -> list[dict[str, Any]]:
    """The first ``limit`` organisations created (all of them for 0), in the order they were made
    (the demo data builds on them)."""
    return await db.organisations.find({}).sort("_id", 1).limit(limit).to_list(None)


async def everything(db: Database) -> list[dict[str, Any]]:
    """The whole hierarchy, for the tree and the registration choice (MDOs number in thousands, not millions)."""
    return await db.organisations.find({}).sort("name", 1).to_list(None)


async def page(db: Database, *, after_name: str | None, after_id: ObjectId | None, parent_id: ObjectId | None,
               top_level: bool, limit: int) -> list[dict[str, Any]]:
    """Alphabetical pages, keyed on (name, _id) so equal names never repeat or vanish across pages."""
    conditions: dict[str, Any] = {}
    if parent_id is not None:
        conditions["parent_id"] = parent_id
    elif top_level:
        conditions["parent_id"] = None
    if after_name is not None and after_id is not None:
        conditions["$or"] = [{"name": {"$gt": after_name}}, {"name": after_name, "_id": {"$gt": after_id}}]
    return await db.organisations.find(conditions).sort([("name", 1), ("_id", 1)]).limit(limit).to_list(None)


# --- e-mail domain claims (organisations.domains): the domain is the key, so one owner each --

DOMAINS = "organisation_domains"


async def domain_claims(db: Database, *, domains: list[str] | None = None, org_ids: list[ObjectId] | None = None,
                        not_of: ObjectId | None = None) -> list[dict[str, Any]]:
    """Claims on any of ``domains`` and/or by any of ``org_ids`` (not by ``not_of``), by domain."""
    conditions: dict[str, Any] = {}
    if domains is not None:
        conditions["_id"] = {"$in": domains}
    if org_ids is not None:
        conditions["org_id"] = {"$in": org_ids}
    if not_of is not None:
        conditions["org_id"] = {**conditions.get("org_id", {}), "$ne": not_of}
    return await db[DOMAINS].find(conditions).sort("_id", 1).to_list(None)


async def replace_claims(db: Database, org_id: ObjectId, *, added: list[str], removed: list[str], at: Any,
                         session: Any) -> None:
    """Raises ``DuplicateKeyError`` when another organisation holds one of ``added``."""
    if removed:
        await db[DOMAINS].delete_many({"_id": {"$in": removed}, "org_id": org_id}, session=session)
    if added:
        await db[DOMAINS].insert_many([{"_id": domain, "org_id": org_id, "added_at": at} for domain in added],
                                      session=session)


async def claim(db: Database, domain: str, org_id: ObjectId, at: Any) -> None:
    """One claim of ``domain`` by ``org_id`` (the demo's made-up domains); raises ``DuplicateKeyError`` when held."""
    await db[DOMAINS].insert_one({"_id": domain, "org_id": org_id, "added_at": at})


async def drop_claims(db: Database, org_id: ObjectId, session: Any) -> None:
    await db[DOMAINS].delete_many({"org_id": org_id}, session=session)


# --- membership requests ------------------------------------------------------------------

REQUESTS = "membership_requests"
OPEN = ("unverified", "pending")
"""A request is open while it is not yet settled (``unverified``: its person has not verified
their address yet, or it was made a moment ago and is being matched against the domains) and
while it waits for an administrator (``pending``, the only state the queue shows)."""


async def insert_request(db: Database, request: dict[str, Any], session: Any = None) -> None:
    await db[REQUESTS].insert_one(request, session=session)


async def request_by_id(db: Database, request_id: ObjectId) -> dict[str, Any] | None:
    return await db[REQUESTS].find_one({"_id": request_id})


async def open_request(db: Database, user_id: ObjectId) -> dict[str, Any] | None:
    return await db[REQUESTS].find_one({"user_id": user_id, "status": {"$in": list(OPEN)}})


async def close_request(db: Database, request_id: ObjectId, status: str, changes: dict[str, Any], *,
                        from_status: tuple[str, ...] = OPEN, session: Any = None) -> bool:
    """Move an open request to ``status``; False when it was no longer open (decided meanwhile)."""
    result = await db[REQUESTS].update_one({"_id": request_id, "status": {"$in": list(from_status)}},
                                           {"$set": {"status": status, **changes}}, session=session)
    return result.modified_count == 1


async def withdraw_open(db: Database, user_id: ObjectId, at: Any, session: Any = None) -> int:
    result = await db[REQUESTS].update_many({"user_id": user_id, "status": {"$in": list(OPEN)}},
                                            {"$set": {"status": "withdrawn", "decided_at": at}}, session=session)
    return result.modified_count


async def pending_page(db: Database, org_id: ObjectId, *, after: ObjectId | None, limit: int) -> list[dict[str, Any]]:
    """An organisation's waiting requests, oldest first (first come, first decided)."""
    conditions: dict[str, Any] = {"org_id": org_id, "status": "pending"}
    if after is not None:
        conditions["_id"] = {"$gt": after}
    return await db[REQUESTS].find(conditions).sort("_id", 1).limit(limit).to_list(None)


async def pending_count(db: Database, org_id: ObjectId) -> int:
    return await db[REQUESTS].count_documents({"org_id": org_id, "status": "pending"})


async def names(db: Database, org_ids: Iterable[Any]) -> dict[ObjectId, str]:
    """Names of the organisations among ``org_ids`` (anything that is not an id is left out)."""
    wanted = list({org_id for org_id in org_ids if isinstance(org_id, ObjectId)})
    if not wanted:
        return {}
    return {row["_id"]: row.get("name", "") async for row in db.organisations.find({"_id": {"$in": wanted}}, {"name": 1})}


async def descendant_ids(db: Database, org_id: ObjectId) -> list[ObjectId]:
    """Every organisation under ``org_id``, at any depth (their ``path`` names it)."""
    return [row["_id"] for row in await db.organisations.find({"path": org_id}, {"_id": 1}).to_list(None)]
