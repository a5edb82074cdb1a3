"""Polls in a live room: a room is a subject of ``community.polls``, which knows no room.

The polls of a room are the polls of subject ``(kind, subject_id)``, the room's own kind and
id; the feature that owns a room kind (live events) makes its rooms poll subjects with
:func:`register`. For one actor (all decisions in ``community.policy``):

- see: whoever may read the room (enter it while it is open, unless a host removed them; read
  its record after it closed), so people who attended read the results afterwards;
- vote: while the room is open, the people who may enter it and its hosts
  (``can_vote_in_room_poll``);
- staff (staff-only results, close and reopen, export): the hosts and platform moderators in
  the room (``is_room_poll_staff``); add a poll: the hosts, while the room is open;
- socket room: the room's own (``room:<kind>:<id>``), which every attendee's page entered
  through ``room:enter``, so ``poll:created``, ``poll:results`` and ``poll:closed`` reach them all;
- page: the room's page, where the polls stand under their own heading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId

from community import policy
from community.errors import Invalid
from community.i18n import gettext as _
from community.policy import Actor
from community.polls import results, service as polls, subjects as poll_subjects
from community.polls.results import PollView
from community.polls.subjects import Access, Resolver
from community.rooms import subjects
from community.rooms.service import sanctions
from community.storage.api import Database

NUMBER = re.compile(r"^\d{1,4}$")


def room_path(kind: str, subject_id: ObjectId) -> str:
    return f"/rooms/{kind}/{subject_id}"


def resolver(kind: str) -> Resolver:
    """The poll subject resolver of the rooms of ``kind``."""
    async def resolve(db: Database, actor: Actor, subject_id: ObjectId) -> Access | None:
        room_resolver = subjects.SUBJECTS.get(kind)
        found = await room_resolver(db, actor, subject_id) if room_resolver is not None else None
        if found is None:
            return None
        now = datetime.now(UTC)
        removed, _muted = await sanctions(db, found, actor.user_id, now)
        return Access(
            can_see=policy.can_read_room(actor, can_enter=found.can_enter, is_host=found.is_host,
                                         is_open=found.is_open, can_read_after=found.can_read_after, removed=removed),
            can_vote=policy.can_vote_in_room_poll(actor, can_enter=found.can_enter, is_host=found.is_host,
                                                  is_open=found.is_open, removed=removed, now=now),
            is_staff=policy.is_room_poll_staff(actor, is_host=found.is_host, now=now), owner_id=None,
            room=found.room, url=room_path(kind, subject_id),
            can_create=policy.can_create_room_poll(actor, is_host=found.is_host, is_open=found.is_open, now=now))
    return resolve


def register(kind: str) -> None:
    """Make the rooms of ``kind`` poll subjects (called once, by the feature owning the kind)."""
    poll_subjects.register(kind, resolver(kind))


@dataclass(frozen=True, slots=True)
class RoomPolls:
    """A room's polls as its viewer may see them, newest first, and whether they may add one."""

    items: list[PollView]
    can_create: bool


async def room_polls(db: Database, actor: Actor, kind: str, subject_id: ObjectId, now: datetime) -> RoomPolls | None:
    """None for a room whose kind has no polls."""
    if kind not in poll_subjects.SUBJECTS:
        return None
    found = await poll_subjects.access(db, actor, kind, subject_id)
    views = await results.subject_polls(db, actor, kind, subject_id, found, now)
    newest = sorted(views.values(), key=lambda view: view.id, reverse=True)
    return RoomPolls(newest, policy.can_create_poll(actor, creates=found.can_create, now=now))


def form_input(fields: Mapping[str, str]) -> polls.PollInput:
    """A poll from the room page's form: options one a line, min and max blank for the default;
    Invalid naming each field that is not a number where one is asked."""
    errors: dict[str, str] = {}
    bounds: dict[str, int | None] = {}
    for key in ("min", "max"):
        raw = fields.get(key, "").strip()
        if raw and not NUMBER.match(raw):
            errors[key] = _("Write a whole number, or leave it empty.")
        bounds[key] = int(raw) if raw and NUMBER.match(raw) else None
    if errors:
        raise Invalid(errors)
    return polls.PollInput(question=fields.get("question", ""), kind=fields.get("kind", "single"),
                           options=fields.get("options", "").splitlines(), low=bounds["min"], high=bounds["max"],
                           results=fields.get("results", "always"), public=fields.get("public") == "true")
