"""Writing polls: keeping a subject's polls in step with its text, voting, closing and reopening.

A poll is ``{_id, subject_type, subject_id, name, kind, options, min, max, results, public,
close_at, closed, closed_at, created_at, updated_at}``, and one added by hand (:func:`create`,
a live room's host) also holds its ``question``; options are numbered by position, so
a vote is ``{poll_id, user_id, choices: [positions], at}``. One vote document per person and
poll (a unique index), written by one upsert that hands back what it replaced: a second vote
replaces the first, and two clicks at once leave one vote. The counts move in the same
transaction (``community.polls.tallies``), by what the upsert replaced, so they stay exact.

Closing at a set time is a job under ``poll.close:<id>`` (``community.polls.jobs``): moved when
an edit moves the time, cancelled when the poll is closed by hand or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument

from community import policy, ratelimit
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.policy import Actor
from community.polls import subjects, tallies
from community.polls.blocks import BlockError, PollSpec, build
from community.polls.subjects import Access
from community.storage.api import Database

POLLS = "polls"
VOTES = "poll_votes"
CLOSE_JOB = "poll.close"
VOTES_PER_MINUTE = 30
"""Votes, changes and withdrawals one person may make a minute, over every poll."""
CREATED_PER_MINUTE = 10
"""Polls one person may add by hand in a minute, over every subject."""
MAX_CREATED = 50
"""Polls added by hand that one subject may hold."""
MAX_QUESTION = 300


def close_key(poll_id: ObjectId) -> str:
    return f"{CLOSE_JOB}:{poll_id}"


def stored_close_at(poll: dict[str, Any]) -> datetime | None:
    """The poll's closing time with its zone (the store gives back UTC without it)."""
    close_at = poll.get("close_at")
    return close_at.replace(tzinfo=UTC) if close_at is not None and close_at.tzinfo is None else close_at


def poll_id_of(raw: str) -> ObjectId:
    try:
        return ObjectId(raw)
    except (InvalidId, TypeError):
        raise NotFound(_("We could not find that poll.")) from None


async def access_poll(db: Database, actor: Actor, poll_id: ObjectId) -> tuple[dict[str, Any], Access]:
    """The poll and the actor's access to its subject, in one step; NotFound when they may not see it."""
    poll = await db[POLLS].find_one({"_id": poll_id})
    if poll is None:
        raise NotFound(_("We could not find that poll."))
    return poll, await subjects.access(db, actor, poll["subject_type"], poll["subject_id"])


# --- a subject's polls, from its text -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """A subject's polls as its new text asks, checked against those it has."""

    subject_type: str
    subject_id: ObjectId
    specs: tuple[PollSpec, ...]
    existing: dict[str, dict[str, Any]]


async def close_times(db: Database, subject_type: str, subject_id: ObjectId) -> frozenset[datetime]:
    """The closing times a subject's polls have now."""
    found = [stored_close_at(poll) async for poll in db[POLLS].find({"subject_type": subject_type,
                                                                     "subject_id": subject_id}, {"close_at": 1})]
    return frozenset(when for when in found if when is not None)


def _counts_the_same(spec: PollSpec, poll: dict[str, Any]) -> bool:
    return (spec.kind == poll["kind"] and len(spec.options) == len(poll["options"]) and spec.min == poll["min"]
            and spec.max == poll["max"] and spec.public == poll["public"])


async def check_sync(db: Database, subject_type: str, subject_id: ObjectId, specs: Sequence[PollSpec]) -> SyncPlan:
    """Refuse (:class:`BlockError`) a change that would alter votes already cast: once a poll has
    votes its options may be corrected (the same number of them, as Discourse allows) but not
    added, removed or reordered in meaning, nor may how it counts change, nor the poll go."""
    existing = {poll["name"]: poll async for poll in db[POLLS].find({"subject_type": subject_type,
                                                                     "subject_id": subject_id})}
    wanted = {spec.name: spec for spec in specs}
    for name, poll in existing.items():
        if await db[VOTES].find_one({"poll_id": poll["_id"]}, {"_id": 1}) is None:
            continue
        spec = wanted.get(name)
        if spec is None:
            raise BlockError(_("The poll %(name)s has votes, so it cannot be removed.", name=name))
        if not _counts_the_same(spec, poll):
            raise BlockError(_("The poll %(name)s has votes: you may correct the spelling of its options, but not "
                               "add or remove options or change how it counts.", name=name))
    return SyncPlan(subject_type, subject_id, tuple(specs), existing)


def _fields(spec: PollSpec) -> dict[str, Any]:
    return {"kind": spec.kind, "options": list(spec.options), "min": spec.min, "max": spec.max,
            "results": spec.results, "public": spec.public,
            "close_at": spec.close_at.astimezone(UTC) if spec.close_at is not None else None}


async def _schedule_close(tx: Action, poll_id: ObjectId, close_at: datetime | None) -> None:
    if close_at is None:
        await tx.cancel(close_key(poll_id))
    else:
        await tx.schedule(CLOSE_JOB, close_at, {"poll_id": str(poll_id)}, key=close_key(poll_id))


async def apply_sync(tx: Action, plan: SyncPlan) -> None:
    """Write what ``check_sync`` allowed, inside the subject's own transaction."""
    session = await tx.start()
    for spec in plan.specs:
        poll = plan.existing.get(spec.name)
        fields = _fields(spec)
        if poll is None:
            poll_id = ObjectId()
            await tx.db[POLLS].insert_one({"_id": poll_id, "subject_type": plan.subject_type,
                                           "subject_id": plan.subject_id, "name": spec.name, **fields,
                                           "closed": False, "closed_at": None, "created_at": tx.now,
                                           "updated_at": tx.now}, session=session)
            if spec.close_at is not None:
                await _schedule_close(tx, poll_id, spec.close_at)
            continue
        if all(poll.get(key) == value for key, value in fields.items() if key != "close_at") and \
                stored_close_at(poll) == fields["close_at"]:
            continue
        await tx.db[POLLS].update_one({"_id": poll["_id"]}, {"$set": {**fields, "updated_at": tx.now}},
                                      session=session)
        if len(spec.options) != len(poll["options"]):  # allowed only without votes: the tallies hold zeros
            await tallies.forget(tx.db, poll["_id"], session)
        if fields["close_at"] != stored_close_at(poll) and not poll["closed"]:
            await _schedule_close(tx, poll["_id"], spec.close_at)
    for name, poll in plan.existing.items():
        if any(spec.name == name for spec in plan.specs):
            continue
        await tx.db[POLLS].delete_one({"_id": poll["_id"]}, session=session)
        await tx.db[VOTES].delete_many({"poll_id": poll["_id"]}, session=session)
        await tallies.forget(tx.db, poll["_id"], session)
        if poll.get("close_at") is not None and not poll["closed"]:
            await tx.cancel(close_key(poll["_id"]))


# --- a poll added by hand -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollInput:
    """A poll as a form or the API asks for it: ``options`` one text each (none for ``number``),
    ``low`` and ``high`` its min and max (None for the default)."""

    question: str
    kind: str
    options: Sequence[str]
    low: int | None
    high: int | None
    results: str
    public: bool


def check_input(data: PollInput, name: str) -> tuple[str, PollSpec]:
    """The question and the poll, checked by the same rules as a poll block; Invalid naming the
    field at fault."""
    question = " ".join(data.question.split())
    if not question:
        raise Invalid({"question": _("Write the question the poll asks.")})
    if len(question) > MAX_QUESTION:
        raise Invalid({"question": _("Keep the question under %(n)s characters.", n=MAX_QUESTION)})
    try:
        spec = build(name=name, kind=data.kind, options=data.options, low=data.low, high=data.high,
                     results=data.results, public=data.public)
    except BlockError as error:
        raise Invalid({error.field: str(error)}) from None
    return question, spec


async def create(tx: Action, *, subject_type: str, subject_id: ObjectId, data: PollInput) -> dict[str, Any]:
    """Add a poll to a subject that allows it (``Access.can_create``), open until closed by
    hand. The subject's room hears ``poll:created`` once it is stored. Returns the poll."""
    found = await subjects.access(tx.db, tx.actor, subject_type, subject_id)
    policy.require(tx.actor, policy.can_create_poll(tx.actor, creates=found.can_create, now=tx.now),
                   _("You cannot add a poll here."))
    member = policy.require_member(tx.actor)
    poll_id = ObjectId()
    question, spec = check_input(data, str(poll_id))
    if await tx.db[POLLS].count_documents({"subject_type": subject_type, "subject_id": subject_id,
                                           "question": {"$exists": True}}) >= MAX_CREATED:
        raise Invalid({"question": _("This place already holds %(n)s polls, as many as it may.", n=MAX_CREATED)})
    await ratelimit.hit(tx.db, f"poll-create:{member.user_id}", limit=CREATED_PER_MINUTE, window_seconds=60,
                        now=tx.now)
    poll = {"_id": poll_id, "subject_type": subject_type, "subject_id": subject_id, "name": spec.name,
            "question": question, **_fields(spec), "closed": False, "closed_at": None,
            "created_at": tx.now, "updated_at": tx.now}
    await tx.db[POLLS].insert_one(poll, session=await tx.start())
    tx.emit("poll:created", {"poll_id": str(poll_id), "subject_type": subject_type, "subject_id": str(subject_id),
                             "room": found.room}, room=found.room)
    return poll


# --- voting ---------------------------------------------------------------------------------


def check_choices(poll: dict[str, Any], choices: Sequence[int]) -> list[int]:
    """The choices as stored (in order of the options), or Invalid saying what is wrong."""
    if len(set(choices)) != len(choices):
        raise Invalid({"choices": _("Choose each option only once.")})
    if any(not 0 <= choice < len(poll["options"]) for choice in choices):
        raise Invalid({"choices": _("That option does not exist in this poll.")})
    if poll["kind"] != "multiple":
        if len(choices) != 1:
            raise Invalid({"choices": _("Choose one option.")})
    elif len(choices) < poll["min"]:
        raise Invalid({"choices": _("Choose at least %(n)s options.", n=poll["min"])})
    elif len(choices) > poll["max"]:
        raise Invalid({"choices": _("Choose at most %(n)s options.", n=poll["max"])})
    return sorted(choices)


async def _count_attempt(tx: Action, user_id: ObjectId, session: Any) -> None:
    """Count a vote, change or withdrawal against the person's limit inside the vote's own
    transaction: one commit for the count and the vote (a separate count was two more commits,
    a third of a vote's time), and a vote that fails later uses none of the allowance."""
    await ratelimit.hit(tx.db, f"poll-vote:{user_id}", limit=VOTES_PER_MINUTE, window_seconds=60, now=tx.now,
                        session=session)


def _require_open(actor: Actor, poll: dict[str, Any], access: Access, now: datetime) -> None:
    if not policy.poll_is_open(poll, now):
        policy.require(actor, False, _("This poll is closed."))
    policy.require(actor, policy.can_vote_in_poll(actor, poll, takes_part=access.can_vote, now=now),
                   _("You cannot vote in this poll."))


async def vote(tx: Action, *, poll_id: ObjectId, choices: Sequence[int]) -> tuple[dict[str, Any], Access]:
    """Cast or change the actor's vote. Returns the poll and the actor's access (for the push)."""
    poll, access = await access_poll(tx.db, tx.actor, poll_id)
    _require_open(tx.actor, poll, access, tx.now)
    member = policy.require_member(tx.actor)
    chosen = check_choices(poll, choices)
    session = await tx.start()
    await _count_attempt(tx, member.user_id, session)
    before = await tx.db[VOTES].find_one_and_update(
        {"poll_id": poll_id, "user_id": member.user_id}, {"$set": {"choices": chosen, "at": tx.now}},
        upsert=True, return_document=ReturnDocument.BEFORE, session=session)
    await tallies.move(tx.db, poll_id, member.user_id, before=before["choices"] if before else [], after=chosen,
                       session=session)
    return poll, access


async def unvote(tx: Action, *, poll_id: ObjectId) -> tuple[dict[str, Any], Access]:
    """Withdraw the actor's vote while the poll is open."""
    poll, access = await access_poll(tx.db, tx.actor, poll_id)
    _require_open(tx.actor, poll, access, tx.now)
    member = policy.require_member(tx.actor)
    session = await tx.start()
    await _count_attempt(tx, member.user_id, session)
    before = await tx.db[VOTES].find_one_and_delete({"poll_id": poll_id, "user_id": member.user_id}, session=session)
    if before is not None:
        await tallies.move(tx.db, poll_id, member.user_id, before=before["choices"], after=[], session=session)
    return poll, access


# --- closing and reopening ------------------------------------------------------------------


def closed_event(poll: dict[str, Any], closed: bool) -> dict[str, Any]:
    return {"poll_id": str(poll["_id"]), "closed": closed}


async def close(tx: Action, *, poll_id: ObjectId) -> bool:
    """Close the poll by hand; returns whether it was open. Its closing job goes."""
    poll, access = await access_poll(tx.db, tx.actor, poll_id)
    policy.require(tx.actor, policy.can_manage_poll(tx.actor, owner_id=access.owner_id, staff=access.is_staff),
                   _("You cannot close this poll."))
    if poll["closed"]:
        return False
    session = await tx.start()
    await tx.db[POLLS].update_one({"_id": poll_id}, {"$set": {"closed": True, "closed_at": tx.now}}, session=session)
    if poll.get("close_at") is not None:
        await tx.cancel(close_key(poll_id))
    tx.emit("poll:closed", closed_event(poll, True), room=access.room)
    return True


async def reopen(tx: Action, *, poll_id: ObjectId) -> bool:
    """Open a closed poll again; a closing time that has passed is forgotten, one still to come is
    scheduled again. Returns whether it was closed."""
    poll, access = await access_poll(tx.db, tx.actor, poll_id)
    policy.require(tx.actor, policy.can_manage_poll(tx.actor, owner_id=access.owner_id, staff=access.is_staff),
                   _("You cannot reopen this poll."))
    if policy.poll_is_open(poll, tx.now):
        return False
    close_at = stored_close_at(poll)
    if close_at is not None and close_at <= tx.now:
        close_at = None
    session = await tx.start()
    await tx.db[POLLS].update_one({"_id": poll_id}, {"$set": {"closed": False, "closed_at": None,
                                                              "close_at": close_at}}, session=session)
    if close_at is not None:
        await _schedule_close(tx, poll_id, close_at)
    tx.emit("poll:closed", closed_event(poll, False), room=access.room)
    return True


async def close_when_due(tx: Action, *, poll_id: ObjectId) -> bool:
    """The closing job's work: close the poll if it is still open and its time has come."""
    poll = await tx.db[POLLS].find_one({"_id": poll_id})
    close_at = stored_close_at(poll) if poll is not None else None
    if poll is None or poll["closed"] or close_at is None or close_at > tx.now:
        return False
    access = await subjects.SUBJECTS[poll["subject_type"]](tx.db, policy.ANONYMOUS, poll["subject_id"])
    session = await tx.start()
    await tx.db[POLLS].update_one({"_id": poll_id}, {"$set": {"closed": True, "closed_at": tx.now}}, session=session)
    if access is not None:
        tx.emit("poll:closed", closed_event(poll, True), room=access.room)
    return True
