"""The pure policy rule behind field privacy, as a matrix."""

from __future__ import annotations

import pytest
from bson import ObjectId

from community.policy import ANONYMOUS, Actor, Role, can_endorse, can_endorse_at, can_view_field

HOME, OTHER = ObjectId(), ObjectId()
OWNER = {"_id": ObjectId(), "org_id": HOME}
VIEWERS = {
    "anonymous": (ANONYMOUS, False),
    "self": (Actor(OWNER["_id"], HOME, frozenset({Role.OFFICER})), False),
    "same_org": (Actor(ObjectId(), HOME, frozenset({Role.OFFICER})), False),
    "connected": (Actor(ObjectId(), OTHER, frozenset({Role.OFFICER})), True),
    "stranger": (Actor(ObjectId(), OTHER, frozenset({Role.OFFICER})), False),
    "admin": (Actor(ObjectId(), OTHER, frozenset({Role.OFFICER, Role.ADMIN})), False),
}
EXPECTED = {
    "everyone": {"self", "same_org", "connected", "stranger", "admin"},
    "organisation": {"self", "same_org"},
    "connections": {"self", "connected"},
    "me": {"self"},
}


@pytest.mark.parametrize("privacy", list(EXPECTED))
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_can_view_field(privacy: str, viewer: str) -> None:
    actor, connected = VIEWERS[viewer]
    assert can_view_field(actor, OWNER, privacy, connected) is (viewer in EXPECTED[privacy])


def test_an_erased_member_shows_nothing() -> None:
    actor, _ = VIEWERS["same_org"]
    assert not can_view_field(actor, {**OWNER, "deleted": True}, "everyone", False)


def test_members_endorse_others_not_themselves_nor_across_a_block_nor_above_their_level() -> None:
    expert = Actor(ObjectId(), HOME, frozenset({Role.OFFICER, Role.EXPERT}))
    officer = Actor(ObjectId(), HOME, frozenset({Role.OFFICER}))
    assert can_endorse(expert, OWNER["_id"], False) and can_endorse(officer, OWNER["_id"], False)
    assert not can_endorse(expert, expert.user_id, False)
    assert not can_endorse(officer, OWNER["_id"], True)
    assert not can_endorse(ANONYMOUS, OWNER["_id"], False)
    assert can_endorse_at(4, 4) and can_endorse_at(4, 1)
    assert not can_endorse_at(3, 4) and not can_endorse_at(None, 1)
