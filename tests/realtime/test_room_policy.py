"""policy.can_join_room for every kind of room and every kind of person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from community.policy import ANONYMOUS, Actor, Role, can_join_room

HOME, OTHER = ObjectId(), ObjectId()
ME = ObjectId()


def person(*roles: Role, org: ObjectId = HOME, suspended: bool = False) -> Actor:
    until = datetime.now(UTC) + timedelta(days=1) if suspended else None
    return Actor(user_id=ME, org_id=org, roles=frozenset({Role.OFFICER, *roles}), suspended_until=until)


PUBLIC_CATEGORY = {"_id": ObjectId(), "org_id": None, "moderator_ids": []}
HOME_CATEGORY = {"_id": ObjectId(), "org_id": HOME, "moderator_ids": []}
OTHER_CATEGORY = {"_id": ObjectId(), "org_id": OTHER, "moderator_ids": []}
MODERATED_ELSEWHERE = {"_id": ObjectId(), "org_id": OTHER, "moderator_ids": [ME]}


@pytest.mark.parametrize(("actor", "kind", "resource", "allowed"), [
    (person(), "user", {"_id": ME}, True),
    (person(Role.ADMIN), "user", {"_id": ObjectId()}, False),
    (person(), "org", {"_id": HOME}, True),
    (person(), "org", {"_id": OTHER}, False),
    (person(Role.MDO_ADMIN), "org", {"_id": OTHER}, False),
    (person(suspended=True), "org", {"_id": HOME}, True),
    (person(), "category", PUBLIC_CATEGORY, True),
    (person(), "category", HOME_CATEGORY, True),
    (person(), "category", OTHER_CATEGORY, False),
    (person(), "thread", OTHER_CATEGORY, False),
    (person(), "thread", MODERATED_ELSEWHERE, True),
    (person(Role.ADMIN), "thread", OTHER_CATEGORY, True),
    (person(), "event", {"_id": ObjectId(), "org_id": None, "audience": "everyone", "status": "published"}, True),
    (person(), "event", {"_id": ObjectId(), "org_id": HOME, "audience": "organisation", "status": "published"}, True),
    (person(), "event", {"_id": ObjectId(), "org_id": OTHER, "audience": "organisation", "status": "published"}, False),
    (person(Role.ADMIN), "event", {"_id": ObjectId(), "org_id": OTHER, "audience": "organisation"}, True),
    (person(), "event", {"_id": ObjectId(), "audience": "invitation", "invited_ids": [], "status": "published"}, False),
    (person(), "event", {"_id": ObjectId(), "audience": "invitation", "invited_ids": [ME], "status": "published"}, True),
    (person(), "event", {"_id": ObjectId(), "audience": "everyone", "status": "draft", "host_id": ObjectId()}, False),
    (person(), "event", {"_id": ObjectId(), "audience": "everyone", "status": "draft", "host_id": ME}, True),
    (person(), "planet", {"_id": HOME}, False),
    (ANONYMOUS, "category", PUBLIC_CATEGORY, False),
    (ANONYMOUS, "event", {"_id": ObjectId(), "org_id": None}, False),
    (ANONYMOUS, "user", {"_id": None}, False),
])
def test_who_may_join_which_room(actor: Actor, kind: str, resource: dict[str, object], allowed: bool) -> None:
    assert can_join_room(actor, kind, resource) is allowed
