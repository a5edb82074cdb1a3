"""Mentoring's decisions in community/policy.py, each tried for the people it must allow and refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community import policy
from community.policy import ANONYMOUS, Actor, Role

SUSPENDED = datetime.now(UTC) + timedelta(days=2)


def person(*roles: Role, suspended: bool = False) -> Actor:
    return Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER, *roles}),
                 suspended_until=SUSPENDED if suspended else None)


def doc(actor: Actor, **fields: Any) -> dict[str, Any]:
    return {"_id": actor.user_id, "roles": [role.value for role in actor.roles], "deleted": False, **fields}


def mentorship(mentor: Actor, mentee: Actor, status: str, **fields: Any) -> dict[str, Any]:
    return {"mentor_id": mentor.user_id, "mentee_id": mentee.user_id, "status": status, "feedback": {}, **fields}


def test_only_experts_who_are_not_suspended_offer_mentoring() -> None:
    assert policy.can_offer_mentoring(person(Role.EXPERT))
    assert not policy.can_offer_mentoring(person(Role.EXPERT, suspended=True))
    assert not policy.can_offer_mentoring(person())
    assert not policy.can_offer_mentoring(person(Role.ADMIN))
    assert not policy.can_offer_mentoring(ANONYMOUS)


def test_who_may_ask_whom_for_mentoring() -> None:
    expert, officer = person(Role.EXPERT), person()
    mentor = doc(expert)
    assert policy.can_request_mentoring(officer, mentor, offering=True, blocked=False)
    assert not policy.can_request_mentoring(officer, mentor, offering=False, blocked=False)
    assert not policy.can_request_mentoring(officer, mentor, offering=True, blocked=True)
    assert not policy.can_request_mentoring(expert, mentor, offering=True, blocked=False), "not oneself"
    assert not policy.can_request_mentoring(person(suspended=True), mentor, offering=True, blocked=False)
    assert not policy.can_request_mentoring(ANONYMOUS, mentor, offering=True, blocked=False)
    assert not policy.can_request_mentoring(officer, {**mentor, "deleted": True}, offering=True, blocked=False)
    assert not policy.can_request_mentoring(officer, doc(person()), offering=True, blocked=False), "experts only"


def test_the_lifecycle_belongs_to_the_two() -> None:
    mentor, mentee, stranger, admin = person(Role.EXPERT), person(), person(), person(Role.ADMIN)
    waiting = mentorship(mentor, mentee, "requested")
    for outsider in (stranger, admin, ANONYMOUS):
        assert not policy.takes_part_in_mentorship(outsider, waiting)
        assert not policy.can_answer_mentoring_request(outsider, waiting, False)
    assert policy.takes_part_in_mentorship(mentor, waiting) and policy.takes_part_in_mentorship(mentee, waiting)
    assert policy.can_answer_mentoring_request(mentor, waiting, False)
    assert not policy.can_answer_mentoring_request(mentor, waiting, True)
    assert not policy.can_answer_mentoring_request(mentee, waiting, False)
    assert not policy.can_answer_mentoring_request(mentor, mentorship(mentor, mentee, "accepted"), False)
    assert policy.can_decline_mentoring_request(mentor, waiting), "a block does not keep a request waiting"
    assert not policy.can_decline_mentoring_request(mentee, waiting)
    assert not policy.can_decline_mentoring_request(stranger, waiting)
    assert not policy.can_decline_mentoring_request(mentor, mentorship(mentor, mentee, "accepted"))
    assert policy.can_withdraw_mentoring_request(mentee, waiting)
    assert not policy.can_withdraw_mentoring_request(mentor, waiting)
    under_way = mentorship(mentor, mentee, "accepted")
    assert policy.can_schedule_mentoring_session(mentor, under_way, False)
    assert not policy.can_schedule_mentoring_session(mentee, under_way, False)
    assert not policy.can_schedule_mentoring_session(mentor, under_way, True)
    assert not policy.can_schedule_mentoring_session(mentor, waiting, False)
    for either in (mentor, mentee):
        assert policy.can_move_mentoring_session(either, under_way, False), "either of the two moves a session"
        assert not policy.can_move_mentoring_session(either, under_way, True), "not across a block"
        assert policy.can_cancel_mentoring_session(either, under_way) and not policy.can_cancel_mentoring_session(
            either, mentorship(mentor, mentee, "ended"))
    assert not policy.can_move_mentoring_session(stranger, under_way, False)
    assert not policy.can_cancel_mentoring_session(stranger, under_way)
    assert policy.can_end_mentorship(mentor, under_way) and policy.can_end_mentorship(mentee, under_way)
    assert not policy.can_end_mentorship(stranger, under_way) and not policy.can_end_mentorship(mentee, waiting)


def test_feedback_once_per_side_after_the_end() -> None:
    mentor, mentee = person(Role.EXPERT), person()
    ended = mentorship(mentor, mentee, "ended", feedback={"mentee": {"rating": 4}})
    assert policy.can_give_mentoring_feedback(mentor, ended, "mentor")
    assert not policy.can_give_mentoring_feedback(mentee, ended, "mentee"), "given already"
    assert not policy.can_give_mentoring_feedback(mentor, mentorship(mentor, mentee, "accepted"), "mentor")
    assert not policy.can_give_mentoring_feedback(person(), ended, None)


def test_only_the_mentor_and_the_mentee_hear_a_mentorship_live() -> None:
    mentor, mentee = person(Role.EXPERT), person()
    assert policy.mentorship_live_audience(mentorship(mentor, mentee, "accepted")) == [mentor.user_id, mentee.user_id]
