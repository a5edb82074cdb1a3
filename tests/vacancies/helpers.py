"""Shared steps for vacancy tests: a dictionary, a department, people holding competencies, a
posted vacancy, and API calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.profiles import directory
from tests.factories import bearer_token, make_org, make_user
from tests.profiles.helpers import BUDGET, HEALTH, POSITION, call, small_dictionary

__all__ = ["BUDGET", "HEALTH", "POSITION", "Scene", "call", "hold", "refused", "scene", "vacancy_body"]


async def hold(db: Any, person: dict[str, Any], *, declared: dict[str, int] | None = None,
               verified: dict[str, int] | None = None) -> None:
    """Give a person declared levels and assessment results, and bring their directory rows up to date."""
    declared, verified = declared or {}, verified or {}
    await db.profiles.update_one({"_id": person["_id"]}, {"$set": {"competencies": [
        {"competency_id": cid, "level": level} for cid, level in {**verified, **declared}.items()]}}, upsert=True)
    for cid, level in verified.items():
        await db.verifications.insert_one({"_id": ObjectId(), "user_id": person["_id"], "competency_id": cid,
                                           "source": "assessment", "level": level, "reference": "test",
                                           "recorded_by": None, "at": datetime.now(UTC)})
    await directory.rebuild(db, person["_id"])


def vacancy_body(org: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {"org_id": str(org["_id"]), "title": "Deputy Director, Public Health Budgets", "position_id": POSITION,
            "state": "Kerala", "city": "Thiruvananthapuram", "pay_level": 12, "mode": "deputation",
            "eligibility_service": "IAS, IRS", "eligibility_grade": "Under Secretary", "eligibility_years": 5,
            "posts": 2, "closes_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            "description": "Lead **outcome budgeting** for health schemes.", "contact": "us-health@example.gov.in",
            "required": [{"competency": HEALTH, "level": 3, "essential": True},
                         {"competency": BUDGET, "level": 2, "essential": False}]}
    body.update(changes)
    return body


@dataclass
class Scene:
    client: TestClient
    db: Any
    ministry: dict[str, Any]
    department: dict[str, Any]
    other_org: dict[str, Any]
    admin: dict[str, Any]
    """An administrator of the ministry, which the department is under."""
    officer: dict[str, Any]
    other_admin: dict[str, Any]
    moderator: dict[str, Any]
    tokens: dict[str, str]

    def token(self, person: dict[str, Any]) -> str:
        return self.tokens[str(person["_id"])]

    async def person(self, **kwargs: Any) -> dict[str, Any]:
        made = await make_user(self.db, org=kwargs.pop("org", self.other_org), **kwargs)
        self.tokens[str(made["_id"])] = await bearer_token(self.db, made)
        return made

    async def post(self, *, publish: bool = True, **changes: Any) -> str:
        status, answer = await call(self.client, "POST", "/api/v1/vacancies", self.token(self.admin),
                                    json=vacancy_body(self.department, **changes))
        assert status == 201, answer
        if publish:
            status, answer = await call(self.client, "POST", f"/api/v1/vacancies/{answer['id']}/publish",
                                        self.token(self.admin))
            assert status == 200, answer
        return str(answer["id"])

    async def apply(self, person: dict[str, Any], vacancy_id: str, share: list[str] | None = None) -> tuple[int, Any]:
        return await call(self.client, "PUT", f"/api/v1/vacancies/{vacancy_id}/application", self.token(person),
                          json={"statement": "I ran the state's NHM budget for three years.", "share": share or []})


async def scene(client: TestClient, db: Any) -> Scene:
    await small_dictionary(db)
    ministry = await make_org(db, name="Ministry of Health")
    department = await make_org(db, name="Department of Health Research", parent=ministry)
    other_org = await make_org(db, name="Ministry of Railways")
    admin = await make_user(db, org=ministry, roles=("mdo_admin",), name="Meera Admin")
    officer = await make_user(db, org=other_org, name="Ravi Officer")
    other_admin = await make_user(db, org=other_org, roles=("mdo_admin",), name="Other Admin")
    moderator = await make_user(db, org=ministry, roles=("moderator",), name="Mod")
    tokens = {str(person["_id"]): await bearer_token(db, person) for person in (admin, officer, other_admin, moderator)}
    return Scene(client, db, ministry, department, other_org, admin, officer, other_admin, moderator, tokens)


def refused(problem: Any) -> set[str]:
    """The fields a problem body names."""
    return {error["field"] for error in problem.get("errors", [])}
