"""The polls' policy functions, tried against every results setting and every kind of person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from community import policy
from community.policy import ANONYMOUS, Actor

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MEMBER = Actor(user_id=ObjectId())
SUSPENDED = Actor(user_id=ObjectId(), suspended_until=NOW + timedelta(days=3650))


@pytest.mark.parametrize(("results", "closed", "staff", "voted", "visible"), [
    ("always", False, False, False, True),
    ("on_vote", False, False, False, False),
    ("on_vote", False, False, True, True),
    ("on_vote", True, False, False, True),
    ("on_close", False, False, True, False),
    ("on_close", True, False, False, True),
    ("staff_only", True, False, True, False),
    ("staff_only", False, True, False, True),
])
def test_who_sees_results(results: str, closed: bool, staff: bool, voted: bool, visible: bool) -> None:
    poll = {"results": results, "closed": closed}
    assert policy.can_see_poll_results(poll, staff=staff, voted=voted, now=NOW) is visible


def test_a_poll_past_its_closing_time_is_closed_even_before_the_job_runs() -> None:
    poll = {"closed": False, "close_at": (NOW - timedelta(seconds=1)).replace(tzinfo=None)}
    assert not policy.poll_is_open(poll, NOW)
    assert not policy.can_vote_in_poll(MEMBER, poll, takes_part=True, now=NOW)


@pytest.mark.parametrize(("actor", "takes_part", "allowed"), [
    (MEMBER, True, True), (MEMBER, False, False), (SUSPENDED, True, False), (ANONYMOUS, True, False),
])
def test_who_votes_in_an_open_poll(actor: Actor, takes_part: bool, allowed: bool) -> None:
    assert policy.can_vote_in_poll(actor, {"closed": False}, takes_part=takes_part, now=NOW) is allowed


def test_the_author_and_staff_manage_only_staff_export() -> None:
    assert policy.can_manage_poll(MEMBER, owner_id=MEMBER.user_id, staff=False)
    assert not policy.can_manage_poll(MEMBER, owner_id=ObjectId(), staff=False)
    assert not policy.can_manage_poll(SUSPENDED, owner_id=SUSPENDED.user_id, staff=False)
    assert policy.can_manage_poll(MEMBER, owner_id=None, staff=True)
    assert not policy.can_export_poll(MEMBER, staff=False) and policy.can_export_poll(MEMBER, staff=True)
    assert policy.can_list_poll_voters({"public": True}, results_visible=True)
    assert not policy.can_list_poll_voters({"public": True}, results_visible=False)
    assert not policy.can_list_poll_voters({"public": False}, results_visible=True)
