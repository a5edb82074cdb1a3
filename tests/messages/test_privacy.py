"""A person's export holds their conversations and messages; erasure empties their messages
(others' replies keep their place) and takes them out of every conversation, leaving nothing that
names them."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.messages import queries
from tests.factories import bearer_token, make_user
from tests.messages.helpers import send, start
from tests.network.helpers import connect
from tests.privacy.test_erase import leftovers
from tests.profiles.helpers import call


async def test_export_holds_the_conversations_and_erasure_leaves_deleted_messages(client: TestClient, db: Any) -> None:
    asha = await make_user(db, name="Kavitha Ramaswamy", email="kavitha.ramaswamy@example.gov.in")
    ravi, mala = await make_user(db, name="Ravi Kumar"), await make_user(db, name="Mala Iyer")
    await connect(client.app, asha, ravi)
    direct = await start(client.app, asha, ravi, body="Kancheepuram figures attached")
    await send(client.app, ravi, direct, "Thanks, reading now")
    group = await start(client.app, mala, asha, ravi, body="Group hello", title="Budget")
    token = await bearer_token(db, asha)

    status, data = await call(client, "GET", "/api/v1/me/data", token)
    collections = data["collections"]
    assert {doc["_id"] for doc in collections[queries.CONVERSATIONS]["documents"]} == {str(direct), str(group)}
    assert [doc["body"] for doc in collections[queries.MESSAGES]["documents"]] == ["Kancheepuram figures attached"]
    assert len(collections[queries.MEMBERS]["documents"]) == 2
    admin = await make_user(db, roles=("officer", "admin"))
    status, viewed = await call(client, "GET", f"/api/v1/admin/people/{asha['_id']}/data", await bearer_token(db, admin))
    assert status == 200 and viewed["collections"][queries.MESSAGES]["documents"]
    assert "Kancheepuram" not in str(viewed) and "Budget" not in str(viewed), "an administrator never reads messages"

    status, answer = await call(client, "POST", "/api/v1/me/erase", token, json={"confirm": asha["email"]})
    assert status == 200 and answer["erased"] is True
    assert [problem for problem in await leftovers(db, asha["_id"]) if problem.startswith("dm_")] == []
    status, page = await call(client, "GET", f"/api/v1/messages/conversations/{direct}/messages",
                              await bearer_token(db, ravi))
    assert status == 200
    assert [(item["author_name"], item["deleted"], item["html"].strip()) for item in reversed(page["items"])] == [
        (None, True, ""), ("Ravi Kumar", False, "<p>Thanks, reading now</p>")]
    assert page["conversation"]["participants"] == []
    status, page = await call(client, "GET", f"/api/v1/messages/conversations/{group}/messages",
                              await bearer_token(db, mala))
    assert [person["name"] for person in page["conversation"]["participants"]] == ["Ravi Kumar"]
