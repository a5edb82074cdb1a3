"""Demo step: give the demo people competency profiles, positions, languages and endorsements.

Runs after the accounts step has created the people; it fills only people who have no profile
yet, so running the demo twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bson import ObjectId

from community.accounts import people as accounts_people
from community.competencies import queries as dictionary
from community.competencies.seed import seed_dictionary
from community.config import Settings
from community.profiles import queries
from community.profiles.fields import LANGUAGES, STATES, default_privacy
from community.storage.api import Database

SERVICES = ("IAS", "IPS", "IFS", "IRS (Income Tax)", "IRS (Customs and Indirect Taxes)", "IA&AS", "CSS", "IES",
            "IRMS", "State Civil Service")
BIOS = (
    "Working on service delivery reforms and citizen grievance redressal.",
    "Interested in public finance, outcome budgeting and evaluation of schemes.",
    "Twelve years in district administration; now in policy work at the Ministry.",
    "Trainer at a State administrative training institute, keen on peer learning.",
    "जन स्वास्थ्य और पोषण कार्यक्रमों की निगरानी पर काम करती हूँ।",
)


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    await seed_dictionary(db)
    competencies = [row["_id"] for row in await dictionary.competencies(db)]
    positions = await dictionary.positions(db)
    if not competencies:
        return
    members = await accounts_people.live_people(db)
    have = {row["_id"] async for row in db[queries.PROFILES].find({}, {"_id": 1})}
    experts = [row["_id"] for row in members if "expert" in row["roles"]]
    now = datetime.now(UTC)
    filled: list[tuple[ObjectId, list[str]]] = []
    for member in members:
        if member["_id"] in have:
            continue
        position = rng.choice(positions) if positions and rng.random() < 0.8 else None
        wanted = list(dictionary.requirements(position)) if position else []
        held = rng.sample(wanted, k=min(len(wanted), rng.randint(2, 6))) + rng.sample(competencies, k=3)
        chosen = list(dict.fromkeys(held))
        is_expert = "expert" in member.get("roles", [])
        privacy = default_privacy()
        if rng.random() < 0.2:
            privacy["location"] = "me"
        await db[queries.PROFILES].insert_one({
            "_id": member["_id"],
            "service": rng.choice(SERVICES),
            "state": rng.choice(STATES),
            "district": "",
            "languages": sorted({"English", "Hindi", rng.choice(LANGUAGES)}),
            "bio": rng.choice(BIOS),
            "expertise": rng.sample(["Public finance", "Procurement", "Data analysis", "Public health", "Railway safety",
                                     "Tax administration", "e-Governance", "Disaster management"], k=2) if is_expert else [],
            "position_id": position["_id"] if position else None,
            "competencies": [{"competency_id": cid, "level": rng.randint(4 if is_expert else 1, 5)} for cid in chosen],
            "privacy": privacy,
            "updated_at": now,
        })
        filled.append((member["_id"], chosen[:2]))
        if rng.random() < 0.3:
            await db[queries.VERIFICATIONS].insert_one({
                "user_id": member["_id"], "competency_id": chosen[0], "source": "course", "level": rng.randint(2, 4),
                "reference": "iGOT course completion", "recorded_by": None, "at": now})
    await _endorse(db, rng, experts, filled, now)


async def _endorse(db: Database, rng: random.Random, experts: list[ObjectId], filled: list[tuple[ObjectId, list[str]]],
                   now: datetime) -> None:
    """Experts endorse competencies they list themselves, never above the level they list (the
    rule of ``community.profiles.verification``), so the demo shows levels verified by it."""
    listed: dict[str, list[tuple[ObjectId, int]]] = {}
    async for row in db[queries.PROFILES].find({"_id": {"$in": experts}}, {"competencies": 1}):
        for item in row.get("competencies", []):
            listed.setdefault(item["competency_id"], []).append((row["_id"], item["level"]))
    for member_id, competency_ids in filled:
        for competency_id in competency_ids:
            endorsers = [(expert, level) for expert, level in listed.get(competency_id, []) if expert != member_id]
            if not endorsers or rng.random() >= 0.6:
                continue
            for expert, level in rng.sample(endorsers, k=min(len(endorsers), rng.randint(1, 2))):
                await db[queries.ENDORSEMENTS].update_one(
                    {"user_id": member_id, "competency_id": competency_id, "endorser_id": expert},
                    {"$set": {"level": rng.randint(2, max(2, min(4, level))), "at": now}}, upsert=True)
