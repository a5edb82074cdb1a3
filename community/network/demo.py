"""Demo step: connections, waiting requests and follows between the demo people.

Each person is connected with a few others, colleagues of the same organisation first; some
requests wait for an answer (each with its expiry job, as a real request has); everyone follows a
couple of experts. Runs after the accounts step; it does nothing when connections exist already,
so running the demo twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from community.accounts import people as accounts_people
from community.config import Settings
from community.jobs import schedule as job_schedule
from community.network.connections import EXPIRY_JOB, expiry_key
from community.network.queries import CONNECTIONS, FOLLOWS, follow_key, pair_key
from community.storage.api import Database

CONNECTIONS_EACH = (2, 6)
PENDING_SHARE = 0.2
"""Of the pairs made, this share is a request still waiting."""
EXPERTS_FOLLOWED = 2


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[CONNECTIONS].find_one({}, {"_id": 1}) is not None:
        return
    members = await accounts_people.live_people(db)
    if len(members) < 2:
        return
    now = datetime.now(UTC)
    by_org: dict[ObjectId | None, list[ObjectId]] = {}
    for member in members:
        by_org.setdefault(member["org_id"], []).append(member["_id"])
    everyone = [member["_id"] for member in members]
    experts = [member["_id"] for member in members if "expert" in member["roles"]]
    pairs: dict[str, tuple[ObjectId, ObjectId]] = {}
    for member in members:
        colleagues = [uid for uid in by_org[member["org_id"]] if uid != member["_id"]]
        wanted = rng.randint(*CONNECTIONS_EACH)
        chosen = rng.sample(colleagues, k=min(len(colleagues), wanted // 2 + 1))
        chosen += rng.sample([uid for uid in everyone if uid != member["_id"]], k=min(len(everyone) - 1, wanted))
        for other in dict.fromkeys(chosen):
            pairs.setdefault(pair_key(member["_id"], other), (member["_id"], other))
    for key, (asker, other) in pairs.items():
        asked_at = now - timedelta(days=rng.randint(1, 20))
        waiting = rng.random() < PENDING_SHARE
        expires_at = asked_at + timedelta(days=settings.connection_request_days)
        request_id = ObjectId()
        await db[CONNECTIONS].insert_one({
            "_id": key, "a": asker, "b": other, "status": "pending" if waiting else "accepted", "note": "",
            "requested_at": asked_at, "accepted_at": None if waiting else asked_at + timedelta(hours=rng.randint(1, 48)),
            "expires_at": expires_at if waiting else None, "request_id": request_id})
        if waiting:
            await job_schedule.schedule(db, None, EXPIRY_JOB, expires_at, {"request_id": request_id},
                                        key=expiry_key(request_id), now=now)
    for member in members:
        for followed in rng.sample([uid for uid in experts if uid != member["_id"]],
                                   k=min(EXPERTS_FOLLOWED, len(experts) - (member["_id"] in experts))):
            await db[FOLLOWS].update_one({"_id": follow_key(member["_id"], followed)}, {"$setOnInsert": {
                "follower_id": member["_id"], "followed_id": followed, "at": now}}, upsert=True)
