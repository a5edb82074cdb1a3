"""The forum rows of the permission matrix: who may read, post, edit, vote, accept and moderate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from community import policy
from community.policy import ANONYMOUS, Actor, Role

ORG_A, ORG_B = ObjectId(), ObjectId()
CATEGORY_MODERATOR = ObjectId()
PUBLIC = {"_id": ObjectId(), "org_id": None, "moderator_ids": [CATEGORY_MODERATOR]}
PRIVATE_A = {"_id": ObjectId(), "org_id": ORG_A, "moderator_ids": []}


def person(org: ObjectId = ORG_A, *roles: Role, suspended: bool = False) -> Actor:
    until = datetime.now(UTC) + timedelta(days=3) if suspended else None
    return Actor(user_id=ObjectId(), org_id=org, roles=frozenset({Role.OFFICER, *roles}), suspended_until=until)


MEMBER_A = person(ORG_A)
MEMBER_B = person(ORG_B)
SUSPENDED_A = person(ORG_A, suspended=True)
MODERATOR = person(ORG_B, Role.MODERATOR)
MDO_ADMIN_A = person(ORG_A, Role.MDO_ADMIN)
MDO_ADMIN_B = person(ORG_B, Role.MDO_ADMIN)
ADMIN = person(ORG_B, Role.ADMIN)
CATEGORY_MOD = Actor(user_id=CATEGORY_MODERATOR, org_id=ORG_B, roles=frozenset({Role.OFFICER}))


@pytest.mark.parametrize(("actor", "public", "private_a"), [
    (ANONYMOUS, True, False), (MEMBER_A, True, True), (MEMBER_B, True, False), (SUSPENDED_A, True, True),
    (MODERATOR, True, False), (MDO_ADMIN_A, True, True), (MDO_ADMIN_B, True, False), (ADMIN, True, True),
])
def test_reading(actor: Actor, public: bool, private_a: bool) -> None:
    assert policy.can_read_category(actor, PUBLIC) is public
    assert policy.can_read_category(actor, PRIVATE_A) is private_a


@pytest.mark.parametrize(("actor", "public", "private_a"), [
    (ANONYMOUS, False, False), (MEMBER_A, True, True), (MEMBER_B, True, False), (SUSPENDED_A, False, False),
    (ADMIN, True, True),
])
def test_starting_threads(actor: Actor, public: bool, private_a: bool) -> None:
    assert policy.can_post(actor, PUBLIC) is public
    assert policy.can_post(actor, PRIVATE_A) is private_a


@pytest.mark.parametrize(("actor", "public", "private_a"), [
    (MEMBER_A, False, False), (MODERATOR, True, False), (CATEGORY_MOD, True, False), (MDO_ADMIN_A, False, True),
    (MDO_ADMIN_B, False, False), (ADMIN, True, True), (ANONYMOUS, False, False),
])
def test_moderating(actor: Actor, public: bool, private_a: bool) -> None:
    assert policy.can_moderate_category(actor, PUBLIC) is public
    assert policy.can_moderate_category(actor, PRIVATE_A) is private_a


def test_locked_threads_take_replies_only_from_moderators() -> None:
    locked = {"locked": True, "author_id": MEMBER_A.user_id}
    assert not policy.can_post(MEMBER_A, PUBLIC, locked)
    assert policy.can_post(MODERATOR, PUBLIC, locked)


def test_editing_and_deleting_own_posts() -> None:
    thread = {"locked": False, "author_id": MEMBER_A.user_id}
    own = {"author_id": MEMBER_A.user_id, "deleted": False, "hidden": False}
    assert policy.can_edit_post(MEMBER_A, PUBLIC, thread, own)
    assert not policy.can_edit_post(MEMBER_B, PUBLIC, thread, own)
    assert policy.can_edit_post(MODERATOR, PUBLIC, thread, own)
    assert not policy.can_edit_post(SUSPENDED_A, PUBLIC, thread, {**own, "author_id": SUSPENDED_A.user_id})
    assert not policy.can_edit_post(MEMBER_A, PUBLIC, thread, {**own, "hidden": True})
    assert not policy.can_edit_post(MEMBER_A, PUBLIC, {**thread, "locked": True}, own)
    assert policy.can_delete_post(MEMBER_A, PUBLIC, thread, own)


def test_voting() -> None:
    post = {"author_id": MEMBER_A.user_id, "deleted": False, "hidden": False}
    assert policy.can_vote(MEMBER_B, PUBLIC, post)
    assert not policy.can_vote(MEMBER_A, PUBLIC, post), "nobody upvotes their own post"
    assert not policy.can_vote(ANONYMOUS, PUBLIC, post)
    assert not policy.can_vote(SUSPENDED_A, PUBLIC, post)
    assert not policy.can_vote(MEMBER_B, PRIVATE_A, {**post})
    assert not policy.can_vote(MEMBER_B, PUBLIC, {**post, "hidden": True})


def test_accepting_answers() -> None:
    question = {"kind": "question", "author_id": MEMBER_A.user_id}
    assert policy.can_accept_answer(MEMBER_A, PUBLIC, question)
    assert policy.can_accept_answer(CATEGORY_MOD, PUBLIC, question)
    assert not policy.can_accept_answer(MEMBER_B, PUBLIC, question)
    assert not policy.can_accept_answer(MEMBER_A, PUBLIC, {**question, "kind": "discussion"})


def test_flagging_is_open_to_suspended_readers_but_not_to_strangers() -> None:
    assert policy.can_flag(SUSPENDED_A, PRIVATE_A)
    assert not policy.can_flag(MEMBER_B, PRIVATE_A)
    assert not policy.can_flag(ANONYMOUS, PUBLIC)


def test_suspending_and_managing_categories() -> None:
    assert policy.can_suspend_members(MODERATOR) and policy.can_suspend_members(ADMIN)
    assert not policy.can_suspend_members(MDO_ADMIN_A) and not policy.can_suspend_members(CATEGORY_MOD)
    assert policy.can_manage_categories(ADMIN, None) and policy.can_manage_categories(MDO_ADMIN_A, ORG_A)
    assert not policy.can_manage_categories(MDO_ADMIN_A, None) and not policy.can_manage_categories(MDO_ADMIN_B, ORG_A)


def test_readable_category_orgs_for_listing_and_search() -> None:
    assert policy.readable_category_orgs(ANONYMOUS) == [None]
    assert policy.readable_category_orgs(MEMBER_A) == [None, ORG_A]
    assert policy.readable_category_orgs(ADMIN) is None
