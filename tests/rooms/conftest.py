"""A test subject kind ("session"), registered for these tests only: a stored document with a
title, hosts, invitees, a start and an end, and whether it is live; attended people read after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.policy import Actor
from community.rooms import subjects
from community.rooms.subjects import RoomAccess
from community.storage import facts
from tests.factories import bearer_token, make_user

KIND = "test_session"
SESSIONS = "test_room_sessions"


async def resolve(db: Any, actor: Actor, subject_id: ObjectId) -> RoomAccess | None:
    doc = await db[SESSIONS].find_one({"_id": subject_id})
    if doc is None:
        return None
    host = actor.user_id in doc["hosts"]
    return RoomAccess(kind=KIND, subject_id=doc["_id"], title=doc["title"], url=f"/sessions/{doc['_id']}",
                      starts_at=doc["starts_at"], ends_at=doc["ends_at"],
                      can_enter=host or actor.user_id in doc["invited"], is_host=host, is_open=doc["open"],
                      can_read_after=actor.user_id in doc.get("attended", []))


@pytest.fixture(autouse=True)
def test_subject(declare_for_test: Callable[..., None]) -> Iterator[None]:
    declare_for_test(facts.Collection(SESSIONS))
    subjects.register(KIND, resolve)
    yield
    subjects.unregister(KIND)


class Room:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.db = client.app[keys.DB]

    async def person(self, **extra: Any) -> dict[str, Any]:
        user = await make_user(self.db, **extra)
        user["token"] = await bearer_token(self.db, user)
        return user

    def headers(self, user: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {user['token']}"}

    async def subject(self, hosts: list[dict[str, Any]], invited: list[dict[str, Any]], *, live: bool = True,
                      title: str = "Public procurement: Q&A") -> dict[str, Any]:
        now = datetime.now(UTC)
        doc = {"_id": ObjectId(), "title": title, "hosts": [h["_id"] for h in hosts],
               "invited": [i["_id"] for i in invited], "starts_at": now - timedelta(minutes=10),
               "ends_at": now + timedelta(minutes=50), "open": live, "attended": []}
        await self.db[SESSIONS].insert_one(doc)
        return doc

    def path(self, subject: dict[str, Any]) -> str:
        return f"/rooms/{KIND}/{subject['_id']}"

    def api(self, subject: dict[str, Any]) -> str:
        return "/api/v1" + self.path(subject)


@pytest.fixture
async def room(client: TestClient) -> Room:
    return Room(client)

