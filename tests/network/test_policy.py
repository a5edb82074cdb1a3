"""The network's policy functions, for every kind of actor and person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from community.policy import ANONYMOUS, Actor, Role, can_block, can_connect, can_follow_person

ME = Actor(user_id=ObjectId(), roles=frozenset({Role.OFFICER}))
SUSPENDED = Actor(user_id=ObjectId(), roles=frozenset({Role.OFFICER}), suspended_until=datetime.now(UTC) + timedelta(days=1))
OTHER = {"_id": ObjectId(), "deleted": False}
ERASED = {"_id": ObjectId(), "deleted": True}


@pytest.mark.parametrize("decide", [can_connect, can_follow_person])
def test_requests_and_follows_need_a_live_other_person_and_no_block(decide: object) -> None:
    assert callable(decide)
    assert decide(ME, OTHER, False)
    assert not decide(ME, OTHER, True), "a block either way stops it"
    assert not decide(ME, {"_id": ME.user_id, "deleted": False}, False), "never oneself"
    assert not decide(ME, ERASED, False)
    assert not decide(ANONYMOUS, OTHER, False)
    assert not decide(SUSPENDED, OTHER, False)


def test_anyone_signed_in_blocks_anyone_else_even_while_suspended() -> None:
    assert can_block(ME, OTHER) and can_block(SUSPENDED, OTHER)
    assert not can_block(ME, {"_id": ME.user_id})
    assert not can_block(ME, ERASED)
    assert not can_block(ANONYMOUS, OTHER)
