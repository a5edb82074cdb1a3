"""The action context: one write, its transaction, and the effects that follow from it.

A write service takes the context instead of a ``(db, emitter, actor, limits, ...)`` prefix::

    async with actions.begin(request.app, actor) as tx:
        post = await reply.reply(tx, thread_id=thread_id, data=form)

The service reads and checks first (with ``tx.db``, outside any transaction), then
``session = await tx.start()`` opens the transaction and every write passes ``session``. Inside
it the service records what must follow the write:

- ``tx.reindex(index, *ids)``: the search outbox, a row in the transaction;
- ``tx.notify(kind, to=..., subject=..., params=...)``: a notification intent, a row in the
  transaction; the notifier expands it into per-person notifications after the commit;
- ``tx.schedule(kind, due_at, payload, key=...)`` / ``tx.cancel(key)``: jobs, rows in the
  transaction;
- ``tx.emit(event, data, room=...)``: a socket event, queued in memory;
- ``tx.hang_up(room)``: close every socket in a room (on every process), queued in memory, for a
  write that changes who a person is (a suspension), so their sockets reconnect as that person;
- ``tx.remove_from_room(user_id, room)``: take a person's sockets out of one room (on every
  process), queued in memory, for a write after which they may no longer be in it (uninvited).

Leaving the block commits; an exception aborts, and then nothing is sent and none of the rows
exist. Queued events, hang-ups and removals are sent only once the commit has returned. The transaction is started
lazily because the embedded engine serialises writers: checks that only read (Markdown, limits,
permissions) must not hold other writers up, and some of them write on their own (rate limits).

On MongoDB the driver's ``with_transaction`` would retry a transient error; this context does
not retry, and such an error reaches the caller like any failed write (nothing was written);
``run_once_more_after_a_conflict`` runs a service again for the few that must.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web
from pymongo.errors import PyMongoError

from community import keys
from community.jobs import schedule as job_schedule
from community.notifications import intents
from community.notifications.intents import Recipients
from community.policy import Actor
from search import outbox

log = logging.getLogger("community.actions")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Event:
    event: str
    data: dict[str, Any]
    room: str


@dataclass(slots=True)
class Effects:
    """What one committed action produced, in the order it was recorded."""

    events: list[Event] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    reindexed: list[tuple[str, str]] = field(default_factory=list)
    scheduled: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)
    removed_from_rooms: list[tuple[str, str]] = field(default_factory=list)
    """(person's id, room) for each ``remove_from_room``."""

    def extend(self, other: Effects) -> None:
        self.events += other.events
        self.notifications += other.notifications
        self.reindexed += other.reindexed
        self.scheduled += other.scheduled
        self.cancelled += other.cancelled
        self.hung_up += other.hung_up
        self.removed_from_rooms += other.removed_from_rooms

    @property
    def empty(self) -> bool:
        return not (self.events or self.notifications or self.reindexed or self.scheduled or self.cancelled
                    or self.hung_up or self.removed_from_rooms)


_listeners: list[Callable[[Effects], None]] = []
"""Called with each committed action's effects (``capture`` adds one for a test)."""


@contextmanager
def capture() -> Iterator[Effects]:
    """Collect the effects of every action committed while the block runs (Zulip's
    ``capture_send_event_calls``): a rolled-back or refused action adds nothing."""
    captured = Effects()
    _listeners.append(captured.extend)
    try:
        yield captured
    finally:
        _listeners.remove(captured.extend)


class Action:
    """One write in progress; see the module's docstring."""

    def __init__(self, app: Mapping[Any, Any], actor: Actor, client_session: Any) -> None:
        self.app = app
        self.actor = actor
        self.db = app[keys.DB]
        self.settings = app.get(keys.SETTINGS)
        self.search = app.get(keys.SEARCH)
        self.emitter = app.get(keys.EMITTER)
        self.now = app[keys.CLOCK]()
        """The action's one moment: every timestamp it writes and every due time it compares."""
        self.effects = Effects()
        self._client_session = client_session
        self._started = False

    @property
    def session(self) -> Any:
        """The transaction's session; only after ``start``, so no write slips outside it."""
        if not self._started:
            raise RuntimeError("call `await tx.start()` before writing")
        return self._client_session

    async def start(self) -> Any:
        """Open the transaction (once; later calls return the same session)."""
        if not self._started:
            await self._client_session.start_transaction()
            self._started = True
        return self._client_session

    async def reindex(self, index: str, *ids: Any) -> None:
        """Tell search that these documents of ``index`` changed (the outbox, in this transaction)."""
        session = await self.start()
        for doc_id in ids:
            await outbox.record(self.db, session, index, doc_id)
            self.effects.reindexed.append((index, str(doc_id)))

    def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        """Queue a socket event; it is sent once the transaction has committed, never after a rollback."""
        self.effects.events.append(Event(event, data, room))

    def hang_up(self, room: str) -> None:
        """Queue closing every socket in ``room``; done once the transaction has committed, never after a rollback."""
        self.effects.hung_up.append(room)

    def remove_from_room(self, user_id: Any, room: str) -> None:
        """Queue taking the person's sockets out of ``room`` (and the rooms within it); done once
        the transaction has committed, never after a rollback."""
        self.effects.removed_from_rooms.append((str(user_id), room))

    async def notify(self, kind: str, *, to: Recipients, subject: tuple[str, Any], params: Mapping[str, Any]) -> None:
        """Record a notification intent: ``kind`` (registered), who (a recipient set, expanded
        later), what it is about (subject type and id, for folding and the policy check) and the
        parameters its renderer needs. The actor is never among those told."""
        session = await self.start()
        intent = await intents.record(self.db, session, kind=kind, to=to, subject=subject, params=params,
                                      actor_id=self.actor.user_id, now=self.now)
        self.effects.notifications.append(intent)

    async def schedule(self, kind: str, due_at: datetime, payload: Mapping[str, Any], *, key: str) -> None:
        """Have the job runner run ``kind`` with ``payload`` at ``due_at``; the same ``key`` again moves it."""
        session = await self.start()
        job = await job_schedule.schedule(self.db, session, kind, due_at, payload, key=key, now=self.now)
        self.effects.scheduled.append(job)

    async def cancel(self, key: str) -> None:
        session = await self.start()
        await job_schedule.cancel(self.db, session, key)
        self.effects.cancelled.append(key)

    async def _committed(self) -> None:
        for event in self.effects.events:
            if self.emitter is not None:
                await self.emitter.emit(event.event, event.data, room=event.room)
        for room in self.effects.hung_up:
            if self.emitter is not None:
                await self.emitter.hang_up(room)
        for user_id, room in self.effects.removed_from_rooms:
            if self.emitter is not None:
                await self.emitter.remove_from_room(user_id, room)
        if self.effects.notifications:
            wake = self.app.get(keys.NOTIFIER_WAKE)
            if wake is not None:
                wake()
        for listener in list(_listeners):
            listener(self.effects)


@asynccontextmanager
async def begin(app: Mapping[Any, Any] | web.Application, actor: Actor) -> AsyncIterator[Action]:
    """The context of one write by ``actor``; commits on leaving, aborts on an exception."""
    async with app[keys.DB].client.start_session() as client_session:
        tx = Action(app, actor, client_session)
        try:
            yield tx
        except BaseException:
            if client_session.in_transaction:
                await client_session.abort_transaction()
            raise
        if client_session.in_transaction:
            await client_session.commit_transaction()
    await tx._committed()


async def run(app: Mapping[Any, Any] | web.Application, actor: Actor, service: Callable[..., Awaitable[T]], /,
              *args: Any, **kwargs: Any) -> T:
    """``service(tx, *args, **kwargs)`` in its own action: what a handler calls."""
    async with begin(app, actor) as tx:
        return await service(tx, *args, **kwargs)


async def run_once_more_after_a_conflict(app: Mapping[Any, Any] | web.Application, actor: Actor,
                                         service: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
    """``run``, and once again if MongoDB aborted the transaction for a conflicting write
    (``TransientTransactionError``): for a service that meets a concurrent twin on one document
    and must see it (two people asking each other to connect at once). The first attempt left
    nothing, so the second reads what the other committed. The embedded engine serialises writers
    and never raises this."""
    try:
        return await run(app, actor, service, *args, **kwargs)
    except PyMongoError as error:
        if not error.has_error_label("TransientTransactionError"):
            raise
    return await run(app, actor, service, *args, **kwargs)
