"""What a live room stands for, and what one actor may do in it.

The rooms module knows no event. Each subject kind (later ``event``) registers one resolver that
loads the subject and asks ``community.policy`` about the actor: whether they may enter, host
(moderate), whether the room is live now, whether they may read its record after it closed,
and the subject's title, page and start and end (attendance is a share of that span). The
socket room is named by this module (``room:<kind>:<id>``), never by a resolver, so no room of
another kind's generic ``join`` ever carries a room's chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bson import ObjectId
from bson.errors import InvalidId

from community import policy
from community.errors import NotFound
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database

if TYPE_CHECKING:
    from community.actions import Action


@dataclass(frozen=True, slots=True)
class RoomAccess:
    """What one actor may do in the room of one subject."""

    kind: str
    subject_id: ObjectId
    title: str
    url: str
    starts_at: datetime
    ends_at: datetime
    can_enter: bool
    """May be in the room while it is open."""
    is_host: bool
    """Moderates: deletes, pins, mutes, removes, slow mode, the hands queue, attendance corrections."""
    is_open: bool
    """The room is live now; a closed room is read-only for those who may read it."""
    can_read_after: bool
    """May read the record (chat, questions) once the room has closed."""

    @property
    def room(self) -> str:
        return socket_room(self.kind, self.subject_id)

    @property
    def hosts_room(self) -> str:
        return hosts_room(self.kind, self.subject_id)


def socket_room(kind: str, subject_id: ObjectId) -> str:
    return f"room:{kind}:{subject_id}"


def hosts_room(kind: str, subject_id: ObjectId) -> str:
    """The socket room within the room that only its hosts are in."""
    return socket_room(kind, subject_id) + ":hosts"


Resolver = Callable[[Database, Actor, ObjectId], Awaitable[RoomAccess | None]]
"""``resolve(db, actor, subject_id)``: the actor's access, or None when there is no such subject."""

SUBJECTS: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    """Called at import by the feature that owns ``kind``; every app of a process shares it."""
    if SUBJECTS.setdefault(kind, resolver) is not resolver:
        raise ValueError(f"room subject {kind!r} is registered twice")


def unregister(kind: str) -> None:
    """Forget ``kind`` (a test's own subject kind, when the test ends)."""
    SUBJECTS.pop(kind, None)
    CORRECTED.pop(kind, None)


Corrected = Callable[["Action", ObjectId], Awaitable[None]]
"""``hook(tx, subject_id)``, in the host's correcting action."""

CORRECTED: dict[str, Corrected] = {}


def on_correction(kind: str, hook: Corrected) -> None:
    """What the feature owning ``kind`` does once a host has corrected someone's attendance (an
    event settles its Karma Points again); registered at import, like the resolver."""
    if CORRECTED.setdefault(kind, hook) is not hook:
        raise ValueError(f"room subject {kind!r} has a correction hook already")


def subject_id_of(text: str) -> ObjectId:
    try:
        return ObjectId(text)
    except (InvalidId, TypeError):
        raise NotFound(_("We could not find that room.")) from None


async def resolve(db: Database, actor: Actor, kind: str, subject_id: ObjectId) -> RoomAccess:
    """The actor's access to a room they may enter or read; NotFound otherwise (a room one may
    not be in does not reveal that it exists)."""
    resolver = SUBJECTS.get(kind)
    found = await resolver(db, actor, subject_id) if resolver is not None else None
    if found is None or not policy.can_read_room(actor, can_enter=found.can_enter, is_host=found.is_host,
                                                  is_open=found.is_open, can_read_after=found.can_read_after):
        raise NotFound(_("We could not find that room."))
    return found
