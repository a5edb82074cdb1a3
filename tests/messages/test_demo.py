"""The demo step writes conversations between connected demo people and message requests from
people who are not connected, readable through the same pages; once."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from community.accounts.sessions import actor_for_user
from community.config import Settings
from community.messages import queries, reads
from community.messages.demo import fill_demo
from community.messages.rules import MessageRules
from community.network import demo as network_demo
from community.network.queries import is_connected
from tests.factories import make_org, make_user


async def test_demo_fills_conversations_and_requests_once(db: Any, settings: Settings) -> None:
    org = await make_org(db)
    people = [await make_user(db, org=org) for _ in range(10)]
    await network_demo.fill_demo(db, settings, random.Random(1), len(people))
    await fill_demo(db, settings, random.Random(1), len(people))
    conversations = await db[queries.CONVERSATIONS].find({}).to_list(None)
    assert {row["kind"] for row in conversations} == {"direct", "group"}
    requests = await db[queries.MEMBERS].find({"state": "request"}).to_list(None)
    assert requests
    for row in requests:
        found = await queries.conversation(db, row["conversation_id"])
        sender = next(uid for uid in found["member_ids"] if uid != row["user_id"])
        assert not await is_connected(db, sender, row["user_id"])
    person = [p for p in people if await queries.count(db, p["_id"], "active")][0]
    listing = await reads.conversation_list(db, person["_id"], "conversations", None)
    first = listing["items"][0]
    view = await reads.conversation_view(db, actor_for_user(person), reads.object_id(first["id"]), None,
                                         MessageRules(), datetime.now(UTC))
    assert view["items"] and all(item["html"] for item in view["items"])
    await fill_demo(db, settings, random.Random(2), len(people))
    assert await db[queries.CONVERSATIONS].count_documents({}) == len(conversations)
