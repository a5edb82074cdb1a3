"""Storage: PyMongo's async API on MongoDB, or the embedded engine on SQLite.

``connect(url)`` is the one entry point. ``mongodb://`` and ``mongodb+srv://`` URLs give a
``pymongo.AsyncMongoClient``; ``sqlite:///relative.db``, ``sqlite:////absolute.db`` and
``sqlite:///:memory:`` give the embedded engine, which answers the subset of the async
collection API in ``shared/design/STORAGE.md`` with MongoDB's semantics, PyMongo's result
classes and PyMongo's exceptions. Anything outside the subset raises an error naming it.

Design of the embedded engine
-----------------------------
Modules, by responsibility: ``client.py`` (the PyMongo-shaped client, databases and
collections), ``cursors.py``, ``sessions.py``; ``runtime.py`` (``Engine``: threads, the write
lock, transactions, TTL sweeps, WAL checkpoints); ``catalog.py`` (collections, indexes, the
file's layout); ``planner.py`` (index choice); ``tables.py`` (documents, index entries and
scans, run on the runtime's threads); ``keys.py``, ``matching.py``, ``shaping.py`` and
``updates.py`` (key encoding, filters, projections/sorts/pipelines, update operators).

- **Documents** are BSON blobs (``bson`` from PyMongo, so types round-trip exactly: ObjectId,
  UTC datetimes at millisecond precision, int32/Int64, float, bool, None, str, bytes/Binary,
  nested documents and arrays) in one SQLite table per collection, keyed by an integer rowid.
- **Indexes** are one SQLite ``WITHOUT ROWID`` table each, ``(key, rowid)``, whose key is an
  order-preserving byte encoding of the indexed values (``keys.py``): a type tag in MongoDB's
  cross-type order (MinKey < null < numbers < strings < objects < arrays < binary < ObjectId <
  bool < date < timestamp < regex < MaxKey) and a body whose byte order is the value order
  (numbers by value whatever their BSON type, strings by UTF-8 bytes, ...). Compound keys are
  concatenations, descending parts are inverted bytes. An equality, a range or a sort on an
  indexed prefix is therefore a B-tree range scan (``planner.choose_plan``); arrays give one key
  per element (multikey); unique indexes are enforced by SQLite's primary key; sparse indexes
  skip documents without the fields; TTL indexes are swept by a background task.
  ``await collection.find(...).explain()`` reports the index used and what was examined.
- **Cursors** read in batches (``tables.Scan``): each resumes after the last index key or
  rowid the previous one read, on whichever connection runs it (a transaction's inside one),
  so ``async for`` holds one batch (``batch_size``, default 1,000) and ``to_list()`` reads in
  one go; only a sort no index gives reads every match first, as MongoDB's blocking sort does.
- **Exactness**: every candidate an index returns is re-checked by the Python filter
  (``matching.py``), so an index only ever narrows work.
- **Durability**: WAL journal with ``synchronous=NORMAL`` by default: each acknowledged write
  has been committed to the WAL file, so it survives ``kill -9`` of the process; only an OS
  crash or power loss may lose the latest commits. ``sqlite:///path.db?synchronous=FULL``
  fsyncs every commit as well. ``:memory:`` is a private temporary file (``synchronous=OFF``)
  removed on ``close()``.
- **Threads**: scans, sorts, multi-document reads and writes, index builds, TTL sweeps and
  WAL checkpoints run off the event loop: writes on one writer thread (the only writing
  connection), serialised by an ``asyncio.Lock`` that a session's transaction holds until
  commit or abort; reads on a pool of reader threads, each with its own connection, seeing
  the last commit. Operations whose cost is bounded (a few B-tree probes) - ``insert_one``,
  and reads, updates and deletes of the one document a full-key equality on a unique index
  (such as ``_id``) selects - run inline on the loop thread when the writer is idle: on this
  2-core machine a round trip to a thread costs 200-350 us, several times the operation
  itself. With ``synchronous=FULL`` every write goes to the writer thread (a commit then
  waits for fsync). SQLite's automatic checkpoint is off; a checkpoint thread runs one after
  about 1,000 commits (or 10,000 documents written in bulk), so no acknowledged write waits
  for an fsync it did not ask for: a passive one beside the writes, then, with writes held
  back for the moment it takes, one that copies the rest and truncates the WAL to zero bytes
  (a passive checkpoint alone never resets the WAL while writes keep coming), so the WAL that
  every read consults stays short.
  ``?ttl_interval=SECONDS`` sets how often expired documents are swept (default 60).
- **Several processes** may open one file (the server and a maintenance command): SQLite
  serialises their writes; each engine caches the catalog of collections and indexes and
  reloads it when the file's schema version moves (before reads) or another process has
  committed (before writes). Transactions never conflict because writes are serialised;
  as in MongoDB, a statement that fails inside one aborts it at once (``EmbeddedSession``);
  ``explain`` is on ``find`` cursors only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from pymongo import AsyncMongoClient
from pymongo.errors import ConfigurationError

from community.storage.api import Client, ClientSession, Database, Document
from community.storage.client import EmbeddedClient
from community.storage.runtime import Engine

__all__ = ["connect", "in_transaction", "EmbeddedClient"]

T = TypeVar("T")


def connect(url: str, **options: Any) -> Client:
    """A client for ``url``: ``AsyncMongoClient`` for MongoDB URLs, ``EmbeddedClient`` for SQLite."""
    if url.startswith(("mongodb://", "mongodb+srv://")):
        client: AsyncMongoClient[Document] = AsyncMongoClient(url, **options)
        return client
    if not url.startswith("sqlite:///"):
        raise ConfigurationError(f"unsupported storage URL scheme in {url.split(':', 1)[0]!r}: use mongodb:// or sqlite:///")
    parts = urlsplit(url)
    path = url[len("sqlite:///"):].split("?", 1)[0]
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    for key in query:
        if key not in ("synchronous", "ttl_interval"):
            raise ConfigurationError(f"unknown option {key!r} in storage URL")
    if options:
        raise ConfigurationError(f"unknown option {next(iter(options))!r} for the embedded engine")
    if not path:
        raise ConfigurationError("sqlite URL needs a path, e.g. sqlite:///data/community.db or sqlite:///:memory:")
    engine = Engine(
        None if path == ":memory:" else path,
        synchronous=query.get("synchronous", "NORMAL"),
        ttl_interval=float(query.get("ttl_interval", 60)),
    )
    return EmbeddedClient(engine)


async def in_transaction(db: Database, work: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` all-or-nothing on either engine. Either engine runs it again after
    a transient error (on both, a statement that fails inside a transaction aborts it, and the
    next statement or the commit then raises one), so it must only read and write through the
    session it is given; catching a failed statement's error does not save the transaction
    (check before writing instead, or handle the error outside)."""
    async with db.client.start_session() as session:
        return await session.with_transaction(work)
