"""A mentorship from request to feedback through the services: the offer, the request and its
cap, the answer with its conversation, sessions, the end with Karma Points, feedback that may
endorse; each refusal writes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import actions, keys
from community.accounts.sessions import actor_for_user
from community.errors import Forbidden, Invalid, NotFound
from community.events import queries as event_queries
from community.jobs.runner import Runner
from community.jobs.schedule import JOBS
from community.karma import service as karma
from community.mentoring import availability, queries, service
from community.mentoring.queries import MENTORSHIPS, PLACES
from community.mentoring.schemas import AnswerIn, MentoringFeedbackIn, OfferIn, RequestIn, SessionIn
from community.messages import queries as messages
from community.profiles import edit
from community.profiles import queries as profile_queries
from community.profiles.schemas import HeldCompetency
from community.timezones import IST
from tests.factories import act, make_user
from tests.mentoring.helpers import BUDGET, HEALTH, accepted, ask, mentor_with_offer
from tests.network.helpers import block


async def test_a_request_reaches_the_mentor_and_takes_a_place(app: web.Application, db: Any,
                                                             captured_effects: actions.Effects) -> None:
    mentor = await mentor_with_offer(app, db, cap=2)
    mentee = await make_user(db)
    mentorship_id = await ask(app, mentee, mentor, goal="Design a district immunisation review")
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "requested" and stored["goal"].startswith("Design")
    assert stored["competency"] == "Public health programmes"
    assert await queries.places_taken(db, mentor["_id"], queries.month_of(datetime.now(UTC))) == 1
    told = [n for n in captured_effects.notifications if n["kind"] == "mentoring_request"]
    assert len(told) == 1 and told[0]["to"]["args"]["user_id"] == mentor["_id"]


async def test_a_request_to_someone_not_offering_is_refused_with_a_clear_message(app: web.Application, db: Any) -> None:
    expert = await make_user(db, roles=("expert",), name="Dr Kiran Rao")
    mentee = await make_user(db)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentee), service.request_mentoring, expert["_id"],
                  RequestIn(competency_id=HEALTH, goal="Anything"))
    assert refused.value.errors == {"mentor": "Dr Kiran Rao does not offer mentoring."}
    closed = await mentor_with_offer(app, db, open=False, name="Dr Closed")
    with pytest.raises(Invalid) as refused:
        await ask(app, mentee, closed)
    assert refused.value.errors == {"mentor": "Dr Closed does not offer mentoring."}
    assert await db[MENTORSHIPS].count_documents({}) == 0 and await db[PLACES].count_documents({}) == 0


async def test_bad_requests_are_refused_and_write_nothing(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentee), service.request_mentoring, mentor["_id"],
                  RequestIn(competency_id=BUDGET, goal="Budgets"))
    assert "competency_id" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        await ask(app, mentor, mentor)
    assert refused.value.errors == {"mentor": "You cannot ask yourself for mentoring."}
    gone = await make_user(db, roles=("expert",), deleted=True)
    with pytest.raises(NotFound):
        await ask(app, mentee, gone)
    await block(app, mentor, mentee)
    with pytest.raises(Forbidden):
        await ask(app, mentee, mentor)
    assert await db[MENTORSHIPS].count_documents({}) == 0 and await db[PLACES].count_documents({}) == 0


async def test_one_open_request_per_pair(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    await ask(app, mentee, mentor)
    with pytest.raises(Invalid) as refused:
        await ask(app, mentee, mentor)
    assert "already" in refused.value.errors["mentor"]
    assert await db[MENTORSHIPS].count_documents({}) == 1


async def test_the_monthly_cap_holds_when_requests_come_at_once(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db, cap=2)
    mentees = [await make_user(db) for _ in range(5)]
    results = await asyncio.gather(*(ask(app, mentee, mentor) for mentee in mentees), return_exceptions=True)
    refused = [result for result in results if isinstance(result, Invalid)]
    assert len(refused) == 3 and all("no places left this month" in error.errors["mentor"] for error in refused)
    assert await db[MENTORSHIPS].count_documents({}) == 2
    assert await queries.places_taken(db, mentor["_id"], queries.month_of(datetime.now(UTC))) == 2
    assert await availability.available_among(db, [mentor["_id"]]) == set()


async def test_declining_frees_the_place_and_tells_the_mentee(app: web.Application, db: Any,
                                                             captured_effects: actions.Effects) -> None:
    mentor = await mentor_with_offer(app, db, cap=1)
    first, second = await make_user(db), await make_user(db)
    mentorship_id = await ask(app, first, mentor)
    with pytest.raises(Invalid):
        await ask(app, second, mentor)
    await act(app, actor_for_user(mentor), service.decline, mentorship_id, AnswerIn(note="My month is full of audits."))
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "declined" and stored["note"] == "My month is full of audits."
    answer = [n for n in captured_effects.notifications if n["kind"] == "mentoring_answer"][-1]
    assert answer["params"]["accepted"] is False and answer["to"]["args"]["user_id"] == first["_id"]
    assert await ask(app, second, mentor) is not None, "the declined request's place is free again"
    with pytest.raises(Forbidden):
        await act(app, actor_for_user(mentor), service.accept, mentorship_id, AnswerIn())


async def test_only_the_mentor_answers_and_strangers_are_told_nothing_exists(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee, stranger = await make_user(db), await make_user(db)
    mentorship_id = await ask(app, mentee, mentor)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(stranger), service.accept, mentorship_id, AnswerIn())
    with pytest.raises(Forbidden):
        await act(app, actor_for_user(mentee), service.accept, mentorship_id, AnswerIn())
    await act(app, actor_for_user(mentee), service.withdraw, mentorship_id)
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "withdrawn" and "open_key" not in stored
    assert await queries.places_taken(db, mentor["_id"], stored["month"]) == 0


async def test_accepting_opens_the_conversation_with_the_note(app: web.Application, db: Any,
                                                               captured_effects: actions.Effects) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "accepted" and stored["conversation_id"] is not None
    conversation = await messages.conversation(db, stored["conversation_id"])
    assert conversation is not None and set(conversation["member_ids"]) == {mentor["_id"], mentee["_id"]}
    for person in (mentor, mentee):
        mine = await messages.membership(db, conversation["_id"], person["_id"])
        assert mine is not None and mine["state"] == "active", "accepting is consent: no message request"
    kinds = [n["kind"] for n in captured_effects.notifications]
    assert "message_request" not in kinds and kinds[-1] == "mentoring_answer"


async def test_sessions_the_end_karma_and_feedback(app: web.Application, db: Any, captured_effects: actions.Effects) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    as_mentor, as_mentee = actor_for_user(mentor), actor_for_user(mentee)
    hour = timedelta(hours=1)
    past = datetime.now(UTC) - hour
    with pytest.raises(Invalid) as refused:
        await act(app, as_mentor, service.schedule_session, mentorship_id,
                  SessionIn(start=past, end=past + hour, place="https://meet.example.gov.in/x"))
    assert refused.value.errors == {"start": "The start must be in the future."}
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        await act(app, as_mentor, service.schedule_session, mentorship_id,
                  SessionIn(start=tomorrow, end=tomorrow - hour, place="Room 4"))
    assert refused.value.errors == {"end": "The end must be after the start."}
    with pytest.raises(Forbidden):
        await act(app, as_mentee, service.schedule_session, mentorship_id,
                  SessionIn(start=tomorrow, end=tomorrow + hour, place="Room 4"))
    assert (await queries.mentorship(db, mentorship_id) or {})["sessions"] == [], "a refusal writes nothing"
    soon = (datetime.now(IST) + timedelta(days=10)).replace(hour=16, minute=30, second=0, microsecond=0)
    event_id = await act(app, as_mentor, service.schedule_session, mentorship_id,
                         SessionIn(start=soon, end=soon + hour, place="Room 4, Nirman Bhawan"))
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and [item["event_id"] for item in stored["sessions"]] == [event_id]
    event = await event_queries.event(db, event_id)
    assert event is not None and event["title"] == "Mentoring: Public health programmes"
    assert event["place"] == {"kind": "venue", "address": "Room 4, Nirman Bhawan"}
    assert event["start_at"].replace(tzinfo=UTC) == soon and event["start_at"].hour == 11
    assert [n["kind"] for n in captured_effects.notifications][-1] == "mentoring_session"

    with pytest.raises(Forbidden):
        await act(app, as_mentee, service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5))
    assert await act(app, as_mentee, service.end, mentorship_id) is False, "no session took place yet"
    assert await karma.total(db, mentor["_id"]) == 0

    await act(app, as_mentee, service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=4, comment="Clear advice"))
    with pytest.raises(Forbidden):
        await act(app, as_mentee, service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=1))
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["feedback"]["mentee"]["rating"] == 4 and "mentor" not in stored["feedback"]
    assert [n for n in captured_effects.notifications if n["kind"] == "mentoring_ended"][-1]["params"]["feedback"]


async def test_a_completed_mentorship_gives_karma_points_to_both_once(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    held = datetime.now(UTC) - timedelta(days=1)
    await act({**app, keys.CLOCK: lambda: held - timedelta(days=1)}, actor_for_user(mentor), service.schedule_session,
              mentorship_id, SessionIn(start=held, end=held + timedelta(hours=1), place="Room 4"))
    assert await act(app, actor_for_user(mentor), service.end, mentorship_id) is True
    assert await karma.total(db, mentor["_id"]) == 25 and await karma.total(db, mentee["_id"]) == 10
    with pytest.raises(Forbidden):
        await act(app, actor_for_user(mentee), service.end, mentorship_id)
    assert await karma.total(db, mentor["_id"]) == 25
    assert await ask(app, mentee, mentor) is not None, "an ended mentorship leaves the pair free to start another"


async def test_the_mentors_feedback_endorses_the_mentee_when_the_rule_allows(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db, level=4)
    mentee = await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    await act(app, actor_for_user(mentee), service.end, mentorship_id)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5, endorse_level=2))
    assert refused.value.errors == {"endorse_level": "This member has not listed that competency."}
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["feedback"] == {}, "a refused endorsement leaves no feedback either"
    await act(app, actor_for_user(mentee), edit.declare_competency, mentee["_id"], HeldCompetency(competency_id=HEALTH, level=2))
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5, endorse_level=5))
    assert refused.value.errors == {"endorse_level": "You can endorse up to level 4, the level you hold yourself."}
    await act(app, actor_for_user(mentor), service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5, endorse_level=3))
    endorsed = await profile_queries.endorsements_given(db, mentor["_id"], mentee["_id"])
    assert endorsed == {HEALTH: 3}


async def test_the_mentees_feedback_cannot_endorse_without_a_verified_level(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee = await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    await act(app, actor_for_user(mentor), service.end, mentorship_id)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentee), service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5, endorse_level=1))
    assert "result verifies it" in refused.value.errors["endorse_level"]
    assert await profile_queries.endorsements_given(db, mentee["_id"], mentor["_id"]) == {}


async def test_offers_take_only_competencies_on_the_experts_profile(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db)
    officer = await make_user(db)
    offer = OfferIn(competencies=[HEALTH, BUDGET, "fun.nothing"], offer="Help", monthly_cap=2)
    with pytest.raises(Invalid) as refused:
        await act(app, actor_for_user(mentor), service.save_offer, offer)
    assert set(refused.value.errors) == {"competencies.1", "competencies.2"}
    with pytest.raises(Forbidden):
        await act(app, actor_for_user(officer), service.save_offer, OfferIn(competencies=[HEALTH], offer="Hi", monthly_cap=1))
    assert await queries.offer(db, officer["_id"]) is None


async def test_a_block_stops_acceptance_but_the_mentor_may_still_decline(app: web.Application, db: Any) -> None:
    mentor = await mentor_with_offer(app, db, cap=1)
    mentee = await make_user(db)
    mentorship_id = await ask(app, mentee, mentor)
    await block(app, mentee, mentor)
    with pytest.raises(Forbidden):
        await act(app, actor_for_user(mentor), service.accept, mentorship_id, AnswerIn())
    await act(app, actor_for_user(mentor), service.decline, mentorship_id, AnswerIn())
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "declined" and stored["conversation_id"] is None
    assert await availability.available_among(db, [mentor["_id"]]) == {mentor["_id"]}, "the place is free again"


async def test_an_unanswered_request_expires_and_frees_its_place(client: TestClient, app: web.Application,
                                                                  db: Any) -> None:
    mentor = await mentor_with_offer(app, db, cap=1)
    waiting, answered = await make_user(db), await make_user(db)
    mentorship_id = await ask(app, waiting, mentor)
    job = await db[JOBS].find_one({"_id": service.expiry_key(mentorship_id)})
    assert job is not None and job["kind"] == service.EXPIRY_JOB
    later = job["due_at"]
    assert await Runner({**app, keys.CLOCK: lambda: later}).drain() >= 1
    stored = await queries.mentorship(db, mentorship_id)
    assert stored is not None and stored["status"] == "expired" and "open_key" not in stored
    second = await ask(app, answered, mentor)
    await act(app, actor_for_user(mentor), service.accept, second, AnswerIn())
    assert await db[JOBS].find_one({"_id": service.expiry_key(second)}) is None, "an answer cancels the expiry"
