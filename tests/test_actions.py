"""The action context: effects leave only after the commit, and a refused or rolled-back write leaves none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import actions
from community.accounts.sessions import actor_for_user
from community.storage import facts
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url


@pytest.fixture(autouse=True)
def marker_collection(declare_for_test: Callable[..., None]) -> None:
    """The stand-in these tests write through the action context."""
    declare_for_test(facts.Collection("marker"))


@pytest.fixture
async def probe() -> AsyncIterator[SocketProbe]:
    made = SocketProbe()
    yield made
    await made.close()


async def test_events_are_sent_after_the_commit_and_never_after_a_rollback(
        client: TestClient, db: Any, probe: SocketProbe, captured_effects: actions.Effects) -> None:
    asha = await make_user(db)
    actor = actor_for_user(asha)
    await probe.connect(server_url(client), token=await bearer_token(db, asha))
    room = f"user:{asha['_id']}"
    with pytest.raises(RuntimeError):
        async with actions.begin(client.app, actor) as tx:
            await tx.db.marker.insert_one({"step": "rolled back"}, session=await tx.start())
            tx.emit("probe:event", {"n": 1}, room=room)
            raise RuntimeError("the write fails after queueing its event")
    assert captured_effects.empty
    assert await db.marker.count_documents({}) == 0
    async with actions.begin(client.app, actor) as tx:
        await tx.db.marker.insert_one({"step": "committed"}, session=await tx.start())
        tx.emit("probe:event", {"n": 2}, room=room)
        assert await db.marker.count_documents({}) == 0, "inside the block nothing is committed yet"
    assert await probe.next("probe:event") == {"n": 2}, \
        "events on one socket arrive in order: the rolled-back one, had it been sent, would have come first"
    assert [event.data for event in captured_effects.events] == [{"n": 2}]


async def test_writing_before_the_transaction_starts_is_refused(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    async with actions.begin(client.app, actor_for_user(asha)) as tx:
        with pytest.raises(RuntimeError, match="tx.start"):
            tx.session  # noqa: B018 - the property itself refuses


async def test_a_hang_up_happens_after_the_commit_and_never_after_a_rollback(
        client: TestClient, db: Any, probe: SocketProbe, captured_effects: actions.Effects) -> None:
    asha = await make_user(db)
    actor = actor_for_user(asha)
    await probe.connect(server_url(client), token=await bearer_token(db, asha))
    room = f"user:{asha['_id']}"
    with pytest.raises(RuntimeError):
        async with actions.begin(client.app, actor) as tx:
            await tx.db.marker.insert_one({"step": "rolled back"}, session=await tx.start())
            tx.hang_up(room)
            raise RuntimeError("the write fails after queueing its hang-up")
    assert captured_effects.empty
    await probe.nothing("probe:event")  # a round trip: the socket still answers, a rolled-back hang-up closed nothing
    async with actions.begin(client.app, actor) as tx:
        await tx.db.marker.insert_one({"step": "committed"}, session=await tx.start())
        tx.hang_up(room)
        assert probe.sio.connected, "inside the block nothing is committed yet"
    await asyncio.wait_for(probe.disconnected.wait(), 1.0)
    assert captured_effects.hung_up == [room]
