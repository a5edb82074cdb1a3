"""The room decisions of ``community.policy``, for every combination that matters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from community import policy
from community.policy import ANONYMOUS, Actor, Role

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
MEMBER = Actor(user_id=ObjectId())
SUSPENDED = Actor(user_id=ObjectId(), suspended_until=NOW + timedelta(days=1))


@pytest.mark.parametrize(("actor", "can_enter", "is_host", "is_open", "can_read_after", "removed", "expected"), [
    (ANONYMOUS, True, False, True, True, False, False),
    (MEMBER, False, False, True, True, False, False),  # not invited: not even while open
    (MEMBER, True, False, True, False, False, True),
    (MEMBER, True, False, True, False, True, False),  # removed by a host
    (MEMBER, True, False, False, False, False, False),  # closed, did not attend
    (MEMBER, True, False, False, True, False, True),  # closed, attended: reads the record
    (MEMBER, False, True, False, False, False, True),  # hosts always
])
def test_who_reads_a_room(actor: Actor, can_enter: bool, is_host: bool, is_open: bool, can_read_after: bool,
                          removed: bool, expected: bool) -> None:
    assert policy.can_read_room(actor, can_enter=can_enter, is_host=is_host, is_open=is_open,
                                can_read_after=can_read_after, removed=removed) is expected


@pytest.mark.parametrize(("actor", "can_enter", "is_host", "is_open", "removed", "muted_until", "expected"), [
    (MEMBER, True, False, True, False, None, True),
    (MEMBER, True, False, False, False, None, False),  # a closed room takes nothing new
    (MEMBER, False, False, True, False, None, False),
    (MEMBER, True, False, True, True, None, False),
    (MEMBER, True, False, True, False, NOW + timedelta(minutes=5), False),
    (MEMBER, True, False, True, False, NOW - timedelta(minutes=1), True),  # the mute has run out
    (MEMBER, False, True, True, False, NOW + timedelta(minutes=5), True),  # hosts are never muted
    (SUSPENDED, True, False, True, False, None, False),
    (ANONYMOUS, True, False, True, False, None, False),
])
def test_who_takes_part(actor: Actor, can_enter: bool, is_host: bool, is_open: bool, removed: bool,
                        muted_until: datetime | None, expected: bool) -> None:
    assert policy.can_take_part_in_room(actor, can_enter=can_enter, is_host=is_host, is_open=is_open, removed=removed,
                                        muted_until=muted_until, now=NOW) is expected


def test_only_hosts_moderate_and_correct_attendance() -> None:
    assert policy.can_moderate_room(MEMBER, is_host=True, now=NOW)
    assert not policy.can_moderate_room(MEMBER, is_host=False, now=NOW)
    assert not policy.can_moderate_room(SUSPENDED, is_host=True, now=NOW)
    assert policy.can_correct_attendance(MEMBER, is_host=True, now=NOW)
    assert not policy.can_correct_attendance(ANONYMOUS, is_host=True, now=NOW)


def test_no_room_of_a_live_room_is_joined_through_the_generic_join() -> None:
    assert not policy.can_join_room(MEMBER, "room", {"_id": ObjectId(), "org_id": None})


@pytest.mark.parametrize(("actor", "can_enter", "is_host", "is_open", "removed", "expected"), [
    (MEMBER, True, False, True, False, True),  # going, in the open room
    (MEMBER, False, False, True, False, False),  # not going
    (MEMBER, True, False, False, False, False),  # the room has closed
    (MEMBER, True, False, True, True, False),  # removed by a host
    (MEMBER, False, True, True, False, True),  # hosts vote too
    (SUSPENDED, True, False, True, False, False),
    (ANONYMOUS, True, False, True, False, False),
])
def test_who_votes_in_a_room_poll(actor: Actor, can_enter: bool, is_host: bool, is_open: bool, removed: bool,
                                  expected: bool) -> None:
    assert policy.can_vote_in_room_poll(actor, can_enter=can_enter, is_host=is_host, is_open=is_open,
                                        removed=removed, now=NOW) is expected


def test_hosts_start_room_polls_while_open_and_moderators_are_their_staff() -> None:
    assert policy.can_create_room_poll(MEMBER, is_host=True, is_open=True, now=NOW)
    assert not policy.can_create_room_poll(MEMBER, is_host=False, is_open=True, now=NOW), "an attendee does not"
    assert not policy.can_create_room_poll(MEMBER, is_host=True, is_open=False, now=NOW), "nor a host afterwards"
    assert not policy.can_create_room_poll(SUSPENDED, is_host=True, is_open=True, now=NOW)
    moderator = Actor(user_id=ObjectId(), roles=frozenset({Role.MODERATOR}))
    assert policy.is_room_poll_staff(moderator, is_host=False, now=NOW)
    assert policy.is_room_poll_staff(MEMBER, is_host=True, now=NOW)
    assert not policy.is_room_poll_staff(MEMBER, is_host=False, now=NOW)
    assert not policy.can_create_poll(SUSPENDED, creates=True, now=NOW)
