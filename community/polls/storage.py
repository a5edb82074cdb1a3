"""Polls' storage facts.

A person's votes are theirs, and erasure takes them out of the counts. Erasure's rules run
before its hooks, and a deleted vote could no longer say what to take away, so the rule on
``poll_votes`` first detaches the person's votes (no ``user_id``, marked ``erased``) and the hook
:func:`remove_erased_votes` then takes each out of its poll's tally and deletes it, in the same
transaction. Export lists the votes with the other personal data.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import IndexModel

from community.polls import tallies
from community.polls.service import POLLS, VOTES
from community.storage.api import Database
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts


async def remove_erased_votes(db: Database, user_id: ObjectId, session: Any) -> None:
    """Erasure hook: the person's detached votes leave the counts, then the store."""
    async for vote in db[VOTES].find({"erased": True}, session=session):
        await tallies.move(db, vote["poll_id"], user_id, before=vote["choices"], after=[], session=session)
    await db[VOTES].delete_many({"erased": True}, session=session)


STORAGE = StorageFacts(collections=(
    Collection(POLLS, indexes=(
        IndexModel([("subject_type", 1), ("subject_id", 1), ("name", 1)], unique=True),  # one poll per name in a subject
    )),
    Collection(VOTES, label=N_("Poll votes"), indexes=(
        IndexModel([("poll_id", 1), ("user_id", 1)], unique=True),  # one vote per person: a double click counts once
        IndexModel([("poll_id", 1), ("choices", 1), ("at", 1)]),  # a public poll's voters per option
        IndexModel([("user_id", 1)]),
        IndexModel([("erased", 1)], sparse=True),
    ), personal=(
        Personal("user_id", "anonymise", replacements={"user_id": None, "erased": True},
                 purpose=N_("Your votes in polls; erasing your account removes them from the counts.")),
    )),
    Collection(tallies.TALLIES, indexes=(IndexModel([("poll_id", 1)]),)),
), erasure_hooks=(remove_erased_votes,))
