"""The embedded engine's runtime: one SQLite file, its threads, its write lock, transactions,
TTL sweeps and WAL checkpoints (``Engine``). The PyMongo-shaped classes (``client.py``) hand it
jobs, functions of a ``tables.Context``, to run as reads or writes.

Threads: SQLite work never runs on the event loop, except the short reads and writes that cost
less than the round trip to a thread (``Engine.read``, ``Engine.write``). Writes go to one
writer thread (the only writing connection) and are serialised by an ``asyncio.Lock``, which a
session's transaction holds from ``start_transaction`` to commit or abort; reads outside a
transaction go to a small pool of reader threads with their own connections and see committed
data only (WAL).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pymongo.errors import ConfigurationError, InvalidOperation
from pymongo.read_concern import ReadConcern
from pymongo.read_preferences import ReadPreference
from pymongo.write_concern import WriteConcern

from community.storage.catalog import Catalog, create_schema, load_catalog, open_connection
from community.storage.planner import Plan, choose_plan
from community.storage.tables import Context, OverBudget, expire

if TYPE_CHECKING:
    from community.storage.sessions import EmbeddedSession

T = TypeVar("T")
log = logging.getLogger("community.storage")

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_SYNCHRONOUS = "NORMAL"
"""WAL with ``synchronous=NORMAL``: a commit is written to the WAL file before the write is
acknowledged, so it survives the process being killed (``kill -9``); only an operating-system
crash or power loss can lose the last commits. ``FULL`` also fsyncs every commit."""

CHECKPOINT_EVERY = 1000
"""Work between WAL checkpoints, counted as one per commit plus one per ten documents written
(roughly the pages each adds to the WAL). SQLite's own automatic checkpoint is off: it would
fsync inside whichever write crossed its threshold; and a long WAL slows every read, which
must look pages up in the WAL index first."""

CHECKPOINT_WAIT_MS = 250
"""How long the finishing checkpoint waits for readers still on old snapshots (this process's
reads last milliseconds); past it the WAL is reset by another checkpoint, after a tenth of the
usual work."""

INLINE_COMMIT_DOCS = 16
"""The documents a transaction may have written and still commit on the event loop (see
``Engine.finish``); a reply writes about eight."""

INLINE_ROWS = 32
"""The rows a read tried on the event loop may examine (a ``find`` whose limit is at most this,
in an index's order; one by at most this many keys of a unique index, such as ``_id $in`` for a
page of posts; or of a collection that does not exist): a few B-tree steps cost less than the
round trip to a reader thread. One that finds more to examine gives up and runs again on a
reader thread, so a read is never long on the loop and its answer never depends on where it ran."""

_READ_CONCERN_LEVELS = (None, "local", "available", "majority", "linearizable", "snapshot")


@dataclass(slots=True)
class Partial:
    """A write that committed part of its work and then failed, as MongoDB leaves it."""

    result: Any
    error: Exception


class Engine:
    """One SQLite file, its threads and its catalog."""

    def __init__(self, path: str | None, *, synchronous: str = DEFAULT_SYNCHRONOUS,
                 ttl_interval: float = 60.0, readers: int = 2) -> None:
        synchronous = synchronous.upper()
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise ConfigurationError(f"synchronous must be one of {', '.join(SYNCHRONOUS_LEVELS)}, not {synchronous!r}")
        self._temp_dir: str | None = None
        if path is None:
            self._temp_dir = tempfile.mkdtemp(prefix="community-store-")
            path = os.path.join(self._temp_dir, "memory.db")
            synchronous = "OFF"
        self.path = path
        self.synchronous = synchronous
        self.ttl_interval = ttl_interval
        self._conn = open_connection(path, synchronous)
        create_schema(self._conn)
        # Checkpoints (which fsync) run on their own thread, never inside an acknowledged write.
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self.catalog = load_catalog(self._conn)
        self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        self._schema_version = self._conn.execute("PRAGMA schema_version").fetchone()[0]
        self.inline_writes = synchronous in ("OFF", "NORMAL")
        self._inline_conn = open_connection(path, synchronous, readonly=True)
        self._commits = 0
        self._checkpoint_due = False
        self._checkpoint_task: asyncio.Task[None] | None = None
        self._checkpointer = ThreadPoolExecutor(1, thread_name_prefix="storage-checkpoint")
        self._checkpoint_conn: Any = None
        self.checkpoints: list[tuple[int, int, int]] = []
        """The last finishing checkpoints' ``(busy, wal frames, frames checkpointed)``: a WAL that
        was reset reads ``(0, 0, 0)``."""
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="storage-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="storage-reader")
        self._local = threading.local()
        self._reader_conns: list[Any] = []
        self._conns_lock = threading.Lock()
        self._lock = asyncio.Lock()
        self._txn_session: EmbeddedSession | None = None
        self._txn_task: asyncio.Task[Any] | None = None
        self._txn_ctx: Context | None = None
        self._writer_busy = 0
        self._ttl_task: asyncio.Task[None] | None = None
        self._ttl_seen: Catalog | None = None
        self.closed = False

    def check_concerns(self, where: str, *, read_concern: Any = None, write_concern: Any = None,
                       read_preference: Any = None) -> None:
        """Refuse, by name, what one embedded node cannot honour."""
        if read_concern is not None:
            if not isinstance(read_concern, ReadConcern):
                raise TypeError(f"read_concern must be an instance of pymongo.read_concern.ReadConcern, not: {read_concern!r}")
            if read_concern.level not in _READ_CONCERN_LEVELS:
                raise ConfigurationError(f"read concern level {read_concern.level!r} in {where} is unknown")
        if write_concern is not None:
            if not isinstance(write_concern, WriteConcern):
                raise TypeError(f"write_concern must be an instance of pymongo.write_concern.WriteConcern, not: {write_concern!r}")
            w = write_concern.document.get("w")
            if not write_concern.acknowledged:
                raise ConfigurationError(
                    f"unacknowledged write concern (w=0) in {where} is outside the embedded engine's subset"
                )
            if w not in (None, 1, "majority"):
                raise ConfigurationError(
                    f"write concern w={w!r} in {where} cannot be satisfied: the embedded engine is one node"
                )
            durable = {key for key in ("j", "fsync") if write_concern.document.get(key)}
            if durable and self.synchronous not in ("FULL", "EXTRA"):
                raise ConfigurationError(
                    f"write concern {'/'.join(sorted(durable))}=True in {where} needs the embedded engine to fsync "
                    "every commit: open it with ?synchronous=FULL"
                )
        if read_preference is not None and read_preference.mode == ReadPreference.SECONDARY.mode:
            raise ConfigurationError(
                f"read preference 'secondary' in {where} cannot be satisfied: the embedded engine is one node, a primary"
            )

    # Threads ------------------------------------------------------------------------------

    def _reader_conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_connection(self.path, self.synchronous, readonly=True)
            self._local.conn = conn
            with self._conns_lock:
                self._reader_conns.append(conn)
        return conn

    def _fresh_catalog(self, conn: Any) -> Catalog:
        """The catalog, reloaded first if another process created or dropped a collection or an
        index in the file since it was read (SQLite's schema version then differs)."""
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        if version > self._schema_version:  # never replace a newer catalog with this older snapshot
            self.catalog = load_catalog(conn)
            self._schema_version = version
        return self.catalog

    def _read_job(self, fn: Callable[[Context], T]) -> T:
        conn = self._reader_conn()
        conn.execute("BEGIN")
        try:
            return fn(Context(conn, self._fresh_catalog(conn)))
        finally:
            conn.execute("COMMIT")

    def _writer_catalog(self) -> Catalog:
        """The catalog for a write that has just begun: reloaded whenever another process has
        committed to the file since this engine's last write (its flags may have changed too)."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self.catalog = load_catalog(self._conn)
            self._schema_version = self._conn.execute("PRAGMA schema_version").fetchone()[0]
        return self.catalog

    def _write_job(self, fn: Callable[[Context], T]) -> T:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        ctx = Context(conn, self._writer_catalog())
        try:
            result = fn(ctx)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if ctx.catalog_changed:
            self._publish(ctx.catalog)
        self._committed(ctx.written)
        return result

    def _publish(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._schema_version = self._conn.execute("PRAGMA schema_version").fetchone()[0]

    def _committed(self, written: int) -> None:
        self._commits += 1 + written // 10
        if self._commits >= CHECKPOINT_EVERY:
            self._commits = 0
            self._checkpoint_due = True

    def _maybe_checkpoint(self) -> None:
        """Start a checkpoint once enough has been committed (called on the loop after writes)."""
        if self._checkpoint_due and self._checkpoint_task is None and not self.closed:
            self._checkpoint_due = False
            self._checkpoint_task = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        """Copy the WAL into the database file, then reset the WAL to nothing.

        A passive checkpoint alone never resets the WAL under a steady write load: SQLite starts
        the WAL over only when a write begins after a checkpoint that copied every frame, and
        while writes keep arriving each passive run ends behind the newest commit, so the WAL
        grew without bound (0.5 GB and more) and every read and checkpoint walked it. So the bulk
        of the copying runs passively beside the writes, and then, with writes held back by the
        write lock, a ``TRUNCATE`` checkpoint copies the few frames committed meanwhile, waits
        for readers on older snapshots, and truncates the WAL file to zero bytes."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._checkpointer, self._checkpoint_step, "PASSIVE")
            await self._lock.acquire()
            if self.closed:
                self._lock.release()
                return
            finishing = loop.run_in_executor(self._checkpointer, self._checkpoint_step, "TRUNCATE")
            finishing.add_done_callback(lambda _: self._lock.release())
            result = await asyncio.shield(finishing)
            self.checkpoints = [*self.checkpoints[-9:], result]
            if result[0]:  # a reader outlasted the wait: try again after a tenth of the usual work
                self._commits = max(self._commits, CHECKPOINT_EVERY - CHECKPOINT_EVERY // 10)
        except Exception:  # a failed checkpoint leaves a longer WAL, never a lost write
            log.exception("WAL checkpoint failed")
        finally:
            self._checkpoint_task = None

    def _checkpoint_step(self, mode: str) -> tuple[int, int, int]:
        if self._checkpoint_conn is None:
            self._checkpoint_conn = open_connection(self.path, self.synchronous)
            self._checkpoint_conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        busy, frames, copied = self._checkpoint_conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return int(busy), int(frames), int(copied)

    def _inline_read(self, fn: Callable[[Context], T], budget: int = 0) -> T:
        """A read on the loop thread: on the writer's connection while nothing holds it, else on
        the loop's own read-only one.

        SQLite empties a connection's page cache whenever another connection has committed since
        its last read, so after every write the loop's own connection read each page again (a
        point read cost three to four times as much). The writer's cache survives its own
        commits. Holding no lock means no transaction is open on it and no job uses it on the
        writer thread (every one runs under the lock), and a read here never yields, so none can
        begin before it ends: it sees what is committed, as the other connection would."""
        conn = self._conn if not self._lock.locked() and not self._writer_busy else self._inline_conn
        ctx = Context(conn, self._fresh_catalog(conn))
        ctx.budget = budget
        return fn(ctx)

    @staticmethod
    def _budgeted(fn: Callable[[Context], T], budget: int) -> Callable[[Context], T]:
        def run(ctx: Context) -> T:
            ctx.budget = budget
            try:
                return fn(ctx)
            finally:
                ctx.budget = 0
        return run

    @staticmethod
    def _txn_step(ctx: Context, fn: Callable[[Context], T]) -> T:
        conn = ctx.conn
        saved = (ctx.catalog, ctx.catalog_changed)
        conn.execute("SAVEPOINT op")
        try:
            result = fn(ctx)
        except BaseException:
            conn.execute("ROLLBACK TO op")
            conn.execute("RELEASE op")
            ctx.catalog, ctx.catalog_changed = saved
            raise
        conn.execute("RELEASE op")
        return result

    async def _on_writer(self, job: Callable[..., T], *args: Any, release_lock: bool = False) -> T:
        """Run ``job`` on the writer thread. If the awaiting task is cancelled the job still runs
        to its end, and only then is the writer free again (and the lock released, if asked)."""
        if self.closed:
            if release_lock:
                self._lock.release()
            self._check_open()
        future = asyncio.get_running_loop().run_in_executor(self._writer, job, *args)
        self._writer_busy += 1

        def done(_: Any) -> None:
            self._writer_busy -= 1
            if release_lock:
                self._lock.release()

        future.add_done_callback(done)
        return await asyncio.shield(future)

    def _check_open(self) -> None:
        if self.closed:
            raise InvalidOperation("Cannot use AsyncMongoClient after close")

    def plan(self, db: str, name: str, filter_: Any, sort: list[tuple[str, int]],
             needed: frozenset[str] | None = None) -> Plan:
        info = self.catalog.get((db, name))
        if info is None or not isinstance(filter_, Mapping):
            return Plan()
        return choose_plan(info, filter_, sort, needed)

    async def read(self, fn: Callable[[Context], T], session: EmbeddedSession | None = None, *,
                   bounded: bool = False, budget: int = 0) -> T:
        """Run a read; ``bounded`` ones (at most one B-tree probe) run inline on the loop thread,
        where they cost less than the round trip to a thread would. One with a ``budget`` is
        tried inline too, and goes to a thread only if it must examine more rows than that."""
        self._start_ttl()
        self._check_open()
        if session is not None and session.in_transaction:
            self._own(session)
            if (bounded or budget) and not self._writer_busy:
                try:
                    return self._txn_step(self._txn_context(), self._budgeted(fn, budget))
                except OverBudget:
                    pass
            return await self._on_writer(self._txn_step, self._txn_context(), fn)
        if bounded or budget:
            try:
                return self._inline_read(fn, budget)
            except OverBudget:
                pass
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._read_job, fn)

    async def write(self, fn: Callable[[Context], T], session: EmbeddedSession | None = None, *,
                    bounded: bool = False) -> T:
        """Run a write; a ``bounded`` one (one document, no fsync at commit) runs inline when no
        other write holds the writer, everything else on the writer thread."""
        self._start_ttl()
        self._check_open()
        inline = bounded and self.inline_writes
        if session is not None and session.in_transaction:
            self._own(session)
            if inline and not self._writer_busy:
                result = self._txn_step(self._txn_context(), fn)
            else:
                result = await self._on_writer(self._txn_step, self._txn_context(), fn)
        else:
            if self._txn_task is not None and self._txn_task is asyncio.current_task():
                raise InvalidOperation(
                    "a write without session= inside this task's own open transaction would wait for it "
                    "forever; pass the transaction's session"
                )
            if inline and not self._lock.locked():
                # Nothing else can hold the writer connection: every thread job runs under the lock.
                result = self._write_job(fn)
            else:
                await self._lock.acquire()
                result = await self._on_writer(self._write_job, fn, release_lock=True)
        self._maybe_checkpoint()
        if isinstance(result, Partial):
            raise result.error
        return result

    def _txn_context(self) -> Context:
        assert self._txn_ctx is not None
        return self._txn_ctx

    def _own(self, session: EmbeddedSession) -> None:
        if session._aborted_by_server:
            raise session._no_such_transaction()
        if session is not self._txn_session:
            raise InvalidOperation("this session's transaction is not the engine's open transaction")

    # Transactions -------------------------------------------------------------------------

    async def begin(self, session: EmbeddedSession) -> None:
        if self._txn_task is not None and self._txn_task is asyncio.current_task():
            raise InvalidOperation("this task already has a transaction open on another session")
        self._check_open()
        await self._lock.acquire()
        try:
            # Holding the lock means no thread job is using the writer connection.
            self._conn.execute("BEGIN IMMEDIATE")
            catalog = self._writer_catalog()
        except BaseException:
            self._lock.release()
            raise
        self._txn_ctx = Context(self._conn, catalog)
        self._txn_session = session
        self._txn_task = asyncio.current_task()

    async def finish(self, commit: bool) -> None:
        """Commit or roll back, then release the lock. A transaction that wrote at most
        ``INLINE_COMMIT_DOCS`` documents, with no step still running on the writer thread and
        no fsync at commit, finishes on the loop: its commit only appends those few pages to the
        WAL, cheaper than handing the connection to the writer thread and back. Any other
        finishes on the writer thread, after the steps running there, and the lock is released
        once that has happened, even if the awaiting task is cancelled."""
        ctx = self._txn_ctx
        assert ctx is not None
        self._txn_session = None
        self._txn_task = None
        self._txn_ctx = None
        if self.inline_writes and not self._writer_busy and ctx.written <= INLINE_COMMIT_DOCS:
            try:
                self._finish_job(ctx, commit)
            finally:
                self._lock.release()
            await asyncio.sleep(0)  # a turn for the others, as the trip to the writer thread gave them
        else:
            await self._on_writer(self._finish_job, ctx, commit, release_lock=True)
        self._maybe_checkpoint()

    def _finish_job(self, ctx: Context, commit: bool) -> None:
        if commit:
            self._conn.execute("COMMIT")
            if ctx.catalog_changed:
                self._publish(ctx.catalog)
            self._committed(ctx.written)
        else:
            self._conn.execute("ROLLBACK")

    # TTL ----------------------------------------------------------------------------------

    def _start_ttl(self) -> None:
        if self._ttl_task is not None or self.closed or self._ttl_seen is self.catalog:
            return
        self._ttl_seen = self.catalog
        if any(index.expire_after is not None for info in self.catalog.values() for index in info.indexes):
            self._ttl_task = asyncio.get_running_loop().create_task(self._ttl_loop())

    async def _ttl_loop(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_interval)
            try:
                await self.expire_now()
            except Exception:  # one failed sweep must not end expiry for good
                log.exception("TTL sweep failed")

    async def expire_now(self) -> int:
        """One TTL pass now (the background task runs one every ``ttl_interval`` seconds)."""
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        return await self.write(lambda ctx: expire(ctx, now))

    async def close(self) -> None:
        if self.closed:
            return
        if self._ttl_task is not None:
            self._ttl_task.cancel()
            try:
                await self._ttl_task
            except asyncio.CancelledError:
                pass
        await self._lock.acquire()
        self.closed = True
        self._lock.release()
        if self._checkpoint_task is not None:
            await self._checkpoint_task
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._shutdown)
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _shutdown(self) -> None:
        self._readers.shutdown(wait=True)
        self._writer.shutdown(wait=True)
        self._checkpointer.shutdown(wait=True)
        for conn in self._reader_conns:
            conn.close()
        self._inline_conn.close()
        if self._checkpoint_conn is not None:
            self._checkpoint_conn.close()
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for other processes
        self._conn.close()
