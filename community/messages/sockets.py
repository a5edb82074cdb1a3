"""Direct messages on the shared socket namespace.

``messages:enter`` asks ``community.policy`` (through the same ``service.readable`` as the pages),
so only a participant joins a conversation's room (``dm:<id>``), where new, edited and deleted
messages and typing are pushed; anyone else is told there is no such conversation and joins
nothing. ``messages:typing`` tells the room that a participant is writing, sent by the page at
most every few seconds.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId
from pydantic import BaseModel, ConfigDict, Field

from community.accounts import people
from community.errors import NotFound
from community.i18n import N_
from community.messages import queries, service
from community.realtime.server import add_handler
from community.validation import validate


class ConversationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(pattern=r"^[0-9a-f]{24}$")


async def enter(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    ref = validate(ConversationRef, data)
    actor = await namespace.fresh_actor(session)
    conversation_id = ObjectId(ref.conversation_id)
    await service.readable(session["db"], actor, conversation_id)
    room = queries.socket_room(conversation_id)
    await namespace.admit(sid, session, room, actor)
    return {"room": room}


async def leave(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    ref = validate(ConversationRef, data)
    room = queries.socket_room(ObjectId(ref.conversation_id))
    await namespace.depart(sid, session, room)
    return {"room": room}


async def typing(namespace: Any, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    ref = validate(ConversationRef, data)
    conversation_id = ObjectId(ref.conversation_id)
    room = queries.socket_room(conversation_id)
    if room not in session["rooms"]:
        raise NotFound(N_("Join the room first."))
    actor = await namespace.fresh_actor(session)
    _conversation, mine = await service.readable(session["db"], actor, conversation_id)
    if mine["state"] != "active":
        raise NotFound(N_("Join the room first."))
    name = await people.name_of(session["db"], actor.user_id)
    await namespace.emit("messages:typing", {"conversation_id": ref.conversation_id, "user_id": str(actor.user_id),
                                             "name": name}, room=room, skip_sid=sid)
    return {"room": room}


def setup(app: web.Application) -> None:
    add_handler(app, "messages:enter", enter)
    add_handler(app, "messages:leave", leave)
    add_handler(app, "messages:typing", typing)
