"""Live rooms on the shared socket namespace.

``room:enter`` asks the room's subject and ``community.policy`` (the same ``room_for`` as the
page), so someone who may not be in the room is refused and joins nothing; hosts also join the
hosts' room (raised hands, anonymous askers). Entering counts the person present
(``community.realtime.presence``), and a first arrival and a last departure are stored as
attendance. The other events go through the same services as the page and the API.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId

from community import actions, keys
from community.errors import NotFound
from community.i18n import N_
from community.policy import Actor, Member
from community.realtime.server import NAMESPACE, PRESENCE, add_handler
from community.rooms import attendance, live, service
from community.rooms.subjects import socket_room
from community.rooms.schemas import HandEvent, MessageEvent, QuestionEvent, RoomRef, TargetEvent
from community.validation import validate


def _subject_of(room: str) -> tuple[str, ObjectId] | None:
    parts = room.split(":")
    if len(parts) != 3 or parts[0] != "room":
        return None
    return parts[1], ObjectId(parts[2])


async def _arrived(session: dict[str, Any], room: str, actor: Actor) -> None:
    subject = _subject_of(room)
    if subject is not None and isinstance(actor, Member):
        await attendance.joined(session["db"], *subject, actor.user_id, session["app"][keys.CLOCK]())


async def _gone(session: dict[str, Any], room: str, actor: Actor) -> None:
    subject = _subject_of(room)
    if subject is not None and isinstance(actor, Member):
        await attendance.left(session["db"], *subject, actor.user_id, session["app"][keys.CLOCK]())


async def enter(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    ref = validate(RoomRef, data)
    actor = await namespace.fresh_actor(session)
    now = session["app"][keys.CLOCK]()
    found = await service.room_for(session["db"], actor, ref.kind, ObjectId(ref.subject_id), now)
    if not found.is_open:
        raise NotFound(N_("This room is not live now."))
    present = await namespace.admit(sid, session, found.room, actor)
    if found.is_host:
        await namespace.enter_room(sid, found.hosts_room)
    return {"room": found.room, "present": present, "host": found.is_host}


async def leave(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    ref = validate(RoomRef, data)
    room = socket_room(ref.kind, ObjectId(ref.subject_id))
    await namespace.leave_room(sid, room + ":hosts")
    await namespace.depart(sid, session, room)
    return {"room": room}


async def _run(namespace: Any, session: dict[str, Any], service_fn: Any, **kwargs: Any) -> Any:
    actor = await namespace.fresh_actor(session)
    return await actions.run(session["app"], actor, service_fn, **kwargs)


async def message(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    event = validate(MessageEvent, data)
    shown = await _run(namespace, session, service.post_message, kind=event.kind,
                       subject_id=ObjectId(event.subject_id), data={"body": event.body})
    return {"message": shown}


async def ask(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    event = validate(QuestionEvent, data)
    shown = await _run(namespace, session, service.ask, kind=event.kind, subject_id=ObjectId(event.subject_id),
                       data={"body": event.body, "anonymous": event.anonymous})
    return {"question": shown}


async def upvote(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    event = validate(TargetEvent, data)
    subject_id = ObjectId(event.subject_id)
    shown = await _run(namespace, session, service.upvote, kind=event.kind, subject_id=subject_id,
                       question_id=ObjectId(event.target_id))
    session["app"][live.PUSHES].changed(socket_room(event.kind, subject_id), shown["id"], shown["votes"])
    return {"question": shown}


async def hand(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    event = validate(HandEvent, data)
    raised = await _run(namespace, session, service.raise_hand, kind=event.kind,
                        subject_id=ObjectId(event.subject_id), raised=event.raised)
    return {"raised": raised}


async def who(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Who is in the room now, by name (for people in it)."""
    ref = validate(RoomRef, data)
    room = socket_room(ref.kind, ObjectId(ref.subject_id))
    if room not in session["rooms"]:
        raise NotFound(N_("Join the room first."))
    people = await session["app"][PRESENCE].people(room)
    named = await service.names(session["db"], {ObjectId(person) for person in people})
    return {"room": room, "present": len(people), "people": sorted(named.values())}


def setup(app: web.Application) -> None:
    namespace = app[NAMESPACE]
    namespace.arrived_hooks.append(_arrived)
    namespace.gone_hooks.append(_gone)
    add_handler(app, "room:enter", enter)
    add_handler(app, "room:leave", leave)
    add_handler(app, "room:message", message)
    add_handler(app, "room:ask", ask)
    add_handler(app, "room:upvote", upvote)
    add_handler(app, "room:hand", hand)
    add_handler(app, "room:who", who)
