"""Demo step: vacancies posted by the demo organisations' administrators, from the dictionary's
positions, with applications in every stage.

Each organisation with an administrator posts a few vacancies: most open (each with its closing
job, as a published one has), one closed, one a draft. Demo people of other organisations apply
to the open and closed ones, sharing a field or two, and the applications are spread over every
stage. Runs after the accounts and profiles steps; it does nothing when vacancies exist already.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from community.accounts import people as accounts_people
from community.competencies import queries as dictionary
from community.config import Settings
from community.forums import markdown
from community.jobs import schedule as job_schedule
from community.organisations import queries as organisations
from community.profiles.fields import STATES
from community.storage.api import Database
from community.vacancies import scoring
from community.vacancies.applications import CONSENT_PURPOSE
from community.vacancies.posting import CLOSE_JOB, close_key
from community.vacancies.queries import APPLICATIONS, STAGES, VACANCIES, application_key, refresh_ranking
from community.vacancies.schemas import MODES

PER_ORGANISATION = 4
APPLICANTS_EACH = (3, 8)
STATEMENTS = ("I have handled this work in my present posting for three years.",
              "मैंने अपने ज़िले में यह काम दो वर्षों तक संभाला है।",
              "I would bring field experience of running the scheme at district level.")


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[VACANCIES].find_one({}, {"_id": 1}) is not None:
        return
    positions = await dictionary.positions(db)
    members = await accounts_people.live_people(db)
    admins = [member for member in members if "mdo_admin" in member["roles"]]
    if not positions or not admins:
        return
    now = datetime.now(UTC)
    posted_by: dict[ObjectId, accounts_people.Person] = {}
    for admin in admins:
        if admin["org_id"] is not None:
            posted_by.setdefault(admin["org_id"], admin)
    for org_id, admin in posted_by.items():
        org = await organisations.by_id(db, org_id)
        if org is None:
            continue
        for number in range(PER_ORGANISATION):
            position = rng.choice(positions)
            needed = sorted(dictionary.requirements(position).items(), key=lambda item: (-item[1], item[0]))[:6]
            status = "draft" if number == 0 else "closed" if number == 1 else "open"
            closes_at = now + timedelta(days=rng.randint(7, 40)) if status != "closed" else now - timedelta(days=2)
            description = (f"The {org['name']} seeks a **{position['title']}**.\n\n"
                           "- Apply with a short statement.\n- Share the fields that help us judge your fit.")
            vacancy_id = ObjectId()
            await db[VACANCIES].insert_one({
                "_id": vacancy_id, "org_id": org_id, "org_path": list(org.get("path") or []),
                "title": position["title"], "position_id": position["_id"], "state": org.get("state") or rng.choice(STATES),
                "city": "New Delhi" if org.get("level") == "central" else "Capital", "pay_level": rng.randint(8, 14),
                "mode": rng.choice(MODES), "eligibility": {"service": "All India and Central Services",
                                                            "grade": "Under Secretary or above", "years": rng.randint(3, 9)},
                "posts": rng.randint(1, 3), "closes_at": closes_at, "description": description,
                "description_html": markdown.render(description).html, "contact": f"vacancies@{org['short_name'].lower()}.gov.in",
                "required": [{"competency": cid, "level": level, "essential": index < 3}
                             for index, (cid, level) in enumerate(needed)],
                "required_ids": [cid for cid, _ in needed], "status": status, "created_by": admin["_id"],
                "created_at": now - timedelta(days=10), "updated_at": now - timedelta(days=10),
                "published_at": None if status == "draft" else now - timedelta(days=9),
                "closed_at": now - timedelta(days=2) if status == "closed" else None, "applications": 0})
            await refresh_ranking(db, vacancy_id)
            if status == "open":
                await job_schedule.schedule(db, None, CLOSE_JOB, closes_at, {"vacancy_id": str(vacancy_id)},
                                            key=close_key(vacancy_id), now=now)
            if status == "draft":
                continue
            outsiders = [member for member in members if member["org_id"] != org_id]
            for index, person in enumerate(rng.sample(outsiders, k=min(len(outsiders), rng.randint(*APPLICANTS_EACH)))):
                stage = STAGES[index % len(STAGES)]
                shared = {"designation": person["designation"] or ""}
                applied_at = now - timedelta(days=rng.randint(1, 8))
                await db[APPLICATIONS].insert_one({
                    "_id": application_key(vacancy_id, person["_id"]), "vacancy_id": vacancy_id, "org_id": org_id,
                    "user_id": person["_id"], "statement": rng.choice(STATEMENTS), "shared": shared,
                    "consent": {"fields": list(shared), "purpose": CONSENT_PURPOSE, "at": applied_at},
                    "status": stage, "standing": True, "history": [{"status": step, "at": applied_at} for step in
                                                 (["submitted"] if stage == "submitted" else ["submitted", stage])],
                    "applied_at": applied_at, "updated_at": applied_at})
                await db[VACANCIES].update_one({"_id": vacancy_id}, {"$inc": {"applications": 1}})
            await scoring.rescore_vacancy(db, await db[VACANCIES].find_one({"_id": vacancy_id}) or {})
