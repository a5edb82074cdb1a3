"""Shared steps for mentoring tests: an expert with an offer, a request, a mentorship under way."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from community.accounts.sessions import actor_for_user
from community.competencies import queries as dictionary
from community.mentoring import service
from community.mentoring.schemas import AnswerIn, OfferIn, RequestIn
from community.profiles import edit
from community.profiles.schemas import HeldCompetency
from tests.factories import act, make_user
from tests.profiles.helpers import BUDGET, HEALTH, small_dictionary

__all__ = ["BUDGET", "HEALTH", "mentor_with_offer", "ask", "accepted"]


async def mentor_with_offer(app: web.Application, db: Any, *, cap: int = 3, level: int = 4, **offer: Any) -> dict[str, Any]:
    """An expert who lists HEALTH at ``level`` and offers mentoring in it."""
    if await dictionary.competency(db, HEALTH) is None:
        await small_dictionary(db)
    mentor = await make_user(db, roles=("expert",), name=offer.pop("name", "Dr Meera Iyer"))
    await act(app, actor_for_user(mentor), edit.declare_competency, mentor["_id"],
              HeldCompetency(competency_id=HEALTH, level=level))
    await act(app, actor_for_user(mentor), service.save_offer, OfferIn(**{
        "competencies": [HEALTH], "offer": "Programme design and review for district health officers.",
        "slots": [{"weekday": 1, "start": "16:00", "minutes": 60}], "monthly_cap": cap, **offer}))
    return mentor


async def ask(app: web.Application, mentee: dict[str, Any], mentor: dict[str, Any], goal: str = "Plan a review") -> Any:
    return await act(app, actor_for_user(mentee), service.request_mentoring, mentor["_id"],
                     RequestIn(competency_id=HEALTH, goal=goal))


async def accepted(app: web.Application, mentee: dict[str, Any], mentor: dict[str, Any]) -> Any:
    mentorship_id = await ask(app, mentee, mentor)
    await act(app, actor_for_user(mentor), service.accept, mentorship_id, AnswerIn(note="Happy to help."))
    return mentorship_id
