"""Direct messages: starting a conversation (or one both people agreed to), sending, editing, deleting, reading, answering a
message request, leaving a group, and the read-receipt setting.

Every function reads and checks first (the policy, blocks, the limits), then writes in the
action's transaction, so a refusal leaves nothing. A stranger to a conversation is told it does
not exist. Live events go to the conversation's socket room (participants only,
``community.messages.sockets``); badges and read receipts go to each person's own room.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from community import api, policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import Invalid, NotFound
from community.forums import markdown
from community.i18n import gettext as _
from community.messages import queries
from community.messages.queries import CONVERSATIONS, MEMBERS, MESSAGES, SETTINGS, member_key, socket_room
from community.messages.rules import RULES, MessageRules
from community.network import queries as network
from community.notifications.intents import person as one_person
from community.policy import Member
from community.realtime.emitter import user_room
from community.storage.api import Database
from community.validation import clean_block

SUBJECT = "dm_conversation"
"""The subject of a conversation's notifications, so only its participants are told."""


def rules_of(tx: Action) -> MessageRules:
    return tx.app.get(RULES) or MessageRules()


def _check_body(tx: Action, body: str, field: str = "body") -> str:
    """The message as stored: cleaned as every text a person writes is (``validation.clean_block``:
    no control or direction-override characters), then checked against the messaging rules."""
    try:
        text = str(clean_block(body))
    except ValueError as error:
        raise Invalid({field: str(error)}) from None
    if not text:
        raise Invalid({field: _("Write a message.")})
    limit = rules_of(tx).max_length
    if len(text) > limit:
        raise Invalid({field: _("A message can be at most %(n)s characters long.", n=limit)})
    return text


async def readable(db: Database, actor: policy.Actor, conversation_id: ObjectId) -> tuple[dict[str, Any], dict[str, Any]]:
    """The conversation and the actor's membership, for a participant; NotFound for anyone else."""
    found = await queries.conversation(db, conversation_id)
    if found is None or not policy.can_read_conversation(actor, found["member_ids"]):
        raise NotFound(_("There is no such conversation."))
    assert actor.user_id is not None
    mine = await queries.membership(db, conversation_id, actor.user_id)
    if mine is None:
        raise NotFound(_("There is no such conversation."))
    return found, mine


async def _recipients(db: Database, actor: Member, to: list[ObjectId]) -> list[people.Person]:
    chosen = list(dict.fromkeys(person for person in to if person != actor.user_id))
    if not chosen:
        raise Invalid({"to": _("Choose at least one person other than yourself.")})
    found = []
    blocked = await network.blockers_among(db, actor.user_id, chosen)
    for person_id in chosen:
        person = await people.person_by_id(db, person_id)
        if person is None or not policy.can_message(actor, person, person_id in blocked):
            raise Invalid({"to": _("You cannot message one of the people you chose.")})
        found.append(person)
    return found


async def start(tx: Action, to: list[ObjectId], body: str, title: str = "") -> ObjectId:
    """Start a conversation with ``to`` (one person: the pair's direct conversation, reused) with a
    first message; returns the conversation's id. People who are not the actor's connections get
    it as a message request."""
    return await _start(tx, to, body, title, agreed=False)


async def start_agreed(tx: Action, person_id: ObjectId, body: str) -> ObjectId:
    """Open the direct conversation of two people who have both agreed to talk (the mentee asked
    for mentoring, the mentor accepts), with a first message; returns its id. It is a normal
    conversation for both, never a message request, connected or not: a request still waiting
    between them, either way, counts as accepted. A block still refuses it, as in ``start``."""
    return await _start(tx, [person_id], body, "", agreed=True)


async def _start(tx: Action, to: list[ObjectId], body: str, title: str, *, agreed: bool) -> ObjectId:
    db, actor, rules = tx.db, policy.require_member(tx.actor), rules_of(tx)
    text = _check_body(tx, body)
    if len(set(to) - {actor.user_id}) + 1 > rules.group_size:
        raise Invalid({"to": _("A group conversation can have at most %(n)s people.", n=rules.group_size)})
    others = await _recipients(db, actor, to)
    if len(others) == 1:
        existing = await queries.direct_between(db, actor.user_id, others[0]["_id"])
        if existing is not None and actor.user_id in existing["member_ids"]:
            if not agreed:
                await send(tx, existing["_id"], text)
                return existing["_id"]
            await db[MEMBERS].update_many({"conversation_id": existing["_id"], "state": "request"},
                                          {"$set": {"state": "active"}}, session=await tx.start())
            await _write_message(tx, existing, text)
            return existing["_id"]
    await ratelimit.hit(db, f"dm-start:{actor.user_id}", limit=rules.starts_per_day, window_seconds=86400)
    welcome = ({person["_id"] for person in others} if agreed
               else await network.connected_among(db, actor.user_id, [person["_id"] for person in others]))
    conversation_id = ObjectId()
    direct = len(others) == 1
    session = await tx.start()
    conversation: dict[str, Any] = {
        "_id": conversation_id, "kind": "direct" if direct else "group", "title": "" if direct else title.strip(),
        "member_ids": [actor.user_id, *[person["_id"] for person in others]], "created_by": actor.user_id,
        "created_at": tx.now, "last_at": tx.now}
    if direct:
        existing = await queries.direct_between(db, actor.user_id, others[0]["_id"])
        if existing is not None:  # the other person declined an earlier one: it ends here
            await db[CONVERSATIONS].update_one({"_id": existing["_id"]}, {"$unset": {"pair": ""}}, session=session)
        conversation["pair"] = queries.pair_hash(actor.user_id, others[0]["_id"])
    await db[CONVERSATIONS].insert_one(conversation, session=session)
    rows = [{"_id": member_key(conversation_id, actor.user_id), "conversation_id": conversation_id,
             "user_id": actor.user_id, "state": "active", "unread": 0, "read_at": tx.now, "last_at": tx.now}]
    rows += [{"_id": member_key(conversation_id, person["_id"]), "conversation_id": conversation_id,
              "user_id": person["_id"], "state": "active" if person["_id"] in welcome else "request",
              "unread": 0, "read_at": None, "last_at": tx.now} for person in others]
    await db[MEMBERS].insert_many(rows, session=session)
    await _write_message(tx, conversation, text)
    return conversation_id


async def _write_message(tx: Action, conversation: dict[str, Any], text: str) -> dict[str, Any]:
    """Store a message (the transaction is open), count it unread for the others, tell them."""
    db, session, actor = tx.db, tx.session, policy.require_member(tx.actor)
    await ratelimit.hit(db, f"dm-send:{actor.user_id}", limit=rules_of(tx).per_minute, window_seconds=60,
                        now=tx.now, session=session)
    rendered = markdown.render(text)
    message = {"_id": ObjectId(), "conversation_id": conversation["_id"], "author_id": actor.user_id, "body": text,
               "html": rendered.html, "created_at": tx.now, "edited_at": None, "deleted": False}
    await db[MESSAGES].insert_one(message, session=session)
    await db[CONVERSATIONS].update_one({"_id": conversation["_id"]}, {"$set": {"last_at": tx.now}}, session=session)
    others = [uid for uid in conversation["member_ids"] if uid != actor.user_id]
    await db[MEMBERS].update_many({"conversation_id": conversation["_id"], "user_id": {"$in": others}},
                                  {"$inc": {"unread": 1}, "$set": {"last_at": tx.now}}, session=session)
    await db[MEMBERS].update_one({"_id": member_key(conversation["_id"], actor.user_id)},
                                 {"$set": {"last_at": tx.now, "read_at": tx.now, "unread": 0}}, session=session)
    author = await people.person_by_id(db, actor.user_id)
    live = shown_message(message, {actor.user_id: author["name"] if author else None}, policy.ANONYMOUS, tx.now,
                         rules_of(tx))
    tx.emit("messages:new", {"conversation_id": str(conversation["_id"]), "message": {**live, "at": api.timestamp(tx.now)}},
            room=socket_room(conversation["_id"]))
    states = {row["user_id"]: row["state"] async for row in
              db[MEMBERS].find({"conversation_id": conversation["_id"]}, {"user_id": 1, "state": 1}, session=session)}
    for other in others:
        tx.emit("messages:unread", {"unread": await queries.unread_total(db, other, session=session)},
                room=user_room(other))
        kind = "message_request" if states.get(other) == "request" else "direct_message"
        await tx.notify(kind, to=one_person(other), subject=(SUBJECT, conversation["_id"]),
                        params={"conversation_id": str(conversation["_id"])})
    return message


async def send(tx: Action, conversation_id: ObjectId, body: str) -> dict[str, Any]:
    """Send a message in a conversation the actor takes part in."""
    db, actor = tx.db, policy.require_member(tx.actor)
    text = _check_body(tx, body)
    conversation, mine = await readable(db, actor, conversation_id)
    others = [uid for uid in conversation["member_ids"] if uid != actor.user_id]
    blocked = await blocked_with_any(db, actor.user_id, others)
    policy.require(actor, policy.can_send_message(actor, active=mine["state"] == "active", blocked=blocked,
                                                  others=len(others)),
                   _("You cannot send messages in this conversation."))
    await tx.start()
    return await _write_message(tx, conversation, text)


async def blocked_with_any(db: Database, person: ObjectId, others: list[ObjectId]) -> bool:
    """Whether a block stands between ``person`` and any of ``others``, either way."""
    return bool(await network.blockers_among(db, person, others))


async def _own_message(tx: Action, conversation_id: ObjectId, message_id: ObjectId,
                       window: Any) -> dict[str, Any]:
    actor = policy.require_member(tx.actor)
    await readable(tx.db, actor, conversation_id)
    message = await queries.message(tx.db, message_id)
    if message is None or message["conversation_id"] != conversation_id:
        raise NotFound(_("There is no such message."))
    policy.require(actor, policy.can_change_message(actor, message, tx.now, window),
                   _("This message can no longer be changed."))
    return message


async def edit(tx: Action, conversation_id: ObjectId, message_id: ObjectId, body: str) -> dict[str, Any]:
    """Change a message's text, within the edit window after sending."""
    text = _check_body(tx, body)
    message = await _own_message(tx, conversation_id, message_id, rules_of(tx).edit_window)
    html = markdown.render(text).html
    await tx.db[MESSAGES].update_one({"_id": message_id}, {"$set": {"body": text, "html": html, "edited_at": tx.now}},
                                     session=await tx.start())
    tx.emit("messages:edited", {"conversation_id": str(conversation_id), "id": str(message_id), "html": html},
            room=socket_room(conversation_id))
    return {**message, "body": text, "html": html, "edited_at": tx.now}


async def delete(tx: Action, conversation_id: ObjectId, message_id: ObjectId) -> None:
    """Delete a message for everyone, within the delete window: it stays as "deleted"."""
    await _own_message(tx, conversation_id, message_id, rules_of(tx).delete_window)
    await tx.db[MESSAGES].update_one({"_id": message_id}, {"$set": {"body": "", "html": "", "deleted": True}},
                                     session=await tx.start())
    tx.emit("messages:deleted", {"conversation_id": str(conversation_id), "id": str(message_id)},
            room=socket_room(conversation_id))


async def mark_read(tx: Action, conversation_id: ObjectId) -> int:
    """The actor has read the conversation up to now; returns their unread total left. The other
    participants who see read receipts hear of it, if the actor shows them."""
    db, actor = tx.db, policy.require_member(tx.actor)
    conversation, mine = await readable(db, actor, conversation_id)
    session = await tx.start()
    await db[MEMBERS].update_one({"_id": mine["_id"]}, {"$set": {"unread": 0, "read_at": tx.now}}, session=session)
    total = await queries.unread_total(db, actor.user_id, session=session)
    if mine["unread"]:
        tx.emit("messages:unread", {"unread": total}, room=user_room(actor.user_id))
    receipts = await queries.receipts_on(db, conversation["member_ids"])
    if receipts.get(actor.user_id) and mine["state"] == "active":
        for other in conversation["member_ids"]:
            if other != actor.user_id and receipts.get(other):
                tx.emit("messages:read", {"conversation_id": str(conversation_id), "user_id": str(actor.user_id),
                                          "at": tx.now.isoformat()}, room=user_room(other))
    return total


async def accept(tx: Action, conversation_id: ObjectId) -> None:
    """Accept a message request: the conversation moves to the person's list and they may reply."""
    actor = policy.require_member(tx.actor)
    _conversation, mine = await readable(tx.db, actor, conversation_id)
    if mine["state"] != "request":
        raise NotFound(_("There is no message request here waiting for you."))
    await tx.db[MEMBERS].update_one({"_id": mine["_id"]}, {"$set": {"state": "active"}}, session=await tx.start())


async def leave(tx: Action, conversation_id: ObjectId) -> None:
    """Decline a message request, or leave a group: the person is out of the conversation and
    can no longer read it. A direct conversation declined loses its pair key, so the two may
    start another later."""
    db, actor = tx.db, policy.require_member(tx.actor)
    conversation, mine = await readable(db, actor, conversation_id)
    if conversation["kind"] == "direct" and mine["state"] != "request":
        raise Invalid({"conversation": _("You can leave a group, or decline a message request.")})
    session = await tx.start()
    await db[MEMBERS].delete_one({"_id": mine["_id"]}, session=session)
    update: dict[str, Any] = {"$pull": {"member_ids": actor.user_id}}
    if conversation["kind"] == "direct":
        update["$unset"] = {"pair": ""}
    await db[CONVERSATIONS].update_one({"_id": conversation_id}, update, session=session)
    tx.remove_from_room(actor.user_id, queries.socket_room(conversation_id))  # a socket open on it hears no more
    if mine["unread"]:
        tx.emit("messages:unread", {"unread": await queries.unread_total(db, actor.user_id, session=session)},
                room=user_room(actor.user_id))


async def set_read_receipts(tx: Action, on: bool) -> None:
    actor = policy.require_member(tx.actor)
    await tx.db[SETTINGS].update_one({"_id": actor.user_id}, {"$set": {"read_receipts": on}}, upsert=True,
                                     session=await tx.start())


def shown_message(message: dict[str, Any], names: Mapping[ObjectId, str | None], actor: policy.Actor,
                  now: Any, rules: MessageRules) -> dict[str, Any]:
    """A message as pages, the API and the socket show it."""
    author = message.get("author_id")
    return {"id": str(message["_id"]), "author_id": str(author) if author else None,
            "author_name": names.get(author) if author else None, "html": message["html"],
            "body": message["body"] if author == actor.user_id else "",
            "at": message["created_at"], "edited": message.get("edited_at") is not None,
            "deleted": bool(message.get("deleted")), "mine": author is not None and author == actor.user_id,
            "can_edit": policy.can_change_message(actor, message, now, rules.edit_window),
            "can_delete": policy.can_change_message(actor, message, now, rules.delete_window)}
