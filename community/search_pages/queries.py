"""Labels for facet values: organisation and competency names."""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId
from bson.errors import InvalidId

from community.competencies import queries as dictionary
from community.organisations import queries as org_queries
from community.storage.api import Database


async def organisation_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    wanted = []
    for value in ids:
        try:
            wanted.append(ObjectId(value))
        except (InvalidId, TypeError):
            continue
    return {str(org_id): name for org_id, name in (await org_queries.names(db, wanted)).items()}


async def competency_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    return {str(competency_id): row.get("name", "")
            for competency_id, row in (await dictionary.competency_names(db, ids)).items()}
