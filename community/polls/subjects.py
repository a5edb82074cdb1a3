"""What a poll belongs to, and who may see and vote in it.

The polls module knows no forum and no event. Each subject type (``forum_post``, a live
room's kind such as ``event``) registers one resolver that loads the subject and asks ``community.policy`` about the
actor: whether they may see the poll, vote in it, manage it as staff, who owns the subject, the
socket room where its live results go, and the page it stands on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from community.errors import NotFound
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database


@dataclass(frozen=True, slots=True)
class Access:
    """What one actor may do with the polls of one subject."""

    can_see: bool
    can_vote: bool
    """May take part (the poll's own state, open or closed, is judged by ``policy.can_vote_in_poll``)."""
    is_staff: bool
    """Moderates the subject: sees staff-only results, closes and reopens, exports votes."""
    owner_id: ObjectId | None
    """Who wrote the subject; they may close and reopen its polls."""
    room: str
    """The socket room whose members watch the subject live."""
    url: str
    """The page showing the subject."""
    can_create: bool = False
    """May add a poll by hand (``service.create``; a live room's host during the session). A
    subject whose polls come from its text (a forum post) leaves it False."""


Resolver = Callable[[Database, Actor, ObjectId], Awaitable[Access | None]]
"""``resolve(db, actor, subject_id)``: the actor's access, or None when there is no such subject."""

SUBJECTS: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    """Called at import by the feature that owns ``kind``; every app of a process shares it."""
    if SUBJECTS.setdefault(kind, resolver) is not resolver:
        raise ValueError(f"poll subject {kind!r} is registered twice")


async def access(db: Database, actor: Actor, kind: str, subject_id: Any) -> Access:
    """The actor's access to a subject they may see; NotFound otherwise (a poll in a space the
    actor may not read does not reveal that it exists)."""
    resolver = SUBJECTS.get(kind)
    found = await resolver(db, actor, subject_id) if resolver is not None else None
    if found is None or not found.can_see:
        raise NotFound(_("We could not find that poll."))
    return found
