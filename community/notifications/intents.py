"""Notification intents: what a write wants told, recorded in the write's own transaction.

An intent is ``{_id, kind, to: {set, args}, subject_type, subject_id, params, actor_id,
created_at, next_attempt_at, attempts, last_error}``. ``to`` names a recipient set (a query
registered by the feature that owns the data: a thread's followers, an event's attendees), never
a list of people, so an intent for ten thousand followers is one small row and whoever is in the
set when the notifier expands it is told. ``subject_type`` names a registered visibility filter,
which the notifier asks for each recipient: a person who can no longer see the subject is not told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId

from community.notifications.kinds import kind as known_kind
from community.storage.api import Database

INTENTS = "notification_intents"
"""Its index is declared in ``community.storage.indexes`` (notifications block)."""

RecipientQuery = Callable[..., Awaitable[Sequence[ObjectId]]]
"""``(db, **args) -> the people in the set``."""
VisibilityFilter = Callable[[Any, Any, Sequence[ObjectId]], Awaitable[Sequence[ObjectId]]]
"""``(db, subject_id, people) -> those of people who may see the subject``."""

RecipientsTogether = Callable[[Any, Sequence[Mapping[str, Any]]], Awaitable[list[Sequence[ObjectId]]]]
"""``(db, [args, ...]) -> the people of each set``: several sets of one name expanded at once."""

RECIPIENT_SETS: dict[str, RecipientQuery] = {}
RECIPIENTS_TOGETHER: dict[str, RecipientsTogether] = {}
SUBJECTS: dict[str, VisibilityFilter] = {}


@dataclass(frozen=True, slots=True)
class Recipients:
    """A recipient set by name and arguments (stored in the intent, expanded by the notifier)."""

    name: str
    args: Mapping[str, Any]


Registered = TypeVar("Registered")


def _registering(table: dict[str, Registered], what: str, name: str) -> Callable[[Registered], Registered]:
    def add(entry: Registered) -> Registered:
        if name in table:
            raise ValueError(f"{what} {name!r} is registered twice")
        table[name] = entry
        return entry
    return add


def recipient_set(name: str) -> Callable[[RecipientQuery], RecipientQuery]:
    """Register the query behind a recipient set (a decorator)."""
    return _registering(RECIPIENT_SETS, "recipient set", name)


def recipients_together(name: str) -> Callable[[RecipientsTogether], RecipientsTogether]:
    """Register a recipient set whose query expands several sets of its name at once (a decorator):
    the intents the notifier folds together then share its reads, where each would otherwise
    repeat them (the replies to one thread, each reading the thread's followers). One set alone
    is expanded by the same query."""
    def add(query: RecipientsTogether) -> RecipientsTogether:
        async def alone(db: Database, **args: Any) -> Sequence[ObjectId]:
            return (await query(db, [args]))[0]

        _registering(RECIPIENT_SETS, "recipient set", name)(alone)
        return _registering(RECIPIENTS_TOGETHER, "recipient set", name)(query)
    return add


async def expand(db: Database, sets: Sequence[Mapping[str, Any]]) -> list[Sequence[ObjectId]]:
    """The people of each stored ``to`` (``{set, args}``), in order; sets of a name registered
    with :func:`recipients_together` are expanded in one call."""
    found: list[Sequence[ObjectId]] = [() for _ in sets]
    by_name: dict[str, list[int]] = {}
    for position, to in enumerate(sets):
        by_name.setdefault(to["set"], []).append(position)
    for name, positions in by_name.items():
        together = RECIPIENTS_TOGETHER.get(name)
        people = (await together(db, [sets[position]["args"] for position in positions]) if together is not None
                  else [await RECIPIENT_SETS[name](db, **sets[position]["args"]) for position in positions])
        for position, each in zip(positions, people, strict=True):
            found[position] = each
    return found


def subject_type(name: str) -> Callable[[VisibilityFilter], VisibilityFilter]:
    """Register who may see subjects of this type (a decorator)."""
    return _registering(SUBJECTS, "subject type", name)


@recipient_set("person")
async def _one_person(db: Database, *, user_id: ObjectId) -> list[ObjectId]:
    return [user_id]


def person(user_id: ObjectId) -> Recipients:
    """The set of exactly one person."""
    return Recipients("person", {"user_id": user_id})


async def record(db: Database, session: Any, *, kind: str, to: Recipients, subject: tuple[str, Any],
                 params: Mapping[str, Any], actor_id: ObjectId | None, now: datetime) -> dict[str, Any]:
    """Write the intent in ``session``'s transaction; a mistake in the call raises before anything is written."""
    known_kind(kind)
    if not isinstance(to, Recipients) or to.name not in RECIPIENT_SETS:
        raise ValueError(f"unknown recipient set {getattr(to, 'name', to)!r}")
    kind_of_subject, subject_id = subject
    if kind_of_subject not in SUBJECTS:
        raise ValueError(f"unknown subject type {kind_of_subject!r}")
    if not isinstance(params, Mapping):
        raise TypeError("notification params must be a mapping")
    intent = {"_id": ObjectId(), "kind": kind, "to": {"set": to.name, "args": dict(to.args)},
              "subject_type": kind_of_subject, "subject_id": subject_id, "params": dict(params), "actor_id": actor_id,
              "created_at": now, "next_attempt_at": now, "attempts": 0}
    await db[INTENTS].insert_one(intent, session=session)
    return intent


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    overdue: int
    """Intents recorded more than the allowed time ago and still not delivered."""
    oldest_seconds: float


async def overdue(db: Database, now: datetime, limit_seconds: float) -> Backlog:
    pending = await db[INTENTS].count_documents({})
    if not pending:
        return Backlog(0, 0, 0.0)
    oldest = await db[INTENTS].find_one({}, sort=[("created_at", 1)])
    created = oldest["created_at"].replace(tzinfo=UTC) if oldest else now
    late = await db[INTENTS].count_documents({"created_at": {"$lt": now - timedelta(seconds=limit_seconds)}})
    return Backlog(pending, late, max(0.0, (now - created).total_seconds()))
