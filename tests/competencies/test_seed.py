"""The shipped dictionary is stored on first start, once, and never overrides administrators."""

from __future__ import annotations

from typing import Any

from community.competencies.dictionary import load_dictionary
from community.competencies.seed import seed_dictionary


async def test_first_start_stores_the_shipped_dictionary(db: Any) -> None:
    shipped = load_dictionary()
    assert await db.competencies.count_documents({}) == len(shipped.competencies)
    assert await db.positions.count_documents({}) == len(shipped.positions)
    first = shipped.competencies[0]
    stored = await db.competencies.find_one({"_id": first.id})
    assert stored["name"] == first.name and [level["level"] for level in stored["levels"]] == [1, 2, 3, 4, 5]
    position = await db.positions.find_one({"_id": shipped.positions[0].id})
    assert position["title"] == shipped.positions[0].title


async def test_seeding_again_adds_nothing_and_keeps_administrators_changes(db: Any) -> None:
    shipped = load_dictionary()
    first, second = shipped.competencies[0].id, shipped.competencies[1].id
    await db.competencies.update_one({"_id": first}, {"$set": {"name": "Renamed by an administrator"}})
    await db.competencies.delete_one({"_id": second})
    assert await seed_dictionary(db) == 0
    assert (await db.competencies.find_one({"_id": first}))["name"] == "Renamed by an administrator"
    assert await db.competencies.find_one({"_id": second}) is None


async def test_an_empty_store_is_filled_by_seed(db: Any) -> None:
    await db.competencies.delete_many({})
    await db.positions.delete_many({})
    shipped = load_dictionary()
    assert await seed_dictionary(db) == len(shipped.competencies) + len(shipped.positions)
    assert await seed_dictionary(db) == 0
