"""The conversation's socket room: only participants join it, and they hear new messages,
typing, read receipts and their badge live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.messages import service
from tests.factories import act, bearer_token, make_user
from tests.messages.helpers import send, start
from tests.network.helpers import connect
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def _socket(client: TestClient, db: Any, probes: Probes, user: dict[str, Any]) -> SocketProbe:
    return await probes().connect(server_url(client), token=await bearer_token(db, user))


async def test_a_non_participant_cannot_join_the_room_and_hears_nothing(client: TestClient, db: Any,
                                                                         probes: Probes) -> None:
    asha, ravi, outsider = await make_user(db), await make_user(db), await make_user(db)
    conversation_id = await start(client.app, asha, ravi, body="Hello")
    listener = await _socket(client, db, probes, outsider)
    ack = await listener.call("messages:enter", {"conversation_id": str(conversation_id)})
    assert ack["ok"] is False and ack["error"]["status"] == 404
    ack = await listener.call("join", {"room": f"dm:{conversation_id}"})
    assert ack["ok"] is False, "the generic join never opens a conversation's room"
    assert (await listener.call("messages:typing", {"conversation_id": str(conversation_id)}))["ok"] is False
    await send(client.app, asha, conversation_id, "Not for outsiders")
    await listener.nothing("messages:new")


async def test_participants_hear_messages_typing_and_read_receipts_live(client: TestClient, db: Any,
                                                                        probes: Probes) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db, name="Ravi Kumar")
    await connect(client.app, asha, ravi)
    conversation_id = await start(client.app, asha, ravi, body="First")
    await act(client.app, actor_for_user(ravi), service.mark_read, conversation_id)
    hers, his = await _socket(client, db, probes, asha), await _socket(client, db, probes, ravi)
    for probe in (hers, his):
        ack = await probe.call("messages:enter", {"conversation_id": str(conversation_id)})
        assert ack == {"ok": True, "room": f"dm:{conversation_id}"}

    await send(client.app, asha, conversation_id, "Are you *there*?")
    heard = await his.next("messages:new")
    assert heard["conversation_id"] == str(conversation_id)
    assert heard["message"]["html"].strip() == "<p>Are you <em>there</em>?</p>"
    assert heard["message"]["author_name"] == "Asha Menon" and heard["message"]["mine"] is False
    assert (await his.next("messages:unread"))["unread"] == 1
    await hers.nothing("messages:unread")

    assert (await his.call("messages:typing", {"conversation_id": str(conversation_id)}))["ok"] is True
    typing = await hers.next("messages:typing")
    assert typing["name"] == "Ravi Kumar"
    await his.nothing("messages:typing")

    await act(client.app, actor_for_user(ravi), service.mark_read, conversation_id)
    receipt = await hers.next("messages:read")
    assert receipt["user_id"] == str(ravi["_id"])
    assert (await his.next("messages:unread"))["unread"] == 0

    await act(client.app, actor_for_user(asha), service.set_read_receipts, False)
    await send(client.app, asha, conversation_id, "Again")
    await act(client.app, actor_for_user(ravi), service.mark_read, conversation_id)
    await hers.nothing("messages:read")


async def test_a_participant_who_leaves_a_group_hears_no_more_on_a_socket_already_open(client: TestClient, db: Any,
                                                                                      probes: Probes) -> None:
    asha, ravi, meera = await make_user(db), await make_user(db), await make_user(db)
    for other in (ravi, meera):
        await connect(client.app, asha, other)
    conversation_id = await start(client.app, asha, ravi, meera, body="Budget review", title="Budget")
    leaving, staying = await _socket(client, db, probes, ravi), await _socket(client, db, probes, meera)
    for probe in (leaving, staying):
        assert (await probe.call("messages:enter", {"conversation_id": str(conversation_id)}))["ok"] is True
    await act(client.app, actor_for_user(ravi), service.leave, conversation_id)
    await send(client.app, asha, conversation_id, "Said after Ravi left")
    assert (await staying.next("messages:new"))["message"]["html"].strip() == "<p>Said after Ravi left</p>"
    await leaving.nothing("messages:new")
