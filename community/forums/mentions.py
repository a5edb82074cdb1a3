"""@mentions: who to notify, and the autocomplete that writes a mention for the composer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId

from community import policy
from community.forums import queries
from community.accounts.sessions import actor_for_user
from community.policy import Actor
from community.storage.api import Database


async def readers(db: Database, candidates: Iterable[ObjectId], category: Mapping[str, Any], *,
                  exclude: ObjectId | None) -> list[ObjectId]:
    """Those of ``candidates`` who exist and may read ``category``: nobody is told about a post
    in a space they cannot open."""
    wanted = [person for person in dict.fromkeys(candidates) if person != exclude]
    if not wanted:
        return []
    rows = {row["_id"]: row async for row in db.users.find(
        {"_id": {"$in": wanted}, "deleted": {"$ne": True}}, {"org_id": 1, "roles": 1, "suspended_until": 1, "deleted": 1})}
    return [person for person in wanted
            if person in rows and policy.can_read_category(actor_for_user(rows[person]), category)]


def mention_markup(name: str, user_id: ObjectId) -> str:
    """What the composer inserts for a mention (square brackets in a name become parentheses)."""
    clean = name.replace("[", "(").replace("]", ")").strip()[:80]
    return f"@[{clean}]({user_id})"


async def candidates(db: Database, actor: Actor, prefix: str, category: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """People to offer after ``@`` + ``prefix``; in a private category only its organisation's members."""
    prefix = prefix.strip()[:40]
    if not actor.is_authenticated or not prefix:
        return []
    org_ids = [category["org_id"]] if category is not None and category.get("org_id") is not None else None
    rows = await queries.mention_candidates(db, prefix, org_ids)
    return [{"id": str(row["_id"]), "name": row["name"], "insert": mention_markup(row["name"], row["_id"])}
            for row in rows if row["_id"] != actor.user_id]
