"""A poll's counts, kept beside its votes and changed in the same transaction as each vote.

Counting the votes on every read costs time in proportion to the votes (the embedded engine
groups them in Python: hundreds of milliseconds at 5,000), and a live poll is read after every
vote. So each vote also moves a tally: ``{_id: "<poll>:<shard>", poll_id, voters, counts:
{"<option>": n}}``. A person's changes always go to the same one of ``SHARDS`` tallies (chosen
from their id), so concurrent votes on one poll rarely write the same document (on MongoDB two
transactions writing one document conflict); reading sums the few tallies of a poll.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from community.storage.api import Database

TALLIES = "poll_tallies"
SHARDS = 8


def _shard(poll_id: ObjectId, user_id: ObjectId) -> str:
    """The id of the tally that counts ``user_id``'s votes on ``poll_id``: ``read`` reads every
    one of ``range(SHARDS)``, so changing ``SHARDS`` needs the tallies rewritten."""
    return f"{poll_id}:{int(str(user_id), 16) % SHARDS}"


async def move(db: Database, poll_id: ObjectId, user_id: ObjectId, *, before: Iterable[int], after: Iterable[int],
               session: Any) -> None:
    """Count the person's vote as ``after`` instead of ``before`` (either may be empty)."""
    was, now = list(before), list(after)
    change: dict[str, int] = {}
    for choice in was:
        change[f"counts.{choice}"] = change.get(f"counts.{choice}", 0) - 1
    for choice in now:
        change[f"counts.{choice}"] = change.get(f"counts.{choice}", 0) + 1
    voters = (1 if now else 0) - (1 if was else 0)
    if voters:
        change["voters"] = voters
    change = {key: value for key, value in change.items() if value}
    if change:
        await db[TALLIES].update_one({"_id": _shard(poll_id, user_id)}, {"$inc": change, "$set": {"poll_id": poll_id}},
                                     upsert=True, session=session)


@dataclass(slots=True)
class Count:
    """One poll's counts: how many people voted, and the votes of each option (by index)."""

    voters: int = 0
    options: dict[int, int] = field(default_factory=dict)


async def read(db: Database, poll_ids: Sequence[ObjectId]) -> dict[ObjectId, Count]:
    """The counts of each poll that has had votes.

    The tallies are read by their ids, every shard of every poll: a read by a unique key, which
    the embedded engine answers on the loop, where one by ``poll_id`` went to a reader thread
    and back (a vote's answer reads its poll's counts: a fifth of a vote's time)."""
    found: dict[ObjectId, Count] = {}
    ids = [f"{prefix}:{shard}" for prefix in map(str, poll_ids) for shard in range(SHARDS)]
    async for row in db[TALLIES].find({"_id": {"$in": ids}}):
        count = found.get(row["poll_id"])
        if count is None:
            count = found[row["poll_id"]] = Count()
        count.voters += row.get("voters", 0)
        options = count.options
        for choice, n in row.get("counts", {}).items():
            index = int(choice)
            options[index] = options.get(index, 0) + n
    return found


async def forget(db: Database, poll_id: ObjectId, session: Any) -> None:
    await db[TALLIES].delete_many({"poll_id": poll_id}, session=session)
