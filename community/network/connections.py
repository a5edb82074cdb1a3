"""Connections, follows and blocks between people: the network's writes.

Each function checks first (the person exists and is not erased, is not the actor, no block lies
between them, the actor's request rate) and only then writes, so a refusal leaves nothing.
A request expires after ``NetworkRules.request_days`` through a job keyed by the pair,
cancelled when the request is answered or withdrawn.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from community import policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.network import notices, queries
from community.network.rules import RULES
from community.network.queries import BLOCKS, CONNECTIONS, FOLLOWS, block_key, follow_key, pair_key
from community.network.schemas import ConnectionRequestIn, ConnectionState
from community.notifications.intents import person as one_person
from community.policy import Actor
from community.storage.api import Database

EXPIRY_JOB = "network.request_expiry"
TOGGLES_PER_HOUR = 200
"""Follows and blocks a person may change in an hour."""


def expiry_key(request_id: ObjectId) -> str:
    """The expiry job's key: the request's own id, so the job names nobody (erasure leaves it to
    run on a request that is gone, which does nothing)."""
    return f"network.request:{request_id}"


async def _other(db: Database, actor: Actor, person_id: ObjectId, field: str = "person") -> people.Person:
    """The person acted on: a live account that is not the actor."""
    if person_id == actor.user_id:
        raise Invalid({field: _("That is your own profile.")})
    person = await people.person_by_id(db, person_id)
    if person is None or person["deleted"]:
        raise NotFound(_("There is no such member."))
    return person


async def relation(db: Database, actor: Actor, person_id: ObjectId) -> dict[str, Any]:
    """Where ``actor`` stands with a person: what the profile page's buttons and the API show."""
    person = await people.person_by_id(db, person_id)
    me = actor.user_id
    if me is None or person is None or person_id == me:
        return {"connection": "none", "note": "", "following": False, "blocked": False,
                "can_connect": False, "can_follow": False, "can_block": False}
    blocked = await queries.blocked_between(db, me, person_id)
    row = await queries.connection(db, me, person_id)
    state: ConnectionState = "none"
    if row is not None:
        state = "connected" if row["status"] == "accepted" else "sent" if row["a"] == me else "received"
    allowed = policy.can_connect(actor, person, blocked)
    note = (row.get("note") or "") if row is not None and state == "received" else ""
    return {"connection": state, "note": note,
            "following": await queries.is_following(db, me, person_id),
            "blocked": await queries.has_blocked(db, me, person_id),
            "can_connect": allowed, "can_follow": policy.can_follow_person(actor, person, blocked),
            "can_block": policy.can_block(actor, person)}


async def request_connection(tx: Action, person_id: ObjectId, request: ConnectionRequestIn) -> ConnectionState:
    """Ask a person to connect; returns ``sent``, or ``connected`` when they had asked the actor.

    Asking again while a request waits, or once connected, changes nothing. Both asking at once
    meet on the pair's one document: whichever writes second finds the other's request and
    accepts it."""
    db, actor = tx.db, policy.require_member(tx.actor)
    person = await _other(db, actor, person_id, "note")
    blocked = await queries.blocked_between(db, actor.user_id, person_id)
    policy.require(actor, policy.can_connect(actor, person, blocked), _("You cannot connect with this member."))
    existing = await queries.connection(db, actor.user_id, person_id)
    if existing is not None and (existing["status"] == "accepted" or existing["a"] == actor.user_id):
        return "connected" if existing["status"] == "accepted" else "sent"
    if existing is None:
        await ratelimit.hit(db, f"network-request:{actor.user_id}", limit=tx.app[RULES].requests_per_day,
                            window_seconds=86400)
    key, request_id = pair_key(actor.user_id, person_id), ObjectId()
    expires_at = tx.now + timedelta(days=tx.app[RULES].request_days)
    session = await tx.start()
    written = await db[CONNECTIONS].update_one({"_id": key}, {"$setOnInsert": {
        "a": actor.user_id, "b": person_id, "status": "pending", "note": request.note, "requested_at": tx.now,
        "accepted_at": None, "expires_at": expires_at, "request_id": request_id}}, upsert=True, session=session)
    if written.upserted_id is not None:
        await tx.schedule(EXPIRY_JOB, expires_at, {"request_id": request_id}, key=expiry_key(request_id))
        await tx.notify("connection_request", to=one_person(person_id), subject=(notices.REQUEST, request_id), params={})
        return "sent"
    current = await db[CONNECTIONS].find_one({"_id": key}, session=session)
    if current is not None and current["status"] == "pending" and current["a"] == person_id:
        await _accept(tx, current, session)
        return "connected"
    return "connected" if current is not None and current["status"] == "accepted" else "sent"


async def _accept(tx: Action, row: dict[str, Any], session: Any) -> None:
    await tx.db[CONNECTIONS].update_one({"_id": row["_id"], "status": "pending"}, {"$set": {
        "status": "accepted", "accepted_at": tx.now, "expires_at": None}}, session=session)
    await tx.cancel(expiry_key(row["request_id"]))
    await tx.notify("connection_accepted", to=one_person(row["a"]), subject=(notices.REQUEST, row.get("request_id")),
                    params={})


async def _request_from(db: Database, actor: Actor, person_id: ObjectId) -> dict[str, Any]:
    row = await queries.connection(db, person_id, actor.user_id) if actor.user_id is not None else None
    if row is None or row["status"] != "pending" or row["b"] != actor.user_id:
        raise NotFound(_("There is no request from this member waiting for you."))
    return row


async def accept(tx: Action, person_id: ObjectId) -> None:
    """Accept the request ``person_id`` sent the actor."""
    row = await _request_from(tx.db, policy.require_member(tx.actor), person_id)
    await _accept(tx, row, await tx.start())


async def decline(tx: Action, person_id: ObjectId) -> None:
    """Decline a request; the person who asked is not told, and may ask again later."""
    row = await _request_from(tx.db, policy.require_member(tx.actor), person_id)
    await _drop(tx, row, "pending")


async def withdraw(tx: Action, person_id: ObjectId) -> None:
    actor = policy.require_member(tx.actor)
    row = await queries.connection(tx.db, actor.user_id, person_id)
    if row is None or row["status"] != "pending" or row["a"] != actor.user_id:
        raise NotFound(_("You have no request waiting with this member."))
    await _drop(tx, row, "pending")


async def remove(tx: Action, person_id: ObjectId) -> None:
    """End a connection; the other person is not told."""
    actor = policy.require_member(tx.actor)
    row = await queries.connection(tx.db, actor.user_id, person_id)
    if row is None or row["status"] != "accepted":
        raise NotFound(_("You are not connected with this member."))
    await _drop(tx, row, "accepted")


async def disconnect(tx: Action, person_id: ObjectId) -> None:
    """Withdraw the actor's waiting request to a person, or end the connection with them."""
    actor = policy.require_member(tx.actor)
    row = await queries.connection(tx.db, actor.user_id, person_id)
    if row is not None and row["status"] == "pending" and row["a"] == actor.user_id:
        await _drop(tx, row, "pending")
    elif row is not None and row["status"] == "accepted":
        await _drop(tx, row, "accepted")
    else:
        raise NotFound(_("You are not connected with this member."))


async def _drop(tx: Action, row: dict[str, Any], status: str) -> None:
    await tx.db[CONNECTIONS].delete_one({"_id": row["_id"], "status": status}, session=await tx.start())
    if status == "pending":
        await tx.cancel(expiry_key(row["request_id"]))


async def set_following(tx: Action, person_id: ObjectId, following: bool) -> bool:
    """Follow a person or stop; returns whether anything changed."""
    db, actor = tx.db, policy.require_member(tx.actor)
    if following:
        person = await _other(db, actor, person_id)
        blocked = await queries.blocked_between(db, actor.user_id, person_id)
        policy.require(actor, policy.can_follow_person(actor, person, blocked), _("You cannot follow this member."))
    await ratelimit.hit(db, f"network-toggle:{actor.user_id}", limit=TOGGLES_PER_HOUR, window_seconds=3600)
    session = await tx.start()
    key = follow_key(actor.user_id, person_id)
    if following:
        written = await db[FOLLOWS].update_one({"_id": key}, {"$setOnInsert": {
            "follower_id": actor.user_id, "followed_id": person_id, "at": tx.now}}, upsert=True, session=session)
        return written.upserted_id is not None
    return (await db[FOLLOWS].delete_one({"_id": key}, session=session)).deleted_count == 1


async def set_blocked(tx: Action, person_id: ObjectId, blocked: bool) -> bool:
    """Block a person or lift the block; returns whether anything changed.

    A block ends the pair's connection or waiting request and both follows at once; lifting it
    brings none of them back."""
    db, actor = tx.db, policy.require_member(tx.actor)
    if blocked:
        person = await _other(db, actor, person_id)
        policy.require(actor, policy.can_block(actor, person))
    await ratelimit.hit(db, f"network-toggle:{actor.user_id}", limit=TOGGLES_PER_HOUR, window_seconds=3600)
    session = await tx.start()
    key = block_key(actor.user_id, person_id)
    if not blocked:
        return (await db[BLOCKS].delete_one({"_id": key}, session=session)).deleted_count == 1
    written = await db[BLOCKS].update_one({"_id": key}, {"$setOnInsert": {
        "blocker_id": actor.user_id, "blocked_id": person_id, "at": tx.now}}, upsert=True, session=session)
    pair = pair_key(actor.user_id, person_id)
    ended = await db[CONNECTIONS].find_one({"_id": pair}, {"status": 1, "request_id": 1}, session=session)
    await db[CONNECTIONS].delete_one({"_id": pair}, session=session)
    if ended is not None and ended["status"] == "pending":
        await tx.cancel(expiry_key(ended["request_id"]))
    await db[FOLLOWS].delete_many({"_id": {"$in": [follow_key(actor.user_id, person_id),
                                                   follow_key(person_id, actor.user_id)]}}, session=session)
    return written.upserted_id is not None


async def _expire(run: JobRun) -> None:
    """A request still waiting when its time is up is dropped (an answered one cancelled the job)."""
    await run.db[CONNECTIONS].delete_one({"request_id": run.payload["request_id"], "status": "pending"})


register(EXPIRY_JOB, _expire, label=N_("End a connection request nobody answered"))
