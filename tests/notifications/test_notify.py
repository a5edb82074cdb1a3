"""notify(): stored per person, grouped by kind and subject, pushed live, and preferences honoured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.notifications.queries import NOTIFICATIONS
from community.notifications.read import mark_all_read, mark_read
from community.notifications.service import notify
from community.accounts.sessions import actor_for_user
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def _reply(db: Any, emitter: Any, user: dict[str, Any], thread_id: ObjectId, by: ObjectId, n: int = 1,
                 kind: str = "reply") -> None:
    await notify(db, emitter, user_id=user["_id"], kind=kind, actor_id=by, subject_type="forum_thread",
                 subject_id=thread_id, text=f"New reply number {n} in “Pay rules”", url=f"/forums/t/{thread_id}")


async def test_notifications_about_the_same_subject_collapse_into_one_with_a_count(db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    thread, other_thread = ObjectId(), ObjectId()
    for n in range(3):
        await _reply(db, None, asha, thread, ravi["_id"], n)
    await _reply(db, None, asha, other_thread, ravi["_id"])
    await _reply(db, None, asha, thread, ravi["_id"], kind="mention")
    rows = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}, sort=[("count", -1), ("kind", -1)]).to_list(None)
    assert [(row["kind"], row["subject_id"], row["count"]) for row in rows] == [
        ("reply", thread, 3), ("reply", other_thread, 1), ("mention", thread, 1)]
    assert rows[0]["text"] == "New reply number 2 in “Pay rules”", "the entry shows the latest occurrence"
    assert all(row["read"] is False for row in rows)


async def test_once_read_the_next_notification_starts_a_new_entry(db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    thread = ObjectId()
    await _reply(db, None, asha, thread, ravi["_id"])
    first = await db[NOTIFICATIONS].find_one({"user_id": asha["_id"]})
    assert await mark_read(db, None, actor_for_user(asha), first["_id"]) is True
    await _reply(db, None, asha, thread, ravi["_id"], 2)
    rows = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}, sort=[("created_at", 1)]).to_list(None)
    assert [(row["read"], row["count"]) for row in rows] == [(True, 1), (False, 1)]


async def test_nobody_is_notified_of_their_own_action(db: Any) -> None:
    asha = await make_user(db)
    await _reply(db, None, asha, ObjectId(), asha["_id"])
    assert await db[NOTIFICATIONS].count_documents({}) == 0


async def test_a_kind_turned_off_is_not_recorded_and_email_digest_is_marked_for_the_digest(
        client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    token = await bearer_token(db, asha)
    response = await client.put("/api/v1/notifications/preferences", json={"reply": "off", "mention": "email_digest"},
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert (await response.json())["reply"] == "off"
    await _reply(db, None, asha, ObjectId(), ravi["_id"])
    await _reply(db, None, asha, ObjectId(), ravi["_id"], kind="mention")
    await _reply(db, None, asha, ObjectId(), ravi["_id"], kind="accepted_answer")
    rows = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}, sort=[("kind", 1)]).to_list(None)
    assert [(row["kind"], row.get("digest_pending", False)) for row in rows] == [
        ("accepted_answer", False), ("mention", True)]


async def test_a_notification_is_pushed_live_with_the_unread_total(client: TestClient, db: Any, probes: Probes) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    asha_socket = await probes().connect(server_url(client), token=await bearer_token(db, asha))
    ravi_socket = await probes().connect(server_url(client), token=await bearer_token(db, ravi))
    emitter = client.app[keys.EMITTER]
    thread = ObjectId()
    await _reply(db, emitter, asha, thread, ravi["_id"])
    first = await asha_socket.next("notification")
    assert first["kind"] == "reply" and first["count"] == 1 and first["unread"] == 1
    assert first["url"] == f"/forums/t/{thread}"
    await _reply(db, emitter, asha, thread, ravi["_id"], 2)
    second = await asha_socket.next("notification")
    assert second["id"] == first["id"] and second["count"] == 2 and second["unread"] == 1
    await _reply(db, emitter, asha, ObjectId(), ravi["_id"])
    assert (await asha_socket.next("notification"))["unread"] == 2
    await ravi_socket.nothing("notification")

    await mark_all_read(db, emitter, actor_for_user(asha))
    assert await asha_socket.next("notifications:unread") == {"unread": 0}


@pytest.mark.parametrize(("kind", "url"), [("Reply", "/t/1"), ("reply", "https://evil.example/"), ("reply", "//evil")])
async def test_a_programming_mistake_in_a_call_is_reported_not_stored(db: Any, kind: str, url: str) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    with pytest.raises(ValueError):
        await notify(db, None, user_id=asha["_id"], kind=kind, actor_id=ravi["_id"], subject_type="forum_thread",
                     subject_id=ObjectId(), text="x", url=url)
    assert await db[NOTIFICATIONS].count_documents({}) == 0
