"""The competency dictionary's storage facts (FRAC competencies and positions)."""

from __future__ import annotations

from pymongo import IndexModel

from community.competencies.queries import COMPETENCIES, POSITIONS
from community.storage.facts import Collection, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(COMPETENCIES, indexes=(IndexModel([("kind", 1), ("theme", 1), ("name", 1)]),)),  # browse and filter pages
    Collection(POSITIONS, indexes=(
        IndexModel([("organisation", 1), ("title", 1)]),
        IndexModel([("roles.activities.competencies.competency", 1)]),  # positions requiring a competency
    )),
))
