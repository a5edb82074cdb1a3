"""Queries on ``organisations`` (MDOs), in MongoDB's language."""

from __future__ import annotations

from typing import Any

from bson import ObjectId


async def by_id(db: Any, org_id: ObjectId) -> dict[str, Any] | None:
    return await db.organisations.find_one({"_id": org_id})


async def insert(db: Any, org: dict[str, Any]) -> None:
    """Raises ``DuplicateKeyError`` when a sibling already has the name."""
    await db.organisations.insert_one(org)


async def update(db: Any, org_id: ObjectId, changes: dict[str, Any]) -> bool:
    return (await db.organisations.update_one({"_id": org_id}, {"$set": changes})).modified_count == 1


async def delete(db: Any, org_id: ObjectId) -> bool:
    return (await db.organisations.delete_one({"_id": org_id})).deleted_count == 1


async def child_count(db: Any, org_id: ObjectId) -> int:
    return await db.organisations.count_documents({"parent_id": org_id})


async def member_count(db: Any, org_id: ObjectId) -> int:
    return await db.users.count_documents({"org_id": org_id, "deleted": {"$ne": True}})


async def everything(db: Any) -> list[dict[str, Any]]:
    """The whole hierarchy, for the tree and the registration choice (MDOs number in thousands, not millions)."""
    return await db.organisations.find({}).sort("name", 1).to_list(None)


async def page(db: Any, *, after_name: str | None, after_id: ObjectId | None, parent_id: ObjectId | None,
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
