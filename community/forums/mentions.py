"""@mentions: who to notify, and the autocomplete that writes a mention for the composer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId

from community import policy
from community.accounts import people
from community.accounts.sessions import actor_for_user
from community.network import queries as network
from community.organisations import queries as organisations
from community.policy import Actor
from community.storage.api import Database


async def readers(db: Database, candidates: Iterable[ObjectId], category: Mapping[str, Any], *,
                  exclude: ObjectId | None) -> list[ObjectId]:
    """Those of ``candidates`` who exist and may read ``category``: nobody is told about a post
    in a space they cannot open."""
    wanted = [person for person in dict.fromkeys(candidates) if person != exclude]
    if not wanted:
        return []
    found = await people.people_by_id(db, wanted)
    return [person for person in wanted
            if person in found and not found[person]["deleted"] and policy.can_read_category(actor_for_user(found[person]), category)]


MENTION_CANDIDATES = 8
"""How many people the composer offers after ``@``."""


def mention_markup(name: str, user_id: ObjectId) -> str:
    """What the composer inserts for a mention (square brackets in a name become parentheses)."""
    clean = name.replace("[", "(").replace("]", ")").strip()[:80]
    return f"@[{clean}]({user_id})"


async def candidates(db: Database, actor: Actor, prefix: str, category: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """People to offer after ``@`` + ``prefix`` (the start of a full name or of a surname), each
    with the designation and organisation that tell namesakes apart; in a private category only
    its organisation's members; nobody in a block with the actor."""
    prefix = prefix.strip()[:40]
    if actor.user_id is None or not prefix:
        return []
    org_ids = [category["org_id"]] if category is not None and category.get("org_id") is not None else None
    rows = await people.named_like(db, prefix, org_ids, MENTION_CANDIDATES)
    blocked = await network.blockers_among(db, actor.user_id, [row["_id"] for row in rows])
    shown = [row for row in rows if row["_id"] != actor.user_id and row["_id"] not in blocked]
    org_names = await organisations.names(db, [row["org_id"] for row in shown])
    return [{"id": str(row["_id"]), "name": row["name"] or "", "designation": row["designation"] or "",
             "organisation": org_names.get(row["org_id"], "") if row["org_id"] is not None else "",
             "insert": mention_markup(row["name"] or "", row["_id"])}
            for row in shown]
