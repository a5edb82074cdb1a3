"""The For-you page's storage facts: a person's choices, dismissals and what digests carried,
each personal data of that person alone, exported to them and deleted with their account."""

from __future__ import annotations

from pymongo import IndexModel

from community.foryou.queries import CHOICES, DISMISSALS, SENT
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(CHOICES, label=N_("Suggestions for you"), indexes=(
        IndexModel([("digest", 1)], sparse=True),  # who gets new suggestions in their digest
    ), personal=(Personal("_id", "delete", purpose=N_("The position you want to move to, and whether new "
                                                       "suggestions come in your e-mail digest.")),)),
    Collection(DISMISSALS, label=N_("Suggestions for you"), indexes=(
        IndexModel([("user_id", 1), ("at", -1)]),  # a person's dismissals
    ), personal=(Personal("user_id", "delete", purpose=N_("Suggestions and competencies you said were not for you now.")),)),
    Collection(SENT, label=N_("Suggestions for you"), indexes=(
        IndexModel([("user_id", 1), ("at", -1)]),  # what a person's digests carried
    ), personal=(Personal("user_id", "delete", purpose=N_("Suggestions your e-mail digest told you about, "
                                                          "so it tells you only new ones.")),)),
))
