"""Membership writes run in the action context: what follows them (the person's notice, the people
index, closing a mover's sockets) leaves only once the decision has committed, and a refused
request or decision leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.accounts.sessions import actor_for_user
from community.errors import Forbidden, Invalid
from community.organisations import membership
from community.organisations.queries import REQUESTS
from community.realtime.emitter import user_room
from tests.factories import act, make_org, make_user


async def _pending_move(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A member of one organisation asking to move to another, and that one's administrator."""
    home, target = await make_org(db, name="Home Ministry"), await make_org(db, name="Ministry of Finance")
    person = await make_user(db, org=home, roles=("officer", "mdo_admin"))
    admin = await make_user(db, org=target, roles=("officer", "mdo_admin"))
    request = {"_id": ObjectId(), "user_id": person["_id"], "org_id": target["_id"], "previous_org_id": home["_id"],
               "status": "pending", "created_at": person["created_at"]}
    await db[REQUESTS].insert_one(request)
    return person, admin, target, request


async def test_an_approved_move_tells_reindexes_and_hangs_up_only_after_the_commit(
        client: TestClient, db: Any, captured_effects: actions.Effects) -> None:
    person, admin, target, request = await _pending_move(db)
    decided = await act(client.app, actor_for_user(admin), membership.decide, str(request["_id"]), approve=True,
                        reason="Transfer order 12")
    assert decided["status"] == "approved"
    assert [(n["kind"], n["to"]) for n in captured_effects.notifications] == [
        ("membership", {"set": "person", "args": {"user_id": person["_id"]}})]
    assert captured_effects.reindexed == [("people", str(person["_id"]))]
    assert captured_effects.hung_up == [user_room(person["_id"])]
    moved = await db.users.find_one({"_id": person["_id"]})
    assert moved["org_id"] == target["_id"] and "mdo_admin" not in moved["roles"]


async def test_a_refused_decision_writes_and_sends_nothing(client: TestClient, db: Any,
                                                           captured_effects: actions.Effects) -> None:
    person, _admin, _target, request = await _pending_move(db)
    stranger = await make_user(db, roles=("officer", "mdo_admin"))
    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(stranger), membership.decide, str(request["_id"]), approve=True, reason=None)
    await db[REQUESTS].update_one({"_id": request["_id"]}, {"$set": {"status": "withdrawn"}})
    platform_admin = await make_user(db, roles=("officer", "admin"))
    with pytest.raises(Invalid):
        await act(client.app, actor_for_user(platform_admin), membership.decide, str(request["_id"]), approve=False,
                  reason=None)
    assert captured_effects.empty
    assert await db.audit_log.count_documents({"action": {"$in": ["membership.approve", "membership.reject"]}}) == 0
    assert (await db.users.find_one({"_id": person["_id"]}))["org_id"] == person["org_id"]


async def test_a_refused_request_to_move_leaves_no_request_and_no_notice(client: TestClient, db: Any,
                                                                        captured_effects: actions.Effects) -> None:
    home = await make_org(db, name="Home Ministry")
    person = await make_user(db, org=home)
    with pytest.raises(Invalid):
        await act(client.app, actor_for_user(person), membership.ask_to_change, person, str(home["_id"]))
    with pytest.raises(Invalid):
        await act(client.app, actor_for_user(person), membership.ask_to_change, person, "not-an-id")
    assert captured_effects.empty
    assert await db[REQUESTS].count_documents({"user_id": person["_id"]}) == 0


async def test_asking_to_move_tells_the_administrators_after_the_commit(client: TestClient, db: Any,
                                                                       captured_effects: actions.Effects) -> None:
    home, target = await make_org(db, name="Home Ministry"), await make_org(db, name="Ministry of Finance")
    person = await make_user(db, org=home)
    asked = await act(client.app, actor_for_user(person), membership.ask_to_change, person, str(target["_id"]))
    assert asked["status"] == "pending"
    assert [(n["kind"], n["to"]["set"], n["actor_id"]) for n in captured_effects.notifications] == [
        ("membership", "organisation.administrators", person["_id"])]
    assert not captured_effects.hung_up and not captured_effects.reindexed, "nothing about the person changed yet"
