"""What the pages and the API show: a person's conversation list and one conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import api, policy
from community.accounts import people
from community.errors import Invalid
from community.i18n import gettext as _
from community.messages import queries, service
from community.messages.rules import MessageRules
from community.storage.api import Database
from community.timezones import as_utc


def _names(found: dict[ObjectId, people.Person]) -> dict[ObjectId, str | None]:
    return {person_id: people.shown_name(person) for person_id, person in found.items()}


def _title(conversation: dict[str, Any], others: list[dict[str, Any]]) -> str:
    if conversation["title"]:
        return str(conversation["title"])
    return ", ".join(other["name"] or "…" for other in others)


def _position(cursor: str | None) -> tuple[datetime, Any] | None:
    position = api.decode_cursor(cursor)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(str(position["at"])), position["id"]
    except (KeyError, ValueError, TypeError):
        raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")}) from None


async def conversation_list(db: Database, me: ObjectId, tab: str, cursor: str | None) -> dict[str, Any]:
    state = "request" if tab == "requests" else "active"
    rows = await queries.listed(db, me, state, before=_position(cursor), limit=queries.PAGE_SIZE + 1)
    more = len(rows) > queries.PAGE_SIZE
    rows = rows[:queries.PAGE_SIZE]
    conversations = {row["_id"]: row async for row in
                     db[queries.CONVERSATIONS].find({"_id": {"$in": [row["conversation_id"] for row in rows]}})}
    names = _names(await people.people_by_id(db, {uid for c in conversations.values() for uid in c["member_ids"]}))
    items = []
    for row in rows:
        conversation = conversations.get(row["conversation_id"])
        if conversation is None:
            continue
        items.append(_conversation_out(conversation, row, me, names))
    last = rows[-1] if more else None
    return {"items": items, "tab": tab,
            "counts": {"conversations": await queries.count(db, me, "active"),
                       "requests": await queries.count(db, me, "request")},
            "unread": await queries.unread_total(db, me),
            "next": api.encode_cursor({"at": as_utc(last["last_at"]).isoformat(), "id": last["_id"]}) if last else None}


def _conversation_out(conversation: dict[str, Any], mine: dict[str, Any], me: ObjectId,
                      names: dict[ObjectId, str | None]) -> dict[str, Any]:
    others = [{"id": str(uid), "name": names.get(uid)} for uid in conversation["member_ids"] if uid != me]
    return {"id": str(conversation["_id"]), "kind": conversation["kind"], "title": _title(conversation, others),
            "participants": others, "state": mine["state"], "unread": mine["unread"], "last_at": mine.get("last_at")}


def object_id(text: str) -> ObjectId | None:
    try:
        return ObjectId(text)
    except (InvalidId, TypeError):
        return None


async def conversation_view(db: Database, actor: policy.Actor, conversation_id: ObjectId, cursor: str | None,
                            rules: MessageRules, now: datetime) -> dict[str, Any]:
    """One conversation for a participant (NotFound for anyone else): newest messages first."""
    conversation, mine = await service.readable(db, actor, conversation_id)
    assert actor.user_id is not None
    position = _position(cursor)
    before = (position[0], object_id(str(position[1]))) if position is not None else None
    if before is not None and before[1] is None:
        raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")})
    rows = await queries.messages(db, conversation_id, before=before,  # type: ignore[arg-type]
                                  limit=queries.PAGE_SIZE + 1)
    more = len(rows) > queries.PAGE_SIZE
    rows = rows[:queries.PAGE_SIZE]
    everyone = set(conversation["member_ids"]) | {row["author_id"] for row in rows if row["author_id"]}
    names = _names(await people.people_by_id(db, everyone))
    receipts = await queries.receipts_on(db, list(conversation["member_ids"]))
    read_by: dict[str, Any] = {}
    if receipts.get(actor.user_id):
        for row in await queries.memberships(db, conversation_id):
            if (row["user_id"] != actor.user_id and receipts.get(row["user_id"]) and row["state"] == "active"
                    and row.get("read_at") is not None):
                read_by[str(row["user_id"])] = as_utc(row["read_at"])
    last = rows[-1] if more else None
    others = [uid for uid in conversation["member_ids"] if uid != actor.user_id]
    blocked = bool(others) and await service.blocked_with_any(db, actor.user_id, others)
    return {"conversation": _conversation_out(conversation, mine, actor.user_id, names),
            "items": [service.shown_message(row, names, actor, now, rules) for row in rows],
            "read_by": read_by,
            "can_send": policy.can_send_message(actor, active=mine["state"] == "active", blocked=blocked,
                                                others=len(others)),
            "receipts": bool(receipts.get(actor.user_id)),
            "next": api.encode_cursor({"at": as_utc(last["created_at"]).isoformat(), "id": last["_id"]}) if last else None}
