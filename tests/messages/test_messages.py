"""Direct messages: who may read and send, message requests, blocks, limits, windows, pages and API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.actions import Effects
from community.errors import Forbidden, Invalid, NotFound, RateLimited
from community.messages import queries, service
from community.notifications.routes import NOTIFIER
from tests.conftest import csrf_token
from tests.factories import act, bearer_token, make_user, sign_in
from tests.messages.helpers import send, start
from tests.network.helpers import block, connect
from tests.profiles.helpers import call


async def test_a_connection_messages_directly_and_the_pages_show_it(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db, name="Ravi Kumar")
    await connect(client.app, asha, ravi)
    await sign_in(client, asha)
    profile = await (await client.get(f"/people/{ravi['_id']}")).text()
    assert f'/messages/new?to={ravi["_id"]}' in profile
    page = await (await client.get(f"/messages/new?to={ravi['_id']}")).text()
    assert f'<option value="{ravi["_id"]}" selected>Ravi Kumar</option>' in page
    token = await csrf_token(client, "/messages/new")
    empty = await client.post("/messages/new", data={"csrf_token": token, "to": str(ravi["_id"]), "body": "  "})
    assert empty.status == 422 and 'id="message-body-error"' in await empty.text()
    assert await db[queries.MESSAGES].count_documents({}) == 0
    sent = await client.post("/messages/new", allow_redirects=False,
                             data={"csrf_token": token, "to": str(ravi["_id"]), "body": "**Budget** review at 3?"})
    assert sent.status == 303
    location = sent.headers["Location"]
    conversation = await (await client.get(location)).text()
    assert "<strong>Budget</strong> review at 3?" in conversation

    client.session.cookie_jar.clear()
    await sign_in(client, ravi)
    listing = await (await client.get("/messages")).text()
    assert "Asha Menon" in listing and "1 unread" in listing and "Message requests (0)" in listing
    assert "data-messages-unread>1<" in listing
    await client.get(location)
    assert "data-messages-unread>0<" in await (await client.get("/messages")).text(), "reading clears the badge"
    token = await csrf_token(client, location)
    reply = await client.post(location + "/send", data={"csrf_token": token, "body": "Yes, see you then"},
                              allow_redirects=False)
    assert reply.status == 303
    assert await db[queries.MESSAGES].count_documents({}) == 2
    hindi = await (await client.get("/messages", headers={"Accept-Language": "hi"})).text()
    assert "संदेश अनुरोध (0)" in hindi

    await client.app[NOTIFIER].drain()
    status, listed = await call(client, "GET", "/api/v1/notifications", await bearer_token(db, asha))
    assert [item["text"] for item in listed["items"]][0] == "Ravi Kumar sent you a message."
    assert "Yes, see you then" not in str(listed), "a notification never carries the message"


async def test_nobody_else_reads_a_conversation_by_page_or_api(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    outsider, admin = await make_user(db), await make_user(db, roles=("officer", "admin"))
    conversation_id = await start(client.app, asha, ravi, body="Private note")
    for person in (outsider, admin):
        await sign_in(client, person)
        page = await client.get(f"/messages/{conversation_id}")
        assert page.status == 404 and "Private note" not in await page.text()
        token = await bearer_token(db, person)
        for method, path, body in (("GET", "messages", None), ("POST", "messages", {"body": "hi"}),
                                   ("POST", "read", None), ("POST", "accept", None)):
            status, answer = await call(client, method, f"/api/v1/messages/conversations/{conversation_id}/{path}",
                                        token, json=body)
            assert status == 404 and "Private note" not in str(answer)
        client.session.cookie_jar.clear()
    status, page = await call(client, "GET", f"/api/v1/messages/conversations/{conversation_id}/messages",
                              await bearer_token(db, ravi))
    assert status == 200 and page["items"][0]["html"].strip() == "<p>Private note</p>"


async def test_a_stranger_lands_in_message_requests_until_accepted(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db)
    conversation_id = await start(client.app, asha, ravi, body="We have not met")
    mine = await queries.membership(db, conversation_id, ravi["_id"])
    assert mine is not None and mine["state"] == "request"
    token = await bearer_token(db, ravi)
    status, listed = await call(client, "GET", "/api/v1/messages/conversations", token)
    assert listed["items"] == [] and listed["counts"] == {"conversations": 0, "requests": 1}
    status, listed = await call(client, "GET", "/api/v1/messages/conversations?tab=requests", token)
    assert [item["id"] for item in listed["items"]] == [str(conversation_id)]
    with pytest.raises(Forbidden):
        await send(client.app, ravi, conversation_id, "A reply before accepting")
    status, page = await call(client, "POST", f"/api/v1/messages/conversations/{conversation_id}/accept", token)
    assert status == 200 and page["conversation"]["state"] == "active"
    await send(client.app, ravi, conversation_id, "Hello back")

    await client.app[NOTIFIER].drain()
    status, notified = await call(client, "GET", "/api/v1/notifications", token)
    assert [item["text"] for item in notified["items"]] == ["Asha Menon wants to send you messages."]


async def test_a_conversation_both_agreed_to_is_never_a_message_request(client: TestClient, db: Any,
                                                                          captured_effects: Effects) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db)
    conversation_id = await act(client.app, actor_for_user(asha), service.start_agreed, ravi["_id"], "Agreed")
    for person in (asha, ravi):
        mine = await queries.membership(db, conversation_id, person["_id"])
        assert mine is not None and mine["state"] == "active", "not connected, and still no message request"
    assert [n["kind"] for n in captured_effects.notifications] == ["direct_message"]
    token = await bearer_token(db, ravi)
    status, listed = await call(client, "GET", "/api/v1/messages/conversations", token)
    assert status == 200 and listed["counts"] == {"conversations": 1, "requests": 0}
    await send(client.app, ravi, conversation_id, "A reply without accepting anything")


async def test_agreeing_accepts_a_request_still_waiting_either_way(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    asked = await start(client.app, ravi, asha, body="We have not met")
    assert (await queries.membership(db, asked, asha["_id"]) or {})["state"] == "request"
    again = await act(client.app, actor_for_user(asha), service.start_agreed, ravi["_id"], "Now we have agreed")
    assert again == asked, "the pair's direct conversation is reused"
    for person in (asha, ravi):
        assert (await queries.membership(db, asked, person["_id"]) or {})["state"] == "active"
    assert await db[queries.MESSAGES].count_documents({"conversation_id": asked}) == 2


async def test_agreeing_does_not_reach_across_a_block(client: TestClient, db: Any, captured_effects: Effects) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await block(client.app, ravi, asha)
    before = (len(captured_effects.notifications), len(captured_effects.events))
    for sender, other in ((asha, ravi), (ravi, asha)):
        with pytest.raises(Invalid):
            await act(client.app, actor_for_user(sender), service.start_agreed, other["_id"], "Agreed?")
    assert await db[queries.CONVERSATIONS].count_documents({}) == 0
    assert await db[queries.MESSAGES].count_documents({}) == 0
    assert (len(captured_effects.notifications), len(captured_effects.events)) == before


async def test_declining_a_request_takes_the_person_out(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    conversation_id = await start(client.app, asha, ravi, body="Hello")
    await sign_in(client, ravi)
    token = await csrf_token(client, f"/messages/{conversation_id}")
    declined = await client.post(f"/messages/{conversation_id}/leave", data={"csrf_token": token},
                                 allow_redirects=False)
    assert declined.status == 303
    assert (await client.get(f"/messages/{conversation_id}")).status == 404
    with pytest.raises(Forbidden):
        await send(client.app, asha, conversation_id, "Still there?")
    again = await start(client.app, asha, ravi, body="Trying once more")
    assert again != conversation_id, "after a decline the pair may start afresh"


async def test_nobody_blocked_can_message_either_way(client: TestClient, db: Any) -> None:
    asha, ravi, mala = await make_user(db), await make_user(db), await make_user(db)
    conversation_id = await start(client.app, asha, ravi, body="Before the block")
    await block(client.app, ravi, asha)
    with pytest.raises(Invalid):
        await start(client.app, asha, ravi, body="New one")
    with pytest.raises(Invalid):
        await start(client.app, ravi, asha, body="The blocker neither")
    with pytest.raises(Invalid):
        await start(client.app, asha, mala, ravi, body="Nor in a group")
    with pytest.raises(Forbidden):
        await send(client.app, asha, conversation_id, "After the block")
    assert await db[queries.MESSAGES].count_documents({}) == 1


async def test_flood_and_size_limits(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await connect(client.app, asha, ravi)
    with pytest.raises(Invalid) as refused:
        await start(client.app, asha, ravi, body="x" * 51)
    assert "at most 50 characters" in refused.value.errors["body"]
    assert await db[queries.CONVERSATIONS].count_documents({}) == 0
    conversation_id = await start(client.app, asha, ravi, body="one")
    await send(client.app, asha, conversation_id, "two")
    await send(client.app, asha, conversation_id, "three")
    with pytest.raises(RateLimited):
        await send(client.app, asha, conversation_id, "four")
    assert await db[queries.MESSAGES].count_documents({}) == 3
    status, problem = await call(client, "POST", f"/api/v1/messages/conversations/{conversation_id}/messages",
                                 await bearer_token(db, ravi), json={"body": "y" * 51})
    assert status == 422 and problem["errors"][0]["field"] == "body"


async def test_a_group_has_a_size_limit_and_can_be_left(client: TestClient, db: Any) -> None:
    asha, ravi, mala, dev = [await make_user(db) for _ in range(4)]
    with pytest.raises(Invalid) as refused:
        await start(client.app, asha, ravi, mala, dev, body="Too many")
    assert "at most 3 people" in refused.value.errors["to"]
    await connect(client.app, asha, ravi)
    group = await start(client.app, asha, ravi, mala, body="Team", title="Budget team")
    await act(client.app, actor_for_user(ravi), service.leave, group)
    with pytest.raises(NotFound):
        await service.readable(db, actor_for_user(ravi), group)
    found = await queries.conversation(db, group)
    assert found is not None and ravi["_id"] not in found["member_ids"] and found["title"] == "Budget team"


async def test_editing_and_deleting_only_within_their_windows(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await connect(client.app, asha, ravi)
    conversation_id = await start(client.app, asha, ravi, body="Frist draft")
    message = await db[queries.MESSAGES].find_one({})
    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(ravi), service.edit, conversation_id, message["_id"], "Not mine")
    await act(client.app, actor_for_user(asha), service.edit, conversation_id, message["_id"], "First draft")
    edited = await db[queries.MESSAGES].find_one({"_id": message["_id"]})
    assert edited["html"].strip() == "<p>First draft</p>" and edited["edited_at"] is not None

    await db[queries.MESSAGES].update_one({"_id": message["_id"]}, {"$set": {
        "created_at": message["created_at"] - timedelta(minutes=16)}})
    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(asha), service.edit, conversation_id, message["_id"], "Too late")
    await act(client.app, actor_for_user(asha), service.delete, conversation_id, message["_id"])
    deleted = await db[queries.MESSAGES].find_one({"_id": message["_id"]})
    assert deleted["deleted"] is True and deleted["body"] == "" and deleted["html"] == ""
    second = await send(client.app, asha, conversation_id, "Another")
    await db[queries.MESSAGES].update_one({"_id": second["_id"]}, {"$set": {
        "created_at": second["created_at"] - timedelta(hours=2)}})
    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(asha), service.delete, conversation_id, second["_id"])


async def test_read_receipts_show_only_to_people_who_keep_them_on(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await connect(client.app, asha, ravi)
    conversation_id = await start(client.app, asha, ravi, body="Read me")
    await act(client.app, actor_for_user(ravi), service.mark_read, conversation_id)
    path = f"/api/v1/messages/conversations/{conversation_id}/messages"
    status, page = await call(client, "GET", path, await bearer_token(db, asha))
    assert list(page["read_by"]) == [str(ravi["_id"])]
    await act(client.app, actor_for_user(asha), service.set_read_receipts, False)
    status, page = await call(client, "GET", path, await bearer_token(db, asha))
    assert page["read_by"] == {}, "someone who turned receipts off sees none"
    status, page = await call(client, "GET", path, await bearer_token(db, ravi))
    assert page["read_by"] == {}, "and shows none"


async def test_edit_delete_and_the_receipts_setting_through_the_pages(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await connect(client.app, asha, ravi)
    conversation_id = await start(client.app, asha, ravi, body="Meet at 3")
    message = await db[queries.MESSAGES].find_one({})
    await sign_in(client, asha)
    path = f"/messages/{conversation_id}"
    token = await csrf_token(client, path)
    too_long = await client.post(f"{path}/m/{message['_id']}/edit", data={"csrf_token": token, "body": "z" * 51})
    assert too_long.status == 422 and f'id="edit-{message["_id"]}-error"' in await too_long.text()
    edited = await client.post(f"{path}/m/{message['_id']}/edit", data={"csrf_token": token, "body": "Meet at 4"},
                               allow_redirects=False)
    assert edited.status == 303
    page = await (await client.get(path)).text()
    assert "Meet at 4" in page and "Your message was changed." in page and "edited" in page
    deleted = await client.post(f"{path}/m/{message['_id']}/delete", data={"csrf_token": token}, allow_redirects=False)
    assert deleted.status == 303
    page = await (await client.get(path)).text()
    assert "This message was deleted." in page and "Meet at 4" not in page
    saved = await client.post("/messages/settings", data={"csrf_token": token}, allow_redirects=False)
    assert saved.status == 303
    assert (await queries.receipts_on(db, [asha["_id"]]))[asha["_id"]] is False
    assert 'name="read_receipts" value="on" checked' not in await (await client.get("/messages")).text()

    await block(client.app, ravi, asha)
    profile = await (await client.get(f"/people/{ravi['_id']}")).text()
    assert "/messages/new?to=" not in profile, "no Message button across a block"
