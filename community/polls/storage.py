"""Polls' storage facts.

A person's votes are theirs: erasure deletes them, and since every count is read from the votes
themselves (``community.polls.results``), the counts follow at once. Export lists them.
"""

from __future__ import annotations

from pymongo import IndexModel

from community.polls.service import POLLS, VOTES
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(POLLS, indexes=(
        IndexModel([("subject_type", 1), ("subject_id", 1), ("name", 1)], unique=True),  # one poll per name in a subject
    )),
    Collection(VOTES, indexes=(
        IndexModel([("poll_id", 1), ("user_id", 1)], unique=True),  # one vote per person: a double click counts once
        IndexModel([("poll_id", 1), ("choices", 1), ("at", 1)]),  # a public poll's voters per option
        IndexModel([("user_id", 1)]),
    ), personal=(
        Personal("user_id", "delete", purpose="Your votes in polls."),
    )),
))
