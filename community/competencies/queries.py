"""The dictionary's MongoDB language: the ``competencies`` and ``positions`` collections.

Documents are the models of :mod:`community.competencies.dictionary` with their id as ``_id``.
A competency: ``{_id, kind, area, theme, name, description, owner, levels: [{level, description}]}``;
a position: ``{_id, title, organisation, roles: [{name, activities: [{name, competencies:
[{competency, level}]}]}]}``. Both carry ``updated_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from community.competencies.names import localized
from community.storage.api import Database


COMPETENCIES = "competencies"
POSITIONS = "positions"
KINDS = ("behavioural", "functional", "domain")


async def competency(db: Database, competency_id: str, session: Any = None) -> dict[str, Any] | None:
    return await db[COMPETENCIES].find_one({"_id": competency_id}, session=session)


async def competencies(db: Database, *, kind: str | None = None, theme: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if kind:
        query["kind"] = kind
    if theme:
        query["theme"] = theme
    return await db[COMPETENCIES].find(query).sort([("kind", 1), ("area", 1), ("theme", 1), ("name", 1)]).to_list(None)


async def shown(db: Database, *, kind: str | None = None, theme: str | None = None) -> list[dict[str, Any]]:
    """The competencies as a page lists them: named in the reader's language, in that name's order
    within each kind and theme. Files and the API take :func:`competencies`, in the stored English."""
    rows = [localized(row) for row in await competencies(db, kind=kind, theme=theme)]
    return sorted(rows, key=lambda row: (row["kind"], row["area"], row["theme"], row["name"]))


async def competency_names(db: Database, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The named competencies' names (in the reader's language), kinds and themes, for a page."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {row["_id"]: localized(row)
            async for row in db[COMPETENCIES].find({"_id": {"$in": wanted}}, {"name": 1, "kind": 1, "theme": 1})}


async def names_of(db: Database, ids: Iterable[str]) -> dict[str, str]:
    """``ids`` in their order, each with its name; ids no longer in the dictionary are left out,
    so a page shows a name or nothing, never an id."""
    wanted = list(dict.fromkeys(ids))
    found = await competency_names(db, wanted)
    return {competency_id: found[competency_id]["name"] for competency_id in wanted if competency_id in found}


async def existing_competency_ids(db: Database, ids: Iterable[str], session: Any = None) -> set[str]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return {row["_id"] async for row in db[COMPETENCIES].find({"_id": {"$in": wanted}}, {"_id": 1}, session=session)}


async def themes(db: Database) -> list[tuple[str, str]]:
    """(kind, theme) pairs present in the dictionary, for the browse page's filters."""
    pairs = await (await db[COMPETENCIES].aggregate([
        {"$group": {"_id": {"kind": "$kind", "theme": "$theme"}}},
    ])).to_list(None)
    return sorted((row["_id"]["kind"], row["_id"]["theme"]) for row in pairs)


async def position(db: Database, position_id: str) -> dict[str, Any] | None:
    return await db[POSITIONS].find_one({"_id": position_id})


async def positions(db: Database) -> list[dict[str, Any]]:
    return await db[POSITIONS].find({}).sort([("organisation", 1), ("title", 1)]).to_list(None)


async def positions_requiring(db: Database, competency_id: str) -> list[dict[str, Any]]:
    return await db[POSITIONS].find({"roles.activities.competencies.competency": competency_id},
                                    {"title": 1, "organisation": 1}).sort("title", 1).to_list(None)


def requirements(position_doc: dict[str, Any]) -> dict[str, int]:
    """The level a position needs of each competency: the highest any of its activities asks for."""
    needed: dict[str, int] = {}
    for role in position_doc.get("roles", []):
        for activity in role.get("activities", []):
            for item in activity.get("competencies", []):
                needed[item["competency"]] = max(needed.get(item["competency"], 0), item["level"])
    return needed


def requirement_weights(position_doc: dict[str, Any]) -> dict[str, int]:
    """How essential each competency is to a position: the number of its activities that need it."""
    counts: dict[str, int] = {}
    for role in position_doc.get("roles", []):
        for activity in role.get("activities", []):
            for competency_id in {item["competency"] for item in activity.get("competencies", [])}:
                counts[competency_id] = counts.get(competency_id, 0) + 1
    return counts
