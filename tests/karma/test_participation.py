"""Points for attending and hosting, awarded from another feature's action: once per subject, taken back once."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.karma import participation, service
from tests.factories import act, make_user


async def test_attending_and_hosting_count_once_per_subject(client: TestClient, app: web.Application, db: Any) -> None:
    host, person = await make_user(db), await make_user(db)
    event_id, other_id = ObjectId(), ObjectId()
    actor = actor_for_user(host)
    assert await act(app, actor, participation.award_hosted, host["_id"], "event", event_id)
    assert await act(app, actor, participation.award_attended, person["_id"], "event", event_id)
    assert not await act(app, actor, participation.award_attended, person["_id"], "event", event_id)
    assert await act(app, actor, participation.award_attended, person["_id"], "event", other_id)
    assert await service.total(db, host["_id"]) == participation.HOSTED_POINTS
    assert await service.total(db, person["_id"]) == 2 * participation.ATTENDED_POINTS

    assert await act(app, actor, participation.withdraw_attended, person["_id"], "event", event_id)
    assert not await act(app, actor, participation.withdraw_attended, person["_id"], "event", event_id)
    assert await act(app, actor, participation.withdraw_hosted, host["_id"], "event", event_id)
    assert await service.total(db, person["_id"]) == participation.ATTENDED_POINTS
    assert await service.total(db, host["_id"]) == 0


async def test_an_award_in_a_failed_action_is_not_counted(client: TestClient, app: web.Application, db: Any) -> None:
    person = await make_user(db)

    async def award_then_fail(tx: Any) -> None:
        await participation.award_attended(tx, person["_id"], "event", ObjectId())
        raise RuntimeError("the event's own write failed")

    with pytest.raises(RuntimeError):
        await act(app, actor_for_user(person), award_then_fail)
    assert await service.total(db, person["_id"]) == 0
