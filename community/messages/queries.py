"""Direct messages in storage.

A conversation is ``{_id, kind: "direct"|"group", title, member_ids, created_by, created_at,
last_at, pair}``: ``member_ids`` are the people in it now (whoever left or declined is not), and
``pair`` (direct conversations only) is a hash of the two ids, unique, so two people have one
direct conversation. Each participant has a membership ``{_id, conversation_id, user_id, state:
"active"|"request", unread, read_at, last_at}``: ``request`` until a person who is not a
connection of whoever brought them in accepts; ``unread`` counts the messages since they last read;
``read_at`` is the moment up to which they have read (read receipts). A message is ``{_id,
conversation_id, author_id, body, html, created_at, edited_at, deleted}``; a deleted or erased one
keeps its place with an empty body. A person's ``dm_settings`` document holds their choice on
read receipts. A report (``community.messages.reports``) names the reported message and the
messages before it that the reporter chose to send along.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database

CONVERSATIONS = "dm_conversations"
MEMBERS = "dm_members"
MESSAGES = "dm_messages"
SETTINGS = "dm_settings"
REPORTS = "dm_reports"

PAGE_SIZE = 30
"""Messages on a page of a conversation, and conversations on a page of the list."""


def pair_hash(one: ObjectId, other: ObjectId) -> str:
    """The direct conversation's key for two people, which names neither."""
    low, high = sorted((str(one), str(other)))
    return hashlib.sha256(f"dm:{low}|{high}".encode()).hexdigest()[:32]


def member_key(conversation_id: ObjectId, user_id: ObjectId) -> str:
    return f"{conversation_id}|{user_id}"


def socket_room(conversation_id: ObjectId) -> str:
    return f"dm:{conversation_id}"


async def conversation(db: Database, conversation_id: ObjectId, *, session: Any = None) -> dict[str, Any] | None:
    return await db[CONVERSATIONS].find_one({"_id": conversation_id}, session=session)


async def direct_between(db: Database, one: ObjectId, other: ObjectId) -> dict[str, Any] | None:
    return await db[CONVERSATIONS].find_one({"pair": pair_hash(one, other)})


async def membership(db: Database, conversation_id: ObjectId, user_id: ObjectId, *,
                     session: Any = None) -> dict[str, Any] | None:
    return await db[MEMBERS].find_one({"_id": member_key(conversation_id, user_id)}, session=session)


async def memberships(db: Database, conversation_id: ObjectId, *, session: Any = None) -> list[dict[str, Any]]:
    return [row async for row in db[MEMBERS].find({"conversation_id": conversation_id}, session=session)]


async def listed(db: Database, user_id: ObjectId, state: str, *, before: tuple[datetime, str] | None,
                 limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """A person's memberships in one state, latest activity first, after ``before``."""
    query: dict[str, Any] = {"user_id": user_id, "state": state}
    if before is not None:
        at, last = before
        query["$or"] = [{"last_at": {"$lt": at}}, {"last_at": at, "_id": {"$lt": last}}]
    return [row async for row in db[MEMBERS].find(query, sort=[("last_at", -1), ("_id", -1)], limit=limit)]


async def count(db: Database, user_id: ObjectId, state: str) -> int:
    return await db[MEMBERS].count_documents({"user_id": user_id, "state": state})


async def unread_total(db: Database, user_id: ObjectId, *, session: Any = None) -> int:
    """Unread messages in a person's conversations and message requests: the header's badge."""
    total = 0
    async for row in db[MEMBERS].find({"user_id": user_id, "unread": {"$gt": 0}}, {"unread": 1}, session=session):
        total += row["unread"]
    return total


async def messages(db: Database, conversation_id: ObjectId, *, before: tuple[datetime, ObjectId] | None,
                   limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """A page of a conversation's messages, newest first, older than ``before``."""
    query: dict[str, Any] = {"conversation_id": conversation_id}
    if before is not None:
        at, last = before
        query["$or"] = [{"created_at": {"$lt": at}}, {"created_at": at, "_id": {"$lt": last}}]
    return [row async for row in db[MESSAGES].find(query, sort=[("created_at", -1), ("_id", -1)], limit=limit)]


async def message(db: Database, message_id: ObjectId) -> dict[str, Any] | None:
    return await db[MESSAGES].find_one({"_id": message_id})


async def receipts_on(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, bool]:
    """Whether each person shows and sees read receipts (on unless they turned them off)."""
    off = {row["_id"] async for row in db[SETTINGS].find({"_id": {"$in": user_ids}, "read_receipts": False})}
    return {user_id: user_id not in off for user_id in user_ids}
