"""Demo step: every demo member whose profile names no position gets a position they want to
move to, so each demo officer opens a For-you page with a gap and suggestions (the profiles step
leaves about one in five without a position, the sample officer among them at times).

Runs after the profiles step; it does nothing when any For-you choice exists, so running the
demo twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from community.accounts import people as accounts_people
from community.competencies import queries as dictionary
from community.config import Settings
from community.foryou.queries import CHOICES
from community.profiles import queries as profiles
from community.storage.api import Database


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[CHOICES].find_one({}, {"_id": 1}) is not None:
        return
    positions = [row["_id"] for row in await dictionary.positions(db)]
    if not positions:
        return
    members = [member["_id"] for member in await accounts_people.live_people(db)]
    stored = await profiles.profiles(db, members)
    now = datetime.now(UTC)
    for member_id in members:
        if not stored.get(member_id, {}).get("position_id"):
            await db[CHOICES].insert_one({"_id": member_id, "target_position_id": rng.choice(positions),
                                          "digest": False, "updated_at": now})
