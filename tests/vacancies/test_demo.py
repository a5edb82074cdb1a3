"""The demo step posts vacancies in several organisations with applications in every stage; once."""

from __future__ import annotations

import random
from typing import Any

from community.config import Settings
from community.jobs.schedule import JOBS
from community.vacancies.demo import fill_demo
from community.vacancies.posting import CLOSE_JOB, close_key
from community.vacancies.queries import APPLICATIONS, STAGES, VACANCIES
from tests.factories import make_org, make_user
from tests.profiles.helpers import small_dictionary


async def test_demo_posts_vacancies_with_applications_in_each_stage_once(db: Any, settings: Settings) -> None:
    await small_dictionary(db)
    orgs = [await make_org(db) for _ in range(3)]
    for org in orgs:
        await make_user(db, org=org, roles=("mdo_admin",))
        for _ in range(4):
            await make_user(db, org=org)
    await fill_demo(db, settings, random.Random(3), 15)
    vacancies = await db[VACANCIES].find({}).to_list(None)
    assert {row["org_id"] for row in vacancies} == {org["_id"] for org in orgs}
    assert {row["status"] for row in vacancies} == {"draft", "open", "closed"}
    applications = await db[APPLICATIONS].find({}).to_list(None)
    assert {row["status"] for row in applications} == set(STAGES)
    by_id = {row["_id"]: row for row in vacancies}
    users = {user["_id"]: user for user in await db.users.find({}).to_list(None)}
    assert all(by_id[row["vacancy_id"]]["status"] != "draft" for row in applications)
    assert all(users[row["user_id"]]["org_id"] != by_id[row["vacancy_id"]]["org_id"] for row in applications), \
        "nobody applies to their own organisation's vacancy"
    assert all(row["consent"]["fields"] == list(row["shared"]) for row in applications)
    for vacancy in vacancies:
        assert vacancy["applications"] == sum(row["vacancy_id"] == vacancy["_id"] for row in applications)
    jobs = await db[JOBS].find({"kind": CLOSE_JOB}).to_list(None)
    assert sorted(job["_id"] for job in jobs) == sorted(close_key(row["_id"]) for row in vacancies if row["status"] == "open")
    await fill_demo(db, settings, random.Random(4), 15)
    assert await db[VACANCIES].count_documents({}) == len(vacancies)
