"""Whoever an edit takes off an event (an invitee uninvited, a co-host removed) leaves at once the
event's socket rooms the policy no longer lets them be in, told so, with real Socket.IO clients:
the live room, its hosts' part, and the event page's room. Their sockets stay connected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.events.queries import EVENTS, RSVPS
from community.rooms.storage import ATTENDANCE
from tests.events.conftest import local
from tests.factories import bearer_token, make_user
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]
SOON = {"title": "Cadre review clinic", "description": "", "start": local(timedelta(minutes=10)),
        "end": local(timedelta(minutes=70)), "zone": "Asia/Kolkata", "capacity": 10, "place": "link",
        "link": "https://meet.example.gov.in/cadre", "language": "en"}
"""An event whose live room is open already (it opens a quarter of an hour before the start)."""


async def _person(db: Any, **fields: Any) -> dict[str, Any]:
    user = await make_user(db, **fields)
    user["headers"] = {"Authorization": f"Bearer {await bearer_token(db, user)}"}
    return user


async def _published(client: TestClient, host: dict[str, Any], **fields: Any) -> str:
    created = await client.post("/api/v1/events", json={**SOON, **fields}, headers=host["headers"])
    assert created.status == 201, await created.text()
    event_id = (await created.json())["id"]
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=host["headers"])).status == 200
    return str(event_id)


async def _socket(client: TestClient, probes: Probes, person: dict[str, Any]) -> SocketProbe:
    return await probes().connect(server_url(client), token=person["headers"]["Authorization"].split()[1])


async def _going(client: TestClient, event_id: str, person: dict[str, Any]) -> None:
    answered = await client.put(f"/api/v1/events/{event_id}/rsvp", json={"status": "going"}, headers=person["headers"])
    assert answered.status == 200, await answered.text()


async def _in_both_rooms(client: TestClient, probes: Probes, event_id: str,
                         *people: dict[str, Any]) -> list[SocketProbe]:
    """Each of ``people`` going, with a socket in the event page's room and in the live room."""
    sockets = []
    for person in people:
        await _going(client, event_id, person)
        sockets.append(probe := await _socket(client, probes, person))
        assert (await probe.call("join", {"room": f"event:{event_id}"}))["ok"] is True
        assert (await probe.call("room:enter", {"kind": "event", "subject_id": event_id}))["ok"] is True
    return sockets


async def test_an_uninvited_invitee_leaves_the_live_room_and_the_event_page_at_once(client: TestClient, db: Any,
                                                                                   probes: Probes) -> None:
    host = await _person(db, roles=("expert",))
    asha = await _person(db, email="asha@example.gov.in", name="Asha Verma")
    bala = await _person(db, email="bala@example.gov.in", name="Bala Iyer")
    event_id = await _published(client, host, audience="invitation", invite=["asha@example.gov.in", "bala@example.gov.in"])
    ref = {"kind": "event", "subject_id": event_id}
    removed, staying = await _in_both_rooms(client, probes, event_id, asha, bala)

    with actions.capture() as captured:
        changed = await client.put(f"/api/v1/events/{event_id}", json={
            **SOON, "audience": "invitation", "uninvite": [str(asha["_id"])]}, headers=host["headers"])
    assert changed.status == 200, await changed.text()
    assert captured.removed_from_rooms == [(str(asha["_id"]), f"event:{event_id}"),
                                           (str(asha["_id"]), f"room:event:{event_id}")]
    told = {(await removed.next("room:removed"))["room"], (await removed.next("room:removed"))["room"]}
    assert told == {f"event:{event_id}", f"room:event:{event_id}"}
    assert removed.sio.connected, "only those rooms are left; the socket stays"
    who = await removed.call("room:who", ref)
    assert who["ok"] is False and who["error"]["status"] == 404, "no longer in the room"
    assert (await removed.call("presence", {"room": f"event:{event_id}"}))["ok"] is False
    said = await staying.call("room:message", {**ref, "body": "Shall we begin?"})
    assert said["ok"] is True
    await removed.nothing("room:message")
    assert (await staying.call("room:who", ref))["people"] == ["Bala Iyer"], "counted gone at once"
    left = await db[ATTENDANCE].find_one({"subject_id": ObjectId(event_id), "user_id": asha["_id"]})
    assert left is not None and left["left_at"] is not None, "their stay in the room is closed"
    again = await removed.call("room:enter", ref)
    assert again["ok"] is False, "and they cannot come back"


async def test_a_removed_cohost_leaves_the_hosts_part_or_the_whole_room_as_the_policy_says(
        client: TestClient, db: Any, probes: Probes) -> None:
    host = await _person(db, roles=("expert",))
    going = await _person(db, email="going@example.gov.in", name="Kavita Menon")
    absent = await _person(db, email="absent@example.gov.in", name="Ravi Kumar")
    event_id = await _published(client, host, cohosts=["going@example.gov.in", "absent@example.gov.in"])
    ref = {"kind": "event", "subject_id": event_id}
    await _going(client, event_id, going)
    still_going, not_going = await _socket(client, probes, going), await _socket(client, probes, absent)
    for probe in (still_going, not_going):
        entered = await probe.call("room:enter", ref)
        assert entered["ok"] is True and entered["host"] is True
    changed = await client.put(f"/api/v1/events/{event_id}", json={
        **SOON, "remove_cohost_ids": [str(going["_id"]), str(absent["_id"])]}, headers=host["headers"])
    assert changed.status == 200, await changed.text()
    assert (await still_going.next("room:removed"))["room"] == f"room:event:{event_id}:hosts"
    assert (await not_going.next("room:removed"))["room"] == f"room:event:{event_id}"
    assert (await still_going.call("room:who", ref))["ok"] is True, "going, so still in the room"
    assert (await not_going.call("room:who", ref))["ok"] is False
    asker = await _person(db)
    await _going(client, event_id, asker)
    raised = await (await _socket(client, probes, asker)).call("room:hand", {**ref, "raised": True})
    assert raised["ok"] is True
    await still_going.nothing("room:hands")
    assert still_going.sio.connected and not_going.sio.connected


async def test_when_the_audience_narrows_those_outside_it_lose_their_seat_and_leave_the_rooms_at_once(
        client: TestClient, db: Any, probes: Probes) -> None:
    host = await _person(db, roles=("expert",))
    asha = await _person(db, email="asha@example.gov.in", name="Asha Verma")
    bala = await _person(db, email="bala@example.gov.in", name="Bala Iyer")
    event_id = await _published(client, host)
    ref = {"kind": "event", "subject_id": event_id}
    outside, invited = await _in_both_rooms(client, probes, event_id, asha, bala)
    with actions.capture() as captured:
        changed = await client.put(f"/api/v1/events/{event_id}", json={
            **SOON, "audience": "invitation", "invite": ["bala@example.gov.in"]}, headers=host["headers"])
    assert changed.status == 200, await changed.text()
    assert sorted(captured.removed_from_rooms) == [(str(asha["_id"]), f"event:{event_id}"),
                                                   (str(asha["_id"]), f"room:event:{event_id}")]
    told = {(await outside.next("room:removed"))["room"], (await outside.next("room:removed"))["room"]}
    assert told == {f"event:{event_id}", f"room:event:{event_id}"}
    assert (await invited.call("room:message", {**ref, "body": "Only the invited now"}))["ok"] is True
    await outside.nothing("room:message")
    assert (await invited.call("room:who", ref))["people"] == ["Bala Iyer"]
    assert (await outside.call("room:enter", ref))["ok"] is False
    answers = {row["user_id"]: row["status"] async for row in db[RSVPS].find({"event_id": ObjectId(event_id)})}
    assert answers == {bala["_id"]: "going"}, "the answer of whoever the audience leaves out is dropped"
    assert (await db[EVENTS].find_one({"_id": ObjectId(event_id)}))["going"] == 1, "and their seat freed"


async def test_a_person_who_stops_going_leaves_the_live_room_at_once_and_keeps_the_page(client: TestClient, db: Any,
                                                                                      probes: Probes) -> None:
    host = await _person(db, roles=("expert",))
    asha, bala = await _person(db, name="Asha Verma"), await _person(db, name="Bala Iyer")
    event_id = await _published(client, host)
    ref = {"kind": "event", "subject_id": event_id}
    leaving, staying = await _in_both_rooms(client, probes, event_id, asha, bala)
    with actions.capture() as captured:
        answered = await client.put(f"/api/v1/events/{event_id}/rsvp", json={"status": "not_going"},
                                    headers=asha["headers"])
    assert answered.status == 200, await answered.text()
    assert captured.removed_from_rooms == [(str(asha["_id"]), f"room:event:{event_id}")]
    assert (await leaving.next("room:removed"))["room"] == f"room:event:{event_id}"
    assert (await staying.call("room:message", {**ref, "body": "Shall we begin?"}))["ok"] is True
    await leaving.nothing("room:message")
    assert (await staying.call("room:who", ref))["people"] == ["Bala Iyer"], "counted gone at once"
    assert (await leaving.call("presence", {"room": f"event:{event_id}"}))["ok"] is True, "the event's page still updates"
