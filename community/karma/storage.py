"""Karma Points' storage facts: the append-only ledger and each person's total."""

from __future__ import annotations

from pymongo import IndexModel

from community.karma.service import LEDGER, TOTALS
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(LEDGER, label=N_("Karma Points"), indexes=(
        IndexModel([("key", 1), ("seq", 1)], unique=True),  # the append-only numbering that makes awards idempotent
        IndexModel([("user_id", 1), ("at", -1)]),  # a person's total and daily caps
        IndexModel([("at", -1), ("user_id", 1)]),  # leaderboards for a period
        IndexModel([("org_id", 1), ("at", -1)]),  # an organisation's leaderboard
    ), personal=(
        Personal("user_id", "anonymise",
                 purpose=N_("Karma Points you earned; kept for leaderboard totals, shown as from a deleted member.")),
    )),
    Collection(TOTALS, label=N_("Karma Points"), personal=(Personal("_id", "delete", purpose=N_("The sum of your Karma Points.")),)),
))
