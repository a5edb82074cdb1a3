"""An event's live room and certificates: who enters when, who reads the record after, and a
certificate of attendance for whoever was present for the attended share, on the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community.certificates import service as certificates
from community.errors import Forbidden
from community.events import live, service
from community.events.queries import EVENTS
from community.rooms import attendance
from tests.events.conftest import as_actor, event_in
from tests.factories import act, make_user


async def _event(db: Any) -> tuple[dict[str, Any], ObjectId]:
    host = await make_user(db, roles=("expert",), name="Dr Meenakshi Sundaram")
    event_id = await act(db, as_actor(host), service.create, event_in(title="Writing a cabinet note"))
    await act(db, as_actor(host), service.publish, event_id)
    return host, event_id


async def _move(db: Any, event_id: ObjectId, start: timedelta, end: timedelta) -> datetime:
    now = datetime.now(UTC)
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": now + start, "end_at": now + end}})
    return now


async def test_the_room_opens_to_hosts_and_people_going_shortly_before_the_start(bare_db: Any) -> None:
    host, event_id = await _event(bare_db)
    going, other = await make_user(bare_db), await make_user(bare_db)
    await act(bare_db, as_actor(going), service.rsvp, event_id, "going")
    early = await live.resolve_room(bare_db, as_actor(going), event_id)
    assert early is not None and early.can_enter and not early.is_open, "two days ahead the room is not open yet"
    await _move(bare_db, event_id, timedelta(minutes=10), timedelta(minutes=70))
    room = await live.resolve_room(bare_db, as_actor(going), event_id)
    assert room is not None and room.is_open and room.can_enter and not room.is_host
    hosting = await live.resolve_room(bare_db, as_actor(host), event_id)
    assert hosting is not None and hosting.is_host and hosting.can_enter
    outsider = await live.resolve_room(bare_db, as_actor(other), event_id)
    assert outsider is not None and not outsider.can_enter


async def test_who_attended_reads_the_record_and_gets_a_certificate(bare_db: Any) -> None:
    live.use_attended_share(0.5)
    host, event_id = await _event(bare_db)
    stayed, dropped_in = await make_user(bare_db, name="क्षितिज श्रीवास्तव"), await make_user(bare_db)
    for person in (stayed, dropped_in):
        await act(bare_db, as_actor(person), service.rsvp, event_id, "going")
    now = await _move(bare_db, event_id, timedelta(hours=-2), timedelta(hours=-1))
    start = now - timedelta(hours=2)
    await attendance.joined(bare_db, live.KIND, event_id, stayed["_id"], start)
    await attendance.left(bare_db, live.KIND, event_id, stayed["_id"], start + timedelta(minutes=40))
    await attendance.joined(bare_db, live.KIND, event_id, dropped_in["_id"], start)
    await attendance.left(bare_db, live.KIND, event_id, dropped_in["_id"], start + timedelta(minutes=10))

    after = await live.resolve_room(bare_db, as_actor(stayed), event_id)
    assert after is not None and not after.is_open and after.can_read_after
    missed = await live.resolve_room(bare_db, as_actor(dropped_in), event_id)
    assert missed is not None and not missed.can_read_after

    issued = await act(bare_db, as_actor(stayed), live.claim_certificate, event_id)
    assert (issued.name, issued.title, issued.host_name, issued.hours) == (
        "क्षितिज श्रीवास्तव", "Writing a cabinet note", "Dr Meenakshi Sundaram", 1.0)
    again = await act(bare_db, as_actor(stayed), live.claim_certificate, event_id)
    assert again.code == issued.code, "one certificate per person and event"
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(dropped_in), live.claim_certificate, event_id)
    assert [c.code for c in await certificates.of_person(bare_db, dropped_in["_id"])] == []
