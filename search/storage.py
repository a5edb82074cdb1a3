"""Search's storage facts: the outbox the indexer drains (``search.outbox``), declared by the
search pages' ``setup(app)``."""

from __future__ import annotations

from pymongo import IndexModel

from community.storage.facts import Collection, StorageFacts
from search.outbox import OUTBOX

STORAGE = StorageFacts(collections=(
    Collection(OUTBOX, indexes=(IndexModel([("next_attempt_at", 1), ("_id", 1)]),)),  # the indexer's due entries, oldest first
))
