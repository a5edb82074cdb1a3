"""Connection requests: asked, answered, withdrawn, removed, expired; refusals write nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pymongo.errors import OperationFailure

from community import actions, keys
from community.accounts.sessions import actor_for_user
from community.errors import Forbidden, Invalid, NotFound, RateLimited
from community.jobs.runner import Runner
from community.jobs.schedule import JOBS
from community.network import connections, queries
from community.network.schemas import ConnectionRequestIn
from community.network.rules import RULES
from community.profiles import show
from community.profiles.verification import EndorsementRule
from tests.factories import act, make_user
from tests.network.helpers import ask, block


async def test_a_request_waits_then_acceptance_connects_both(client: TestClient, app: web.Application, db: Any,
                                                             captured_effects: actions.Effects) -> None:
    asha, ravi = await make_user(db, name="Asha"), await make_user(db, name="Ravi")
    assert await ask(app, asha, ravi, note="We met at LBSNAA") == "sent"
    key = connections.expiry_key((await queries.connection(db, asha["_id"], ravi["_id"]) or {})["request_id"])
    [request] = captured_effects.notifications
    assert (request["kind"], request["to"]["args"]["user_id"]) == ("connection_request", ravi["_id"])
    [job] = captured_effects.scheduled
    assert job["_id"] == key and job["kind"] == connections.EXPIRY_JOB
    assert (await queries.connection(db, ravi["_id"], asha["_id"]) or {})["note"] == "We met at LBSNAA"

    await act(app, actor_for_user(ravi), connections.accept, asha["_id"])
    assert await queries.is_connected(db, asha["_id"], ravi["_id"])
    assert captured_effects.cancelled == [key]
    assert captured_effects.notifications[-1]["kind"] == "connection_accepted"
    assert captured_effects.notifications[-1]["to"]["args"]["user_id"] == asha["_id"]
    assert await db[JOBS].count_documents({"kind": connections.EXPIRY_JOB}) == 0


async def test_connections_see_a_field_visible_to_connections(client: TestClient, app: web.Application, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    before = await show.visible_profile(db, actor_for_user(ravi), asha["_id"], EndorsementRule())
    assert "email" not in before, "e-mail is shown to connections only by default"
    await ask(app, asha, ravi)
    await act(app, actor_for_user(ravi), connections.accept, asha["_id"])
    after = await show.visible_profile(db, actor_for_user(ravi), asha["_id"], EndorsementRule())
    assert after["email"] == asha["email"]


async def test_ones_own_profile_asks_no_connections(client: TestClient, app: web.Application, db: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody is connected to themselves: a profile save answers with the person's own profile,
    which had read the connections twice (two reader-thread trips) to learn that."""
    asha, ravi = await make_user(db), await make_user(db)
    await ask(app, asha, ravi)
    await act(app, actor_for_user(ravi), connections.accept, asha["_id"])
    asked: list[dict[str, Any]] = []
    find = type(db[queries.CONNECTIONS]).find

    def recorded(self: Any, filter_: Any = None, *args: Any, **kwargs: Any) -> Any:
        if self.name == queries.CONNECTIONS and "status" in (filter_ or {}):  # not the notifier's own reads
            asked.append(filter_)
        return find(self, filter_, *args, **kwargs)

    monkeypatch.setattr(type(db[queries.CONNECTIONS]), "find", recorded)
    own = await show.visible_profile(db, actor_for_user(asha), asha["_id"], EndorsementRule())
    assert own["email"] == asha["email"] and asked == []
    assert (await show.visible_profile(db, actor_for_user(ravi), asha["_id"], EndorsementRule()))["email"] == asha["email"]
    assert len(asked) == 2, "another person's profile asks both directions"


async def test_two_people_asking_each_other_at_once_end_connected_once(client: TestClient, app: web.Application, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    answers = await asyncio.gather(ask(app, asha, ravi), ask(app, ravi, asha))
    assert sorted(answers) == ["connected", "sent"]
    rows = await db[queries.CONNECTIONS].find({}).to_list(None)
    assert len(rows) == 1 and rows[0]["status"] == "accepted"
    assert await db[JOBS].count_documents({"kind": connections.EXPIRY_JOB}) == 0, "the first request's expiry was cancelled"


async def test_asking_someone_who_asked_you_accepts_their_request(client: TestClient, app: web.Application, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await ask(app, asha, ravi)
    assert await ask(app, ravi, asha) == "connected"
    assert await ask(app, asha, ravi) == "connected", "asking again once connected changes nothing"


async def test_decline_and_withdraw_drop_the_request_and_its_expiry(client: TestClient, app: web.Application, db: Any,
                                                                    captured_effects: actions.Effects) -> None:
    asha, ravi, meena = await make_user(db), await make_user(db), await make_user(db)
    await ask(app, asha, ravi)
    await ask(app, asha, meena)
    keys = [connections.expiry_key((await queries.connection(db, asha["_id"], other["_id"]) or {})["request_id"])
            for other in (ravi, meena)]
    await act(app, actor_for_user(ravi), connections.decline, asha["_id"])
    with pytest.raises(NotFound):
        await act(app, actor_for_user(meena), connections.withdraw, asha["_id"]), "only the asker withdraws"
    await act(app, actor_for_user(asha), connections.withdraw, meena["_id"])
    assert await db[queries.CONNECTIONS].count_documents({}) == 0 and await db[JOBS].count_documents({"kind": connections.EXPIRY_JOB}) == 0
    assert captured_effects.cancelled == keys


async def test_either_side_removes_a_connection(client: TestClient, app: web.Application, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await ask(app, asha, ravi)
    with pytest.raises(NotFound):
        await act(app, actor_for_user(asha), connections.remove, ravi["_id"]), "a request is not a connection"
    await act(app, actor_for_user(ravi), connections.accept, asha["_id"])
    await act(app, actor_for_user(ravi), connections.remove, asha["_id"])
    assert not await queries.is_connected(db, asha["_id"], ravi["_id"])


async def test_an_unanswered_request_expires(client: TestClient, app: web.Application, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await ask(app, asha, ravi)
    job = await db[JOBS].find_one({"kind": connections.EXPIRY_JOB})
    later = job["due_at"]
    assert await Runner({**app, keys.CLOCK: lambda: later}).drain() >= 1
    assert await queries.connection(db, asha["_id"], ravi["_id"]) is None


async def test_refused_requests_write_nothing(client: TestClient, app: web.Application, db: Any, captured_effects: actions.Effects) -> None:
    asha, ravi, gone = await make_user(db), await make_user(db), await make_user(db, deleted=True)
    with pytest.raises(Invalid) as own:
        await ask(app, asha, asha)
    assert "note" in own.value.errors
    with pytest.raises(NotFound):
        await ask(app, asha, gone)
    await block(app, ravi, asha)
    with pytest.raises(Forbidden):
        await ask(app, asha, ravi)
    with pytest.raises(Forbidden):
        await ask(app, ravi, asha), "the blocker cannot ask either"
    assert await db[queries.CONNECTIONS].count_documents({}) == 0
    assert captured_effects.notifications == [] and captured_effects.scheduled == []


async def test_a_flood_of_requests_is_cut_off(client: TestClient, app: web.Application, db: Any) -> None:
    asha = await make_user(db)
    others = [await make_user(db) for _ in range(app[RULES].requests_per_day + 1)]
    for other in others[:-1]:
        await ask(app, asha, other)
    with pytest.raises(RateLimited):
        await ask(app, asha, others[-1])
    assert await db[queries.CONNECTIONS].count_documents({}) == app[RULES].requests_per_day


async def test_a_request_meeting_a_conflicting_write_is_tried_once_more(client: TestClient, app: web.Application,
                                                                         db: Any) -> None:
    """MongoDB aborts the second of two transactions writing one document; the request is then
    run again, sees the other's request and accepts it (the embedded engine serialises instead)."""
    asha, ravi = await make_user(db), await make_user(db)
    await ask(app, ravi, asha)
    attempts: list[int] = []

    async def conflicting_once(tx: actions.Action, person_id: Any, request: ConnectionRequestIn) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            await tx.db[queries.CONNECTIONS].delete_many({}, session=await tx.start())
            raise OperationFailure("WriteConflict", 112, {"errorLabels": ["TransientTransactionError"]})
        return await connections.request_connection(tx, person_id, request)

    state = await actions.run_once_more_after_a_conflict(app, actor_for_user(asha), conflicting_once, ravi["_id"],
                                                         ConnectionRequestIn())
    assert state == "connected" and len(attempts) == 2, "the aborted attempt's delete was undone"

    async def failing(tx: actions.Action) -> None:
        attempts.append(1)
        raise OperationFailure("bad query", 2)

    with pytest.raises(OperationFailure):
        await actions.run_once_more_after_a_conflict(app, actor_for_user(asha), failing)
    assert len(attempts) == 3, "any other error is not tried again"
