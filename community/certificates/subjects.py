"""What a certificate is for, and who may be issued one.

The certificates module knows no event. Each subject kind (``event``, later perhaps a course)
registers a :class:`Kind` at import: ``facts`` loads what the certificate states about the
subject (what was attended, when, for how long, who hosted it, its page), and ``may_receive``
says whether a person may be issued one for it (they attended). Both run inside the issuing
transaction, with its session, so what is checked is what is committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database


@dataclass(frozen=True, slots=True)
class Facts:
    """What a certificate states about its subject; stored as issued, so a later edit of the
    subject does not change a certificate already given."""

    title: str
    """What was attended."""
    held_at: datetime
    """When it was held (aware, UTC); shown as a date in Indian Standard Time."""
    hours: float
    """How long it lasted."""
    host_name: str
    """Who hosted it, as it should be printed."""
    url: str
    """The subject's page on this site (a path)."""

    def __post_init__(self) -> None:
        """A feature's mistake, caught before anything is printed: a time without its zone would
        be read as the server's local time, and a certificate states what was attended, for how long."""
        if self.held_at.tzinfo is None:
            raise ValueError("held_at must be an aware time (UTC)")
        if not self.title.strip() or not self.host_name.strip():
            raise ValueError("a certificate names what was attended and who hosted it")
        if not 0 < self.hours <= 24 * 7:
            raise ValueError(f"hours must be more than 0 and at most a week, got {self.hours}")


FactsOf = Callable[[Database, Any, Any], Awaitable[Facts | None]]
"""``facts(db, subject_id, session)``: the subject's facts, or None when there is no such subject."""

MayReceive = Callable[[Database, ObjectId, Any, Any], Awaitable[bool]]
"""``may_receive(db, person_id, subject_id, session)``: whether the person may be issued a certificate."""


@dataclass(frozen=True, slots=True)
class Kind:
    facts: FactsOf
    may_receive: MayReceive


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    """Called at import by the feature that owns ``name``; every app of a process shares it."""
    if KINDS.setdefault(name, kind) is not kind:
        raise ValueError(f"certificate subject {name!r} is registered twice")

