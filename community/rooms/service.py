"""What people do in a live room: chat, questions, upvotes, raised hands, and the hosts'
moderation. Each service resolves the room for the actor (``subjects.resolve``), asks
``community.policy``, counts the attempt against its rate limit, writes in the action's
transaction and queues its live events (``tx.emit``), which go out after the commit.

Live events, all in the room's socket room unless said otherwise:
``room:message``, ``room:message_deleted``, ``room:pinned``, ``room:question`` (anonymous
questions without their author), ``room:question_author`` (hosts' room only),
``room:question_state``, ``room:hands`` (hosts' room only), ``room:slow_mode``; ``room:muted``
and ``room:hand`` to the person's own room. New counts after upvotes are folded and pushed by
``community.rooms.live`` (``room:votes``), which the handlers call after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from community import api, audit, keys, policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from community.i18n import gettext as _, ngettext
from community.realtime.emitter import user_room
from community.rooms import attendance, subjects
from community.rooms.attendance import utc
from community.rooms.schemas import AttendanceIn, MessageIn, MuteIn, QuestionIn, QuestionStateIn, SlowModeIn
from community.rooms.storage import CORRECTIONS, HANDS, MESSAGES, QUESTIONS, SANCTIONS, SETTINGS, VOTES
from community.rooms.subjects import RoomAccess, resolve
from community.validation import validate

CHAT_BURST = (8, 10)
"""At most 8 chat messages in any 10 seconds from one person, in any room: more is a flood."""
QUESTIONS_PER_MINUTE = 5
VOTES_PER_MINUTE = 60
HANDS_PER_MINUTE = 10
MODERATION_PER_MINUTE = 60


def _room_filter(found: RoomAccess) -> dict[str, Any]:
    return {"kind": found.kind, "subject_id": found.subject_id}


def _closed() -> Forbidden:
    return Forbidden(_("This room is closed: what was said can still be read, but nothing new can be added."))


async def sanctions(db: Any, found: RoomAccess, user_id: ObjectId | None, now: datetime) -> tuple[bool, datetime | None]:
    """(removed, muted until) for one person in one room."""
    if user_id is None:
        return False, None
    removed, muted = False, None
    async for row in db[SANCTIONS].find({**_room_filter(found), "user_id": user_id}):
        if row["type"] == "remove":
            removed = True
        elif utc(row["until"]) > now:
            muted = utc(row["until"])
    return removed, muted


async def _resolved(db: Any, actor: policy.Actor, kind: str, subject_id: ObjectId,
                    now: datetime) -> tuple[RoomAccess, bool, datetime | None]:
    found = await resolve(db, actor, kind, subject_id)
    removed, muted = await sanctions(db, found, actor.user_id, now)
    if not policy.can_read_room(actor, can_enter=found.can_enter, is_host=found.is_host, is_open=found.is_open,
                                can_read_after=found.can_read_after, removed=removed):
        raise NotFound(_("We could not find that room."))
    return found, removed, muted


async def room_for(db: Any, actor: policy.Actor, kind: str, subject_id: ObjectId, now: datetime) -> RoomAccess:
    """The room, if the actor may read it (NotFound otherwise, removed people included)."""
    return (await _resolved(db, actor, kind, subject_id, now))[0]


async def _taking_part(tx: Action, kind: str, subject_id: ObjectId) -> tuple[RoomAccess, policy.Member]:
    actor = policy.require_member(tx.actor)
    found, removed, muted = await _resolved(tx.db, actor, kind, subject_id, tx.now)
    if not found.is_open:
        raise _closed()
    if not policy.can_take_part_in_room(actor, can_enter=found.can_enter, is_host=found.is_host, is_open=True,
                                        removed=removed, muted_until=muted, now=tx.now):
        if muted is not None:
            minutes = max(1, int((muted - tx.now).total_seconds() // 60) + 1)
            raise Forbidden(ngettext("A host muted you in this room for %(num)d more minute.",
                                     "A host muted you in this room for %(num)d more minutes.", minutes))
        raise Forbidden(_("You cannot take part in this room."))
    return found, actor


async def _hosting(tx: Action, kind: str, subject_id: ObjectId) -> RoomAccess:
    actor = policy.require_member(tx.actor)
    found = await room_for(tx.db, actor, kind, subject_id, tx.now)
    policy.require(actor, policy.can_moderate_room(actor, is_host=found.is_host, now=tx.now),
                   _("Only the hosts can do that."))
    await ratelimit.hit(tx.db, f"room-host:{actor.user_id}", limit=MODERATION_PER_MINUTE, window_seconds=60,
                        now=tx.now)
    return found


async def slow_seconds(db: Any, found: RoomAccess) -> int:
    row = await db[SETTINGS].find_one({"_id": found.room})
    return int((row or {}).get("slow_seconds", 0))


async def names(db: Any, user_ids: set[ObjectId]) -> dict[ObjectId, str]:
    return await people.names_by_id(db, user_ids)


def message_json(message: dict[str, Any], author: str) -> dict[str, Any]:
    return {"id": str(message["_id"]), "author": author, "author_id": str(message["user_id"]),
            "body": message["body"], "at": api.timestamp(message["at"]), "pinned": bool(message.get("pinned"))}


def question_json(question: dict[str, Any], author: str, *, host: bool, voted: bool = False) -> dict[str, Any]:
    shown = author if host or not question.get("anonymous") else None
    return {"id": str(question["_id"]), "body": question["body"], "author": shown, "votes": question["votes"],
            "state": question["state"], "voted": voted, "at": api.timestamp(question["at"])}


# --- chat -------------------------------------------------------------------------------------


async def post_message(tx: Action, *, kind: str, subject_id: ObjectId, data: dict[str, Any]) -> dict[str, Any]:
    body = validate(MessageIn, data).body
    found, actor = await _taking_part(tx, kind, subject_id)
    try:
        await ratelimit.hit(tx.db, f"room-chat:{actor.user_id}", limit=CHAT_BURST[0], window_seconds=CHAT_BURST[1],
                            now=tx.now)
    except RateLimited as error:
        raise RateLimited(error.retry_after, ngettext(
            "You are sending messages too fast; wait %(num)d second before the next.",
            "You are sending messages too fast; wait %(num)d seconds before the next.", error.retry_after)) from None
    slow = await slow_seconds(tx.db, found)
    if slow and not found.is_host:
        last = await tx.db[MESSAGES].find_one({**_room_filter(found), "user_id": actor.user_id}, sort=[("_id", -1)])
        if last is not None and utc(last["at"]) > tx.now - timedelta(seconds=slow):
            wait = max(1, int((utc(last["at"]) + timedelta(seconds=slow) - tx.now).total_seconds()))
            raise RateLimited(wait, ngettext("Slow mode is on: one message every %(num)d second.",
                                             "Slow mode is on: one message every %(num)d seconds.", slow))
    message = {"_id": ObjectId(), **_room_filter(found), "user_id": actor.user_id, "body": body, "at": tx.now,
               "pinned": False, "deleted": False}
    session = await tx.start()
    await tx.db[MESSAGES].insert_one(message, session=session)
    author = (await names(tx.db, {actor.user_id})).get(actor.user_id, "")
    shown = message_json(message, author)
    tx.emit("room:message", {"room": found.room, "message": shown}, room=found.room)
    return shown


async def _message(tx: Action, found: RoomAccess, message_id: ObjectId) -> dict[str, Any]:
    message = await tx.db[MESSAGES].find_one({"_id": message_id, **_room_filter(found), "deleted": False})
    if message is None:
        raise NotFound(_("We could not find that message."))
    return message


async def delete_message(tx: Action, *, kind: str, subject_id: ObjectId, message_id: ObjectId) -> None:
    found = await _hosting(tx, kind, subject_id)
    message = await _message(tx, found, message_id)
    session = await tx.start()
    await tx.db[MESSAGES].update_one({"_id": message["_id"]}, {"$set": {"deleted": True, "pinned": False}},
                                     session=session)
    tx.emit("room:message_deleted", {"room": found.room, "id": str(message_id)}, room=found.room)


async def pin_message(tx: Action, *, kind: str, subject_id: ObjectId, message_id: ObjectId) -> None:
    found = await _hosting(tx, kind, subject_id)
    message = await _message(tx, found, message_id)
    session = await tx.start()
    await tx.db[MESSAGES].update_many({**_room_filter(found), "pinned": True}, {"$set": {"pinned": False}},
                                      session=session)
    await tx.db[MESSAGES].update_one({"_id": message["_id"]}, {"$set": {"pinned": True}}, session=session)
    author = (await names(tx.db, {message["user_id"]})).get(message["user_id"], "")
    tx.emit("room:pinned", {"room": found.room, "message": message_json({**message, "pinned": True}, author)},
            room=found.room)


async def mute(tx: Action, *, kind: str, subject_id: ObjectId, data: dict[str, Any]) -> None:
    form = validate(MuteIn, data)
    found = await _hosting(tx, kind, subject_id)
    until = tx.now + timedelta(minutes=form.minutes)
    session = await tx.start()
    await tx.db[SANCTIONS].update_one({**_room_filter(found), "user_id": ObjectId(form.user_id), "type": "mute"},
                                      {"$set": {"until": until, "by": tx.actor.user_id}}, upsert=True,
                                      session=session)
    tx.emit("room:muted", {"room": found.room, "until": api.timestamp(until)}, room=user_room(form.user_id))


async def remove_person(tx: Action, *, kind: str, subject_id: ObjectId, user_id: ObjectId) -> None:
    """The person leaves the room and cannot come back: their sockets are closed (on every
    process) and reconnect, and entering again is refused."""
    found = await _hosting(tx, kind, subject_id)
    if user_id == tx.actor.user_id:
        raise Invalid({"user_id": _("You cannot remove yourself.")})
    session = await tx.start()
    await tx.db[SANCTIONS].update_one({**_room_filter(found), "user_id": user_id, "type": "remove"},
                                      {"$set": {"until": None, "by": tx.actor.user_id}}, upsert=True, session=session)
    await tx.db[HANDS].delete_many({**_room_filter(found), "user_id": user_id}, session=session)
    tx.hang_up(user_room(user_id))


async def set_slow_mode(tx: Action, *, kind: str, subject_id: ObjectId, data: dict[str, Any]) -> int:
    seconds = validate(SlowModeIn, data).seconds
    found = await _hosting(tx, kind, subject_id)
    session = await tx.start()
    await tx.db[SETTINGS].update_one({"_id": found.room}, {"$set": {"slow_seconds": seconds}}, upsert=True,
                                     session=session)
    tx.emit("room:slow_mode", {"room": found.room, "seconds": seconds}, room=found.room)
    return seconds


# --- questions --------------------------------------------------------------------------------


async def ask(tx: Action, *, kind: str, subject_id: ObjectId, data: dict[str, Any]) -> dict[str, Any]:
    form = validate(QuestionIn, data)
    found, actor = await _taking_part(tx, kind, subject_id)
    await ratelimit.hit(tx.db, f"room-ask:{actor.user_id}", limit=QUESTIONS_PER_MINUTE, window_seconds=60, now=tx.now)
    question = {"_id": ObjectId(), **_room_filter(found), "user_id": actor.user_id, "body": form.body,
                "anonymous": form.anonymous, "votes": 0, "state": "open", "at": tx.now}
    session = await tx.start()
    await tx.db[QUESTIONS].insert_one(question, session=session)
    author = (await names(tx.db, {actor.user_id})).get(actor.user_id, "")
    tx.emit("room:question", {"room": found.room, "question": question_json(question, author, host=False)},
            room=found.room)
    if question["anonymous"]:
        tx.emit("room:question_author", {"room": found.room, "id": str(question["_id"]), "author": author},
                room=found.hosts_room)
    return question_json(question, author, host=found.is_host)


async def upvote(tx: Action, *, kind: str, subject_id: ObjectId, question_id: ObjectId) -> dict[str, Any]:
    found, actor = await _taking_part(tx, kind, subject_id)
    await ratelimit.hit(tx.db, f"room-vote:{actor.user_id}", limit=VOTES_PER_MINUTE, window_seconds=60, now=tx.now)
    question = await tx.db[QUESTIONS].find_one({"_id": question_id, **_room_filter(found)})
    if question is None:
        raise NotFound(_("We could not find that question."))
    if await tx.db[VOTES].find_one({"question_id": question_id, "user_id": actor.user_id}) is not None:
        raise Conflict(_("You already upvoted this question."))
    session = await tx.start()
    try:
        await tx.db[VOTES].insert_one({"_id": ObjectId(), "question_id": question_id, "user_id": actor.user_id,
                                       **_room_filter(found), "at": tx.now}, session=session)
    except DuplicateKeyError:
        raise Conflict(_("You already upvoted this question.")) from None
    counted = await tx.db[QUESTIONS].find_one_and_update({"_id": question_id}, {"$inc": {"votes": 1}},
                                                         return_document=ReturnDocument.AFTER, session=session)
    question["votes"] = counted["votes"]  # as this vote left it, whatever others committed since the read above
    author = (await names(tx.db, {question["user_id"]})).get(question["user_id"], "")
    return question_json(question, author, host=found.is_host, voted=True)


async def mark_question(tx: Action, *, kind: str, subject_id: ObjectId, question_id: ObjectId,
                        data: dict[str, Any]) -> str:
    """``answering`` is one question at a time: marking another puts the previous one back to open."""
    state = validate(QuestionStateIn, data).state
    found = await _hosting(tx, kind, subject_id)
    question = await tx.db[QUESTIONS].find_one({"_id": question_id, **_room_filter(found)})
    if question is None:
        raise NotFound(_("We could not find that question."))
    session = await tx.start()
    if state == "answering":
        async for other in tx.db[QUESTIONS].find({**_room_filter(found), "state": "answering"}, session=session):
            await tx.db[QUESTIONS].update_one({"_id": other["_id"]}, {"$set": {"state": "open"}}, session=session)
            tx.emit("room:question_state", {"room": found.room, "id": str(other["_id"]), "state": "open"},
                    room=found.room)
    await tx.db[QUESTIONS].update_one({"_id": question_id}, {"$set": {"state": state}}, session=session)
    tx.emit("room:question_state", {"room": found.room, "id": str(question_id), "state": state}, room=found.room)
    return state


# --- raised hands -----------------------------------------------------------------------------


async def hands(db: Any, found: RoomAccess, session: Any = None) -> list[dict[str, Any]]:
    """The raised hands, first raised first; with an action's ``session``, as that action leaves them."""
    rows = await db[HANDS].find(_room_filter(found), session=session).sort("at", 1).to_list(None)
    named = await names(db, {row["user_id"] for row in rows})
    return [{"user_id": str(row["user_id"]), "name": named.get(row["user_id"], ""), "at": api.timestamp(row["at"])}
            for row in rows]


async def _hands_changed(tx: Action, found: RoomAccess) -> None:
    tx.emit("room:hands", {"room": found.room, "hands": await hands(tx.db, found, tx.session)}, room=found.hosts_room)


async def raise_hand(tx: Action, *, kind: str, subject_id: ObjectId, raised: bool) -> bool:
    """Raise (once; raising again keeps the first place in the queue) or lower one's own hand."""
    found, actor = await _taking_part(tx, kind, subject_id)
    await ratelimit.hit(tx.db, f"room-hand:{actor.user_id}", limit=HANDS_PER_MINUTE, window_seconds=60, now=tx.now)
    session = await tx.start()
    key = {**_room_filter(found), "user_id": actor.user_id}
    if raised:
        await tx.db[HANDS].update_one(key, {"$setOnInsert": {"at": tx.now}}, upsert=True, session=session)
    else:
        await tx.db[HANDS].delete_one(key, session=session)
    tx.emit("room:hand", {"room": found.room, "raised": raised}, room=user_room(actor.user_id))
    await _hands_changed(tx, found)
    return raised


async def clear_hand(tx: Action, *, kind: str, subject_id: ObjectId, user_id: ObjectId | None) -> None:
    """A host lowers one person's hand, or every hand (``user_id`` None)."""
    found = await _hosting(tx, kind, subject_id)
    session = await tx.start()
    await tx.db[HANDS].delete_many({**_room_filter(found), **({"user_id": user_id} if user_id else {})},
                                   session=session)
    await _hands_changed(tx, found)


# --- attendance corrections -------------------------------------------------------------------


async def correct_attendance(tx: Action, *, kind: str, subject_id: ObjectId, data: dict[str, Any]) -> None:
    """A host states whether a person attended, whatever presence recorded; audited."""
    form = validate(AttendanceIn, data)
    actor = policy.require_member(tx.actor)
    found = await room_for(tx.db, actor, kind, subject_id, tx.now)
    policy.require(actor, policy.can_correct_attendance(actor, is_host=found.is_host, now=tx.now),
                   _("Only the hosts can do that."))
    person = ObjectId(form.user_id)
    if await people.person_by_id(tx.db, person) is None:
        raise Invalid({"user_id": _("We could not find that person.")})
    before = (await attendance.report(tx.db, found, tx.app[keys.SETTINGS].room_attended_share, now=tx.now)).get(person)
    session = await tx.start()
    await tx.db[CORRECTIONS].update_one({**_room_filter(found), "user_id": person},
                                        {"$set": {"attended": form.attended, "by": actor.user_id, "at": tx.now,
                                                  "reason": form.reason}}, upsert=True, session=session)
    await audit.record(tx.db, actor=actor, action="room.attendance_corrected", target_type="user", target_id=person,
                       reason=form.reason, details={"kind": found.kind, "subject_id": str(found.subject_id),
                                                    "attended": form.attended,
                                                    "was": before.attended if before else False},
                       session=session)
    corrected = subjects.CORRECTED.get(found.kind)
    if corrected is not None:
        await corrected(tx, found.subject_id)
