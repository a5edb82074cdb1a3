"""Mentoring's rate limits and size limits: a person's requests in a day, a mentorship's sessions,
a person's changes in an hour (moving and cancelling sessions among them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from community.accounts.sessions import actor_for_user
from community.app import create_app
from community.config import Settings
from community.errors import Invalid, RateLimited
from community.events import queries as event_queries
from community.mentoring import service
from community.mentoring.queries import MENTORSHIPS
from community.mentoring.rules import RULES, MentoringRules
from community.mentoring.schemas import SessionIn, SessionMoveIn
from tests.factories import act, make_user
from tests.mentoring.helpers import accepted, ask, mentor_with_offer


@pytest.fixture
def app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app[RULES] = MentoringRules(requests_per_day=2, sessions=2)
    return app


async def test_a_person_sends_a_limited_number_of_requests_a_day(app: web.Application, db: Any) -> None:
    mentee = await make_user(db)
    mentors = [await mentor_with_offer(app, db, name=f"Dr Mentor {n}") for n in range(3)]
    await ask(app, mentee, mentors[0])
    await ask(app, mentee, mentors[1])
    with pytest.raises(RateLimited):
        await ask(app, mentee, mentors[2])
    assert await db[MENTORSHIPS].count_documents({}) == 2


async def test_a_mentorship_holds_a_limited_number_of_sessions(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentorship_id = await accepted(app, await make_user(db), mentor)
    for days in (1, 2):
        start = datetime.now(UTC) + timedelta(days=days)
        await act(app, actor_for_user(mentor), service.schedule_session, mentorship_id,
                  SessionIn(start=start, end=start + timedelta(hours=1), place="Room 4"))
    start = datetime.now(UTC) + timedelta(days=3)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.schedule_session, mentorship_id,
                  SessionIn(start=start, end=start + timedelta(hours=1), place="Room 4"))
    assert refused.value.errors == {"start": "A mentorship can have at most 2 sessions."}


async def test_moving_and_cancelling_sessions_count_against_the_hourly_changes(app: web.Application, db: Any) -> None:
    limited = {**app, RULES: MentoringRules(changes_per_hour=4)}
    mentor = await mentor_with_offer(app, db)  # the mentor's first change: the offer
    mentorship_id = await accepted(limited, await make_user(db), mentor)  # the second
    start = datetime.now(UTC) + timedelta(days=2)
    event_id = await act(limited, actor_for_user(mentor), service.schedule_session, mentorship_id,
                         SessionIn(start=start, end=start + timedelta(hours=1), place="Room 4"))
    await act(limited, actor_for_user(mentor), service.move_session, mentorship_id, event_id,
              SessionMoveIn(start=start + timedelta(hours=2), end=start + timedelta(hours=3)))
    with pytest.raises(RateLimited):
        await act(limited, actor_for_user(mentor), service.cancel_session, mentorship_id, event_id)
    assert (await event_queries.event(db, event_id) or {})["status"] == "published", "nothing cancelled"
