"""The demo gives a target position to every member whose profile names none, once."""

from __future__ import annotations

import random
from typing import Any

from community.config import Settings
from community.foryou.demo import fill_demo
from community.foryou.queries import CHOICES
from tests.factories import make_user
from tests.foryou.conftest import POSITION, dictionary


async def test_members_without_a_position_get_a_target_once(bare_db: Any, settings: Settings) -> None:
    await dictionary(bare_db)
    placed, unplaced = await make_user(bare_db), await make_user(bare_db)
    await bare_db.profiles.insert_one({"_id": placed["_id"], "position_id": POSITION})
    await fill_demo(bare_db, settings, random.Random(1), 2)
    rows = await bare_db[CHOICES].find({}).to_list(None)
    assert [row["_id"] for row in rows] == [unplaced["_id"]] and rows[0]["target_position_id"].startswith("pos.test.")
    await bare_db[CHOICES].update_one({"_id": unplaced["_id"]}, {"$set": {"target_position_id": POSITION}})
    await fill_demo(bare_db, settings, random.Random(2), 2)
    assert [row["target_position_id"] for row in await bare_db[CHOICES].find({}).to_list(None)] == [POSITION]
