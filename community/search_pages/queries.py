"""Labels for facet values: organisation, competency and forum category names."""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId
from bson.errors import InvalidId

from community.competencies import queries as dictionary
from community.forums import queries as forums
from community.organisations import queries as org_queries
from community.storage.api import Database


def _object_ids(ids: Iterable[str]) -> list[ObjectId]:
    wanted = []
    for value in ids:
        try:
            wanted.append(ObjectId(value))
        except (InvalidId, TypeError):
            continue
    return wanted


async def organisation_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    return {str(org_id): name for org_id, name in (await org_queries.names(db, _object_ids(ids))).items()}


async def category_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    return {str(category_id): name for category_id, name in (await forums.category_names(db, _object_ids(ids))).items()}


async def competency_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    return {str(competency_id): row.get("name", "")
            for competency_id, row in (await dictionary.competency_names(db, ids)).items()}
