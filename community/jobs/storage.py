"""The job runner's storage facts: jobs due at a time, and the effects a run recorded once."""

from __future__ import annotations

from pymongo import IndexModel

from community.jobs.schedule import EFFECTS, JOBS
from community.storage.facts import Collection, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(JOBS, indexes=(
        IndexModel([("claimable_at", 1)], sparse=True),  # due and lease-expired jobs, soonest first
        IndexModel([("status", 1), ("kind", 1), ("due_at", 1)]),  # the administrators' page
    )),
    Collection(EFFECTS, indexes=(IndexModel([("expires_at", 1)], expireAfterSeconds=0),)),
))
