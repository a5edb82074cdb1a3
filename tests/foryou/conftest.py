"""For-you fixtures: an app with the forums' relaxed limits, and a scene with an officer short of
two competencies of their position, with a thread, an expert, an event and a vacancy on each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.accounts.sessions import actor_for_user
from community.app import create_app
from community.config import Settings
from community.events import service as events
from community.forums.limits import LIMITS
from community.mentoring import service as mentoring
from community.mentoring.schemas import OfferIn, RequestIn
from community.foryou.suggest import ForYou, for_you
from community.profiles.verification import RULE
from community.competencies import queries as dictionary_queries
from community.competencies.dictionary import Position
from community.competencies.seed import position_document
from tests.competencies.builders import position_data, store_competency
from tests.events.conftest import event_in
from tests.factories import act, bearer_token, make_org, make_user
from tests.forums.conftest import RELAXED, Forum
from tests.profiles.helpers import call
from tests.vacancies.helpers import hold, vacancy_body

BUDGET = "fun.test.outcome-budgeting"
HEALTH = "dom.health.test-public-health"
DRAFTING = "fun.test.noting-drafting"
POSITION = "pos.test.health-budget-officer"
TARGET = "pos.test.finance-director"


@pytest.fixture
def app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app[LIMITS] = RELAXED
    return app


@dataclass
class Scene:
    client: TestClient
    db: Any
    forum: Forum
    ministry: dict[str, Any]
    officer: dict[str, Any]
    admin: dict[str, Any]
    host: dict[str, Any]

    async def suggestions(self, person: dict[str, Any] | None = None) -> ForYou:
        app = self.client.app
        return await for_you(self.db, actor_for_user(person or self.officer), app[RULE], app[keys.CLOCK]())

    async def expert(self, competency: str, level: int, *, roles: tuple[str, ...] = ("expert",), **extra: Any) -> dict[str, Any]:
        person = await make_user(self.db, org=await make_org(self.db), roles=roles, **extra)
        await hold(self.db, person, verified={competency: level})
        return person

    async def offer(self, person: dict[str, Any], *topics: str, cap: int = 3, taken: int = 0, open: bool = True) -> None:
        """``person`` offers mentoring in ``topics`` (competencies they list), with ``taken`` of this
        month's ``cap`` places taken by requests from other members."""
        app = self.client.app
        await act(app, actor_for_user(person), mentoring.save_offer, OfferIn(
            competencies=list(topics), offer="Reviews of your budget papers.",
            slots=[{"weekday": 1, "start": "16:00", "minutes": 60}], monthly_cap=cap, open=open))
        for _ in range(taken):
            mentee = await make_user(self.db, name="Another Mentee")
            await act(app, actor_for_user(mentee), mentoring.request_mentoring, person["_id"],
                      RequestIn(competency_id=topics[0], goal="Learn it"))

    async def thread(self, competency: str, *, title: str, org: str | None = None) -> str:
        category = await self.forum.category(f"space-{ObjectId()}", org=org)
        author = await self.forum.person(org or "Ministry of Writers")
        thread = await self.forum.thread(category, author, title=title, competency_tags=[competency])
        return str(thread["id"])

    async def event(self, competency: str, *, title: str, capacity: int = 5, **changes: Any) -> str:
        event_id = await act(self.client.app, actor_for_user(self.host), events.create,
                             event_in(title=title, competencies=[competency], capacity=capacity, **changes))
        await act(self.client.app, actor_for_user(self.host), events.publish, event_id)
        return str(event_id)

    async def vacancy(self, competency: str, *, title: str, level: int = 3) -> str:
        token = await bearer_token(self.db, self.admin)
        body = vacancy_body(self.ministry, title=title, position_id=POSITION,
                            required=[{"competency": competency, "level": level, "essential": True}])
        status, answer = await call(self.client, "POST", "/api/v1/vacancies", token, json=body)
        assert status == 201, answer
        status, answer = await call(self.client, "POST", f"/api/v1/vacancies/{answer['id']}/publish", token)
        assert status == 200, answer
        return str(answer["id"])


async def store_position(db: Any, position_id: str, title: str, requires: dict[str, int]) -> None:
    model = Position.model_validate(position_data(position_id, requires, title=title))
    document = position_document(model, datetime.now(UTC))
    await db[dictionary_queries.POSITIONS].replace_one({"_id": document["_id"]}, document, upsert=True)


async def dictionary(db: Any) -> None:
    await store_competency(db, BUDGET, "Outcome budgeting")
    await store_competency(db, HEALTH, "Public health programmes")
    await store_competency(db, DRAFTING, "Noting and drafting")
    await store_position(db, POSITION, "Health Budget Officer", {HEALTH: 3, BUDGET: 4, DRAFTING: 2})
    await store_position(db, TARGET, "Finance Director", {BUDGET: 5})


@pytest.fixture
async def scene(client: TestClient, db: Any) -> Scene:
    await dictionary(db)
    ministry = await make_org(db, name="Ministry of Health")
    officer = await make_user(db, org=await make_org(db, name="Ministry of Railways"), name="Ravi Officer")
    await db.profiles.update_one({"_id": officer["_id"]}, {"$set": {"position_id": POSITION}}, upsert=True)
    await hold(db, officer, declared={HEALTH: 2, BUDGET: 1, DRAFTING: 2})
    admin = await make_user(db, org=ministry, roles=("mdo_admin",), name="Meera Admin")
    host = await make_user(db, org=ministry, roles=("expert",), name="Host Expert")
    return Scene(client, db, Forum(client), ministry, officer, admin, host)
