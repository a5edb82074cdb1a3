"""The embedded engine's PyMongo-shaped face: a client, databases and collections like PyMongo's
async API, returning PyMongo's own result classes and raising its errors. Each operation checks
its arguments as PyMongo does, then hands a job to the runtime (``runtime.Engine``); cursors are
in ``cursors.py``, sessions in ``sessions.py``.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bson import ObjectId
from bson.codec_options import DEFAULT_CODEC_OPTIONS, CodecOptions
from bson.son import SON
from pymongo import IndexModel, ReturnDocument
from pymongo.client_session import TransactionOptions
from pymongo.errors import (
    BulkWriteError,
    ConfigurationError,
    DuplicateKeyError,
    InvalidOperation,
    OperationFailure,
    WriteError,
)
from pymongo.operations import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.read_concern import ReadConcern
from pymongo.read_preferences import ReadPreference, _ServerMode
from pymongo.results import BulkWriteResult, DeleteResult, InsertManyResult, InsertOneResult, UpdateResult
from pymongo.write_concern import WriteConcern

from community.storage import keys
from community.storage.catalog import CollInfo, IndexInfo
from community.storage.cursors import EmbeddedCommandCursor, EmbeddedCursor
from community.storage.keys import check_encodable
from community.storage.matching import MISSING, Predicate, compile_filter, resolve
from community.storage.planner import Plan, counting_index, needed_fields
from community.storage.runtime import INLINE_ROWS, Engine, Partial
from community.storage.sessions import EmbeddedSession
from community.storage.shaping import compile_projection, normalize_sort, run_pipeline
from community.storage.tables import Context, Scan, Stats, encode_doc
from community.storage.updates import Updater, upsert_seed, validate_replacement, validate_update

T = TypeVar("T")

_IGNORED_OPTIONS = frozenset({"comment", "bypass_document_validation", "let"})


def _reject(method: str, options: Mapping[str, Any], accepted: Iterable[str] = ()) -> None:
    for name, value in options.items():
        if name in _IGNORED_OPTIONS or name in accepted or value is None:
            continue
        raise OperationFailure(f"option {name!r} of {method} is outside the embedded engine's subset", code=2)


def _compile(filter_: Any) -> Predicate:
    """A top-level filter: refused as PyMongo refuses what it cannot encode, then compiled."""
    _check(filter_)
    return compile_filter(filter_)


def _check(filter_: Any) -> None:
    """Refuse a top-level filter as PyMongo refuses what it cannot encode (before it is planned)."""
    if isinstance(filter_, Mapping):
        check_encodable(filter_)


def _predicate(filter_: Any, plan: Plan) -> Predicate | None:
    """A checked filter compiled, or ``None`` (nothing to check) when its plan's index keys
    decide it (``Plan.decides``: a read or write by one unique key, the commonest call)."""
    return None if plan.decides else compile_filter(filter_)


def _statement(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """A server-side statement: as in MongoDB, its failure (any ``OperationFailure``, a write
    error included) inside a transaction aborts the transaction, even if the caller catches it.
    Client-side refusals (``TypeError``, ``ValueError``, ``InvalidOperation``, ``OverflowError``)
    never reach MongoDB and leave the transaction alone."""

    @functools.wraps(method)
    async def run(self: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return await method(self, *args, **kwargs)
        except OperationFailure:
            session = kwargs.get("session") or next((a for a in args if isinstance(a, EmbeddedSession)), None)
            if session is not None and session.in_transaction:
                await session._server_aborted()
            raise

    return run



@dataclass(frozen=True, slots=True)
class _Options:
    """PyMongo's four per-client, per-database, per-collection settings, each inherited from
    the level above unless given. The embedded engine is one node, always primary, whose every
    acknowledged write is as durable as it will ever be: it honours every read concern, and
    every acknowledged write concern that one node can satisfy."""

    codec_options: CodecOptions = DEFAULT_CODEC_OPTIONS
    read_preference: _ServerMode = field(default_factory=lambda: ReadPreference.PRIMARY)
    write_concern: WriteConcern = field(default_factory=WriteConcern)
    read_concern: ReadConcern = field(default_factory=ReadConcern)

    def derive(self, engine: Engine, where: str, codec_options: Any = None, read_preference: Any = None,
               write_concern: Any = None, read_concern: Any = None) -> _Options:
        if codec_options is not None:
            if not isinstance(codec_options, CodecOptions):
                raise TypeError("codec_options must be an instance of bson.codec_options.CodecOptions")
            if codec_options != DEFAULT_CODEC_OPTIONS:
                raise ConfigurationError(
                    f"codec_options other than the defaults in {where} are outside the embedded engine's subset "
                    "(it returns dicts and naive UTC datetimes)"
                )
        if read_preference is not None and not isinstance(read_preference, _ServerMode):
            raise TypeError(f"{read_preference!r} is not a read preference.")
        engine.check_concerns(where, read_concern=read_concern, write_concern=write_concern,
                              read_preference=read_preference)
        return _Options(self.codec_options if codec_options is None else codec_options,
                        self.read_preference if read_preference is None else read_preference,
                        self.write_concern if write_concern is None else write_concern,
                        self.read_concern if read_concern is None else read_concern)


class _Settings:
    """The four settings as PyMongo's client, databases and collections expose them."""

    _options: _Options

    @property
    def codec_options(self) -> CodecOptions:
        return self._options.codec_options

    @property
    def read_preference(self) -> _ServerMode:
        return self._options.read_preference

    @property
    def write_concern(self) -> WriteConcern:
        return self._options.write_concern

    @property
    def read_concern(self) -> ReadConcern:
        return self._options.read_concern


class EmbeddedClient(_Settings):
    """What ``connect("sqlite:///...")`` returns; shaped like ``pymongo.AsyncMongoClient``."""

    def __init__(self, engine: Engine, default_database: str | None = None) -> None:
        self.engine = engine
        self._default = default_database
        self._options = _Options()

    def __getitem__(self, name: str) -> EmbeddedDatabase:
        return EmbeddedDatabase(self, name)

    def __getattr__(self, name: str) -> EmbeddedDatabase:
        if name.startswith("_"):
            raise AttributeError(name)
        return EmbeddedDatabase(self, name)

    def get_database(self, name: str | None = None, codec_options: CodecOptions | None = None,
                     read_preference: _ServerMode | None = None, write_concern: WriteConcern | None = None,
                     read_concern: ReadConcern | None = None) -> EmbeddedDatabase:
        if name is None:
            if self._default is None:
                raise ConfigurationError("No default database name defined or provided.")
            name = self._default
        return EmbeddedDatabase(self, name, self._options.derive(self.engine, "get_database", codec_options,
                                                                 read_preference, write_concern, read_concern))

    def get_default_database(self, default: str | None = None, **options: Any) -> EmbeddedDatabase:
        return self.get_database(self._default or default, **options)

    def start_session(self, causal_consistency: bool | None = None,
                      default_transaction_options: TransactionOptions | None = None,
                      snapshot: bool | None = False) -> EmbeddedSession:
        """A session; ``causal_consistency`` always holds on one node. ``snapshot`` sessions are
        outside the subset."""
        if snapshot:
            raise ConfigurationError("snapshot sessions are outside the embedded engine's subset")
        if default_transaction_options is not None:
            if not isinstance(default_transaction_options, TransactionOptions):
                raise TypeError("default_transaction_options must be an instance of "
                                "pymongo.client_session.TransactionOptions")
            self.engine.check_concerns("default_transaction_options",
                                       read_concern=default_transaction_options.read_concern,
                                       write_concern=default_transaction_options.write_concern,
                                       read_preference=default_transaction_options.read_preference)
        return EmbeddedSession(self, default_transaction_options)

    async def list_database_names(self, session: EmbeddedSession | None = None) -> list[str]:
        return sorted({db for db, _ in self.engine.catalog})

    async def drop_database(self, name_or_database: Any, session: EmbeddedSession | None = None) -> None:
        name = name_or_database.name if isinstance(name_or_database, EmbeddedDatabase) else name_or_database
        def job(ctx: Context) -> None:
            for (db, _), info in list(ctx.catalog.items()):
                if db == name:
                    ctx.drop_coll(info)
        await self.engine.write(job, session)

    async def expire_now(self) -> int:
        return await self.engine.expire_now()

    async def close(self) -> None:
        await self.engine.close()

    async def __aenter__(self) -> EmbeddedClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class EmbeddedDatabase(_Settings):
    def __init__(self, client: EmbeddedClient, name: str, options: _Options | None = None) -> None:
        self.client = client
        self.name = name
        self._options = options or client._options

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return EmbeddedCollection(self, name)

    def __getattr__(self, name: str) -> EmbeddedCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return EmbeddedCollection(self, name)

    def with_options(self, codec_options: CodecOptions | None = None, read_preference: _ServerMode | None = None,
                     write_concern: WriteConcern | None = None,
                     read_concern: ReadConcern | None = None) -> EmbeddedDatabase:
        return EmbeddedDatabase(self.client, self.name, self._options.derive(
            self.client.engine, "with_options", codec_options, read_preference, write_concern, read_concern))

    async def aggregate(self, pipeline: Any, *args: Any, **kwargs: Any) -> Any:
        raise OperationFailure("database-level aggregate is outside the embedded engine's subset: "
                               "aggregate on a collection", code=2)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EmbeddedDatabase) and (other.client, other.name) == (self.client, self.name)

    def __hash__(self) -> int:
        return hash((id(self.client), self.name))

    def __repr__(self) -> str:
        return f"EmbeddedDatabase({self.name!r})"

    def get_collection(self, name: str, codec_options: CodecOptions | None = None,
                       read_preference: _ServerMode | None = None, write_concern: WriteConcern | None = None,
                       read_concern: ReadConcern | None = None) -> EmbeddedCollection:
        return EmbeddedCollection(self, name, self._options.derive(self.client.engine, "get_collection", codec_options,
                                                                   read_preference, write_concern, read_concern))

    async def create_collection(self, name: str, session: EmbeddedSession | None = None, **options: Any) -> EmbeddedCollection:
        _reject("create_collection", options)
        db = self.name

        def job(ctx: Context) -> None:
            if ctx.coll(db, name) is not None:
                raise OperationFailure(f"Collection {db}.{name} already exists.", code=48)
            ctx.ensure_coll(db, name)

        await self.client.engine.write(job, session)
        return EmbeddedCollection(self, name)

    async def list_collection_names(self, session: EmbeddedSession | None = None, **options: Any) -> list[str]:
        _reject("list_collection_names", options)
        return sorted(name for db, name in self.client.engine.catalog if db == self.name)

    async def drop_collection(self, name_or_collection: Any, session: EmbeddedSession | None = None) -> None:
        name = name_or_collection.name if isinstance(name_or_collection, EmbeddedCollection) else name_or_collection
        await EmbeddedCollection(self, name).drop(session=session)

    async def command(self, command: Any, session: EmbeddedSession | None = None, **options: Any) -> dict[str, Any]:
        name = command if isinstance(command, str) else next(iter(command))
        if name == "ping":
            return {"ok": 1.0}
        raise OperationFailure(f"command {name!r} is outside the embedded engine's subset", code=59)


def _key_spec(keys_: Any) -> tuple[tuple[str, int], ...]:
    if isinstance(keys_, str):
        pairs: list[tuple[str, Any]] = [(keys_, 1)]
    elif isinstance(keys_, Mapping):
        pairs = list(keys_.items())
    else:
        pairs = [(item, 1) if isinstance(item, str) else tuple(item) for item in keys_]
    if not pairs:
        raise ValueError("key_or_list must not be empty")
    out = []
    for name, direction in pairs:
        if isinstance(direction, bool) or direction not in (1, -1):
            raise OperationFailure(
                f"index type {direction!r} on {name!r} is outside the embedded engine's subset (only 1 and -1)", code=67
            )
        out.append((name, int(direction)))
    return tuple(out)


_INDEX_OPTIONS = frozenset({"name", "unique", "sparse", "expireAfterSeconds", "background", "key", "v"})


def _index_info(document: Mapping[str, Any]) -> IndexInfo:
    for option in document:
        if option not in _INDEX_OPTIONS:
            raise OperationFailure(f"index option {option!r} is outside the embedded engine's subset", code=197)
    key = _key_spec(document["key"])
    ttl = document.get("expireAfterSeconds")
    if ttl is not None:
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl < 0:
            raise OperationFailure("TTL index 'expireAfterSeconds' option must be a non-negative number", code=67)
        if len(key) != 1:
            raise OperationFailure("TTL indexes are single-field indexes, compound indexes do not support TTL.", code=67)
    name = document.get("name") or "_".join(f"{field}_{direction}" for field, direction in key)
    return IndexInfo(id=0, name=name, key=key, unique=bool(document.get("unique")),
                     sparse=bool(document.get("sparse")), expire_after=ttl)


class EmbeddedCollection(_Settings):
    def __init__(self, database: EmbeddedDatabase, name: str, options: _Options | None = None) -> None:
        self.database = database
        self.name = name
        self._engine = database.client.engine
        self._db = database.name
        self._options = options or database._options

    def with_options(self, codec_options: CodecOptions | None = None, read_preference: _ServerMode | None = None,
                     write_concern: WriteConcern | None = None,
                     read_concern: ReadConcern | None = None) -> EmbeddedCollection:
        return EmbeddedCollection(self.database, self.name, self._options.derive(
            self._engine, "with_options", codec_options, read_preference, write_concern, read_concern))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner, _, method = self.full_name.rpartition(".")
        raise TypeError(f"{method!r} is not part of the embedded engine's API (see STORAGE.md): "
                        f"{owner!r} has no such method")

    @property
    def full_name(self) -> str:
        return f"{self._db}.{self.name}"

    def __repr__(self) -> str:
        return f"EmbeddedCollection({self.full_name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EmbeddedCollection) and (other.database, other.name) == (self.database, self.name)

    def __hash__(self) -> int:
        return hash((self._db, self.name))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(f"{name!r} is not part of the embedded engine's collection API (see STORAGE.md)")

    def _info(self, ctx: Context) -> CollInfo | None:
        return ctx.coll(self._db, self.name)

    # Inserts -------------------------------------------------------------------------------

    @_statement
    async def insert_one(self, document: MutableMapping[str, Any], *, session: EmbeddedSession | None = None,
                         **options: Any) -> InsertOneResult:
        _reject("insert_one", options)
        if type(document) is not dict and not isinstance(document, MutableMapping):
            raise TypeError("document must be an instance of dict, bson.son.SON, bson.raw_bson.RawBSONDocument, or a type that inherits from collections.MutableMapping")
        if "_id" not in document:
            document["_id"] = ObjectId()
        doc = dict(document)
        db, name = self._db, self.name

        def job(ctx: Context) -> None:
            ctx.insert(ctx.ensure_coll(db, name), doc)

        await self._engine.write(job, session, bounded=True)
        return InsertOneResult(document["_id"], True)

    @_statement
    async def insert_many(self, documents: Iterable[MutableMapping[str, Any]], ordered: bool = True, *,
                          session: EmbeddedSession | None = None, **options: Any) -> InsertManyResult:
        _reject("insert_many", options)
        if isinstance(documents, Mapping) or not isinstance(documents, Iterable):
            raise TypeError("documents must be a non-empty list")
        docs = []
        for document in documents:
            if type(document) is not dict and not isinstance(document, MutableMapping):
                raise TypeError("document must be an instance of dict")
            if "_id" not in document:
                document["_id"] = ObjectId()
            docs.append(dict(document))
        if not docs:
            raise TypeError("documents must be a non-empty list")
        db, name = self._db, self.name

        def job(ctx: Context) -> Any:
            info = ctx.ensure_coll(db, name)
            ctx.conn.execute("SAVEPOINT batch")
            try:
                ctx.insert_batch(info, docs)
            except (sqlite3.IntegrityError, OperationFailure):
                ctx.conn.execute("ROLLBACK TO batch")
                ctx.conn.execute("RELEASE batch")
            else:
                ctx.conn.execute("RELEASE batch")
                return [doc["_id"] for doc in docs]
            info = ctx.coll(db, name) or info
            inserted: list[Any] = []
            errors: list[dict[str, Any]] = []
            for position, doc in enumerate(docs):
                ctx.conn.execute("SAVEPOINT doc")
                try:
                    info = ctx.insert(info, doc)
                except (DuplicateKeyError, WriteError) as exc:
                    ctx.conn.execute("ROLLBACK TO doc")
                    ctx.conn.execute("RELEASE doc")
                    info = ctx.coll(db, name) or info
                    errors.append({**(exc.details or {}), "index": position, "code": exc.code,
                                   "errmsg": str(exc), "op": doc})
                    if ordered:
                        break
                    continue
                ctx.conn.execute("RELEASE doc")
                inserted.append(doc["_id"])
            if errors:
                return Partial(inserted, BulkWriteError({
                    "writeErrors": errors, "writeConcernErrors": [], "nInserted": len(inserted),
                    "nUpserted": 0, "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": [],
                }))
            return inserted

        ids = await self._engine.write(job, session)
        return InsertManyResult(ids, True)

    # Reads -------------------------------------------------------------------------------

    def find(self, filter: Mapping[str, Any] | None = None, projection: Any = None, skip: int = 0, limit: int = 0,
             *, sort: Any = None, batch_size: int = 0, session: EmbeddedSession | None = None,
             **options: Any) -> EmbeddedCursor:
        _reject("find", options)
        return EmbeddedCursor(self, filter, projection, skip, limit, normalize_sort(sort), session).batch_size(batch_size)

    async def find_one(self, filter: Any = None, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        if filter is not None and not isinstance(filter, Mapping):
            filter = {"_id": filter}
        kwargs.pop("limit", None)
        cursor = self.find(filter, *args, **kwargs).limit(1)
        docs = await cursor.to_list()
        return docs[0] if docs else None

    @_statement
    async def _query(self, filter_: Any, projection: Any, sort: list[tuple[str, int]], skip: int, limit: int, *,
                     size: int, session: EmbeddedSession | None) -> tuple[Scan, list[dict[str, Any]], Stats]:
        """A ``find``'s first batch of ``size`` documents (0: all): the scan to resume, the
        documents and what reading them took."""
        if filter_ is not None and not isinstance(filter_, Mapping):
            raise TypeError("filter must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
        project = compile_projection(projection)
        _check(filter_)
        needed = needed_fields(filter_ or {}, projection, sort)
        plan = self._engine.plan(self._db, self.name, filter_ or {}, sort, needed)
        predicate = _predicate(filter_, plan)

        def job(ctx: Context) -> tuple[Scan, list[dict[str, Any]], Stats]:
            # A fresh scan each time the job runs: a read that gave up on the loop starts over on a thread.
            scan = Scan(filter_, sort, skip, limit, plan, predicate, needed)
            docs = [doc for _, doc in ctx.fetch(self._info(ctx), scan, size)]
            return scan, ([project(doc) for doc in docs] if project else docs), ctx.stats

        short = plan.index is not None and (
            (0 < limit and skip + limit <= INLINE_ROWS and (plan.sorts or not sort))
            or (plan.exact and len(plan.ranges) <= INLINE_ROWS))
        missing = (self._db, self.name) not in self._engine.catalog
        return await self._engine.read(job, session, bounded=plan.point,
                                       budget=INLINE_ROWS if short or missing else 0)

    @_statement
    async def _get_more(self, scan: Scan, projection: Any, size: int, *,
                        session: EmbeddedSession | None) -> list[dict[str, Any]]:
        """A ``find``'s next batch of ``size`` documents (0: all the rest), from where ``scan`` stopped."""
        project = compile_projection(projection)

        def job(ctx: Context) -> list[dict[str, Any]]:
            docs = [doc for _, doc in ctx.fetch(self._info(ctx), scan, size)]
            return [project(doc) for doc in docs] if project else docs

        return await self._engine.read(job, session)

    @_statement
    async def count_documents(self, filter: Mapping[str, Any], *, session: EmbeddedSession | None = None,
                              skip: int = 0, limit: int = 0, **options: Any) -> int:
        _reject("count_documents", options)
        if not filter and not skip and not limit:
            return await self._count_all(session)

        def job(ctx: Context) -> int:
            info = self._info(ctx)
            counting = counting_index(info, filter) if info is not None and isinstance(filter, Mapping) else None
            if counting is None:
                return len(ctx.scan(info, filter, [], skip, limit))
            found = max(0, ctx.count_keys(*counting) - skip)
            return min(found, limit) if limit else found

        _compile(filter)
        return await self._engine.read(job, session)

    @_statement
    async def estimated_document_count(self, *, session: EmbeddedSession | None = None, **options: Any) -> int:
        _reject("estimated_document_count", options)
        if session is not None and session.in_transaction:
            # PyMongo sends MongoDB's ``count`` command, which a transaction refuses.
            raise OperationFailure("Cannot run 'count' in a multi-document transaction.", code=263)
        return await self._count_all(session)

    async def _count_all(self, session: EmbeddedSession | None) -> int:
        def job(ctx: Context) -> int:
            info = self._info(ctx)
            if info is None:
                return 0
            return int(ctx.conn.execute(f"SELECT count(*) FROM {info.table}").fetchone()[0])

        return await self._engine.read(job, session)

    @_statement
    async def distinct(self, key: str, filter: Mapping[str, Any] | None = None, *,
                       session: EmbeddedSession | None = None, **options: Any) -> list[Any]:
        _reject("distinct", options)
        if not isinstance(key, str):
            raise TypeError("key must be an instance of str")
        _compile(filter)
        parts = key.split(".")

        def job(ctx: Context) -> list[Any]:
            seen: set[bytes] = set()
            out: list[Any] = []
            for _, doc in ctx.scan(self._info(ctx), filter, []):
                for value in resolve(doc, parts):
                    items = value if isinstance(value, list) else [value]
                    for item in items:
                        if item is MISSING:
                            continue
                        marker = keys.encode(item)
                        if marker not in seen:
                            seen.add(marker)
                            out.append(item)
            return out

        return await self._engine.read(job, session)

    @_statement
    async def aggregate(self, pipeline: list[Mapping[str, Any]], *, session: EmbeddedSession | None = None,
                        **options: Any) -> EmbeddedCommandCursor:
        _reject("aggregate", options, ("allowDiskUse", "batchSize"))
        if not isinstance(pipeline, list):
            raise TypeError("pipeline must be a list")
        check_encodable(pipeline)
        run_pipeline([], pipeline)
        position = 0
        filter_: Mapping[str, Any] | None = None
        sort: list[tuple[str, int]] = []
        skip = limit = 0
        if position < len(pipeline) and "$match" in pipeline[position]:
            filter_ = pipeline[position]["$match"]
            position += 1
        if position < len(pipeline) and "$sort" in pipeline[position]:
            sort = normalize_sort(pipeline[position]["$sort"])
            position += 1
            if position < len(pipeline) and "$skip" in pipeline[position]:
                skip = int(pipeline[position]["$skip"])
                position += 1
            if position < len(pipeline) and "$limit" in pipeline[position]:
                limit = int(pipeline[position]["$limit"])
                position += 1
        rest = pipeline[position:]
        _compile(filter_)

        def job(ctx: Context) -> list[dict[str, Any]]:
            docs = [doc for _, doc in ctx.scan(self._info(ctx), filter_, sort, skip, limit)]
            return run_pipeline(docs, rest)

        return EmbeddedCommandCursor(await self._engine.read(job, session))

    # Updates -----------------------------------------------------------------------------

    def _update_job(self, filter_: Mapping[str, Any], change: Callable[[dict[str, Any]], dict[str, Any]],
                    upsert_doc: Callable[[], dict[str, Any]] | None, *, multi: bool,
                    sort: list[tuple[str, int]]) -> tuple[Callable[[Context], Any], bool]:
        """The write job of one update (and whether it is bounded: one document by a unique key)."""
        if not isinstance(filter_, Mapping):
            raise TypeError("filter must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
        _check(filter_)
        db, name = self._db, self.name
        plan = self._engine.plan(db, name, filter_, sort)
        predicate = _predicate(filter_, plan)

        def job(ctx: Context) -> Any:
            info = ctx.coll(db, name)
            matches = ctx.scan(info, filter_, sort, 0, 0 if multi else 1, plan, predicate)
            outcome: dict[str, Any] = {"n": 0, "nModified": 0, "before": None, "after": None}
            if not matches:
                if upsert_doc is None:
                    return outcome
                doc = upsert_doc()
                ctx.insert(ctx.ensure_coll(db, name), doc)
                outcome.update(n=1, upserted=doc["_id"], after=doc)
                return outcome
            assert info is not None
            for rowid, doc in matches:
                if multi:
                    ctx.conn.execute("SAVEPOINT doc")
                try:
                    new = change(doc)
                    blob = encode_doc(new)
                    if blob != encode_doc(doc):
                        info = ctx.replace_doc(info, rowid, doc, new, blob)
                        outcome["nModified"] += 1
                except (WriteError, DuplicateKeyError) as exc:
                    if not multi:
                        raise
                    ctx.conn.execute("ROLLBACK TO doc")
                    ctx.conn.execute("RELEASE doc")
                    if outcome["n"] == 0:
                        raise
                    return Partial(outcome, exc)
                if multi:
                    ctx.conn.execute("RELEASE doc")
                outcome["n"] += 1
                outcome["before"], outcome["after"] = doc, new
            return outcome

        return job, plan.point and not multi

    async def _update(self, filter_: Mapping[str, Any], change: Callable[[dict[str, Any]], dict[str, Any]],
                      upsert_doc: Callable[[], dict[str, Any]] | None, *, multi: bool, sort: list[tuple[str, int]],
                      session: EmbeddedSession | None) -> dict[str, Any]:
        job, bounded = self._update_job(filter_, change, upsert_doc, multi=multi, sort=sort)
        return await self._engine.write(job, session, bounded=bounded)

    def _updater(self, filter_: Mapping[str, Any], update: Any, array_filters: Any) -> Updater:
        validate_update(update)
        if array_filters is not None and not isinstance(array_filters, list):
            raise TypeError("array_filters must be a list")
        return Updater(update, array_filters, filter_)

    @staticmethod
    def _upserted(updater: Updater, filter_: Mapping[str, Any]) -> Callable[[], dict[str, Any]]:
        def build() -> dict[str, Any]:
            doc = updater.apply(upsert_seed(filter_), inserting=True)
            if "_id" not in doc:
                doc = {"_id": ObjectId(), **doc}
            return doc
        return build

    @staticmethod
    def _replacer(filter_: Mapping[str, Any], replacement: Any) -> tuple[Callable[[dict[str, Any]], dict[str, Any]],
                                                                         Callable[[], dict[str, Any]]]:
        """A replacement's change of a matched document (which keeps its ``_id``) and its upsert."""
        validate_replacement(replacement)
        body = dict(replacement)

        def change(doc: dict[str, Any]) -> dict[str, Any]:
            if "_id" in body and keys.encode(body["_id"]) != keys.encode(doc["_id"]):
                raise WriteError(
                    "After applying the update, the (immutable) field '_id' was found to have been altered "
                    f"to _id: {body['_id']!r}", code=66,
                )
            return {"_id": doc["_id"], **{k: v for k, v in body.items() if k != "_id"}}

        def build() -> dict[str, Any]:
            seed = upsert_seed(filter_)
            new_id = body.get("_id", seed.get("_id", ObjectId()))
            return {"_id": new_id, **{k: v for k, v in body.items() if k != "_id"}}

        return change, build

    @staticmethod
    def _update_result(outcome: dict[str, Any]) -> UpdateResult:
        raw: dict[str, Any] = {"n": outcome["n"], "nModified": outcome["nModified"], "ok": 1.0,
                               "updatedExisting": "upserted" not in outcome and outcome["n"] > 0}
        if "upserted" in outcome:
            raw["upserted"] = outcome["upserted"]
        return UpdateResult(raw, True)

    @_statement
    async def update_one(self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False, *,
                         array_filters: list[Mapping[str, Any]] | None = None,
                         session: EmbeddedSession | None = None, **options: Any) -> UpdateResult:
        _reject("update_one", options)
        updater = self._updater(filter, update, array_filters)
        outcome = await self._update(filter, updater.apply, self._upserted(updater, filter) if upsert else None,
                                     multi=False, sort=[], session=session)
        return self._update_result(outcome)

    @_statement
    async def update_many(self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False, *,
                          array_filters: list[Mapping[str, Any]] | None = None,
                          session: EmbeddedSession | None = None, **options: Any) -> UpdateResult:
        _reject("update_many", options)
        updater = self._updater(filter, update, array_filters)
        outcome = await self._update(filter, updater.apply, self._upserted(updater, filter) if upsert else None,
                                     multi=True, sort=[], session=session)
        return self._update_result(outcome)

    @_statement
    async def replace_one(self, filter: Mapping[str, Any], replacement: Mapping[str, Any], upsert: bool = False, *,
                          session: EmbeddedSession | None = None, **options: Any) -> UpdateResult:
        _reject("replace_one", options)
        change, build = self._replacer(filter, replacement)
        outcome = await self._update(filter, change, build if upsert else None, multi=False, sort=[], session=session)
        return self._update_result(outcome)

    @_statement
    async def find_one_and_update(self, filter: Mapping[str, Any], update: Mapping[str, Any], projection: Any = None,
                                  sort: Any = None, upsert: bool = False,
                                  return_document: bool = ReturnDocument.BEFORE, *,
                                  array_filters: list[Mapping[str, Any]] | None = None,
                                  session: EmbeddedSession | None = None, **options: Any) -> dict[str, Any] | None:
        _reject("find_one_and_update", options)
        updater = self._updater(filter, update, array_filters)
        project = compile_projection(projection)
        outcome = await self._update(filter, updater.apply, self._upserted(updater, filter) if upsert else None,
                                     multi=False, sort=normalize_sort(sort), session=session)
        doc = outcome["after"] if return_document else outcome["before"]
        if doc is None:
            return None
        return project(doc) if project else doc

    @_statement
    async def find_one_and_replace(self, filter: Mapping[str, Any], replacement: Mapping[str, Any],
                                   projection: Any = None, sort: Any = None, upsert: bool = False,
                                   return_document: bool = ReturnDocument.BEFORE, *,
                                   session: EmbeddedSession | None = None, **options: Any) -> dict[str, Any] | None:
        _reject("find_one_and_replace", options)
        change, build = self._replacer(filter, replacement)
        project = compile_projection(projection)
        outcome = await self._update(filter, change, build if upsert else None, multi=False,
                                     sort=normalize_sort(sort), session=session)
        doc = outcome["after"] if return_document else outcome["before"]
        if doc is None:
            return None
        return project(doc) if project else doc

    # Deletes -----------------------------------------------------------------------------

    def _delete_job(self, filter_: Mapping[str, Any], *, multi: bool,
                    sort: list[tuple[str, int]]) -> tuple[Callable[[Context], list[dict[str, Any]]], bool]:
        if not isinstance(filter_, Mapping):
            raise TypeError("filter must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
        _check(filter_)
        plan = self._engine.plan(self._db, self.name, filter_, sort)
        predicate = _predicate(filter_, plan)

        def job(ctx: Context) -> list[dict[str, Any]]:
            info = self._info(ctx)
            matches = ctx.scan(info, filter_, sort, 0, 0 if multi else 1, plan, predicate)
            for rowid, doc in matches:
                assert info is not None
                ctx.delete(info, rowid, doc)
            return [doc for _, doc in matches]

        return job, plan.point and not multi

    async def _delete(self, filter_: Mapping[str, Any], *, multi: bool, sort: list[tuple[str, int]],
                      session: EmbeddedSession | None) -> list[dict[str, Any]]:
        job, bounded = self._delete_job(filter_, multi=multi, sort=sort)
        return await self._engine.write(job, session, bounded=bounded)

    @_statement
    async def delete_one(self, filter: Mapping[str, Any], *, session: EmbeddedSession | None = None,
                         **options: Any) -> DeleteResult:
        _reject("delete_one", options)
        gone = await self._delete(filter, multi=False, sort=[], session=session)
        return DeleteResult({"n": len(gone), "ok": 1.0}, True)

    @_statement
    async def delete_many(self, filter: Mapping[str, Any], *, session: EmbeddedSession | None = None,
                          **options: Any) -> DeleteResult:
        _reject("delete_many", options)
        gone = await self._delete(filter, multi=True, sort=[], session=session)
        return DeleteResult({"n": len(gone), "ok": 1.0}, True)

    @_statement
    async def find_one_and_delete(self, filter: Mapping[str, Any], projection: Any = None, sort: Any = None, *,
                                  session: EmbeddedSession | None = None, **options: Any) -> dict[str, Any] | None:
        _reject("find_one_and_delete", options)
        project = compile_projection(projection)
        gone = await self._delete(filter, multi=False, sort=normalize_sort(sort), session=session)
        if not gone:
            return None
        return project(gone[0]) if project else gone[0]

    # Bulk writes -------------------------------------------------------------------------

    def _bulk_step(self, request: Any) -> tuple[str, dict[str, Any], Callable[[Context], Any]]:
        """One request of ``bulk_write``, checked as PyMongo checks it before sending anything:
        its kind, the operation as MongoDB reports it in a write error, and its job."""
        if isinstance(request, InsertOne):
            document = request._doc
            if not isinstance(document, MutableMapping):
                raise TypeError("document must be an instance of dict")
            if "_id" not in document:
                document["_id"] = ObjectId()
            doc = dict(document)
            check_encodable(doc)
            db, name = self._db, self.name
            return "insert", doc, lambda ctx: ctx.insert(ctx.ensure_coll(db, name), doc)
        if not isinstance(request, (UpdateOne, UpdateMany, ReplaceOne, DeleteOne, DeleteMany)):
            raise TypeError(f"{request!r} is not a valid request")
        kind = type(request).__name__
        for option in ("_collation", "_hint"):
            if getattr(request, option, None) is not None:
                raise OperationFailure(f"option {option[1:]!r} of {kind} is outside the embedded engine's subset", code=2)
        filter_ = request._filter
        if isinstance(request, (DeleteOne, DeleteMany)):
            multi = isinstance(request, DeleteMany)
            job, _ = self._delete_job(filter_, multi=multi, sort=[])
            return "delete", {"q": filter_, "limit": 0 if multi else 1}, job
        sort = normalize_sort(request._sort)
        if isinstance(request, ReplaceOne):
            change, build = self._replacer(filter_, request._doc)
            multi = False
        else:
            updater = self._updater(filter_, request._doc, request._array_filters)
            change, build = updater.apply, self._upserted(updater, filter_)
            multi = isinstance(request, UpdateMany)
        job, _ = self._update_job(filter_, change, build if request._upsert else None, multi=multi, sort=sort)
        return "update", {"q": filter_, "u": request._doc, "multi": multi, "upsert": bool(request._upsert)}, job

    @_statement
    async def bulk_write(self, requests: list[Any], ordered: bool = True, bypass_document_validation: Any = None,
                         session: EmbeddedSession | None = None, comment: Any = None,
                         let: Any = None) -> BulkWriteResult:
        """PyMongo's ``bulk_write``: the requests in order; an ordered bulk stops at the first
        write error, an unordered one carries on; what was written before an error stays
        written (outside a transaction) and the error is a ``BulkWriteError`` whose ``details``
        are MongoDB's (``writeErrors`` with ``index``, ``code``, ``errmsg``, ``op``)."""
        if not isinstance(requests, list):
            raise TypeError("requests must be a list")
        if not requests:
            raise InvalidOperation("No operations to execute")
        steps = [self._bulk_step(request) for request in requests]

        def job(ctx: Context) -> Any:
            totals: dict[str, Any] = {"writeErrors": [], "writeConcernErrors": [], "nInserted": 0, "nUpserted": 0,
                                      "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": []}
            for position, (kind, op, step) in enumerate(steps):
                ctx.conn.execute("SAVEPOINT bulk")
                try:
                    outcome = step(ctx)
                except WriteError as exc:
                    ctx.conn.execute("ROLLBACK TO bulk")
                    ctx.conn.execute("RELEASE bulk")
                    failure: Exception | None = exc
                    outcome = None
                else:
                    ctx.conn.execute("RELEASE bulk")
                    failure = None
                    if isinstance(outcome, Partial):
                        outcome, failure = outcome.result, outcome.error
                if kind == "insert" and failure is None:
                    totals["nInserted"] += 1
                elif kind == "delete":
                    totals["nRemoved"] += len(outcome or [])
                elif kind == "update" and outcome is not None:
                    if "upserted" in outcome:
                        totals["nUpserted"] += 1
                        totals["upserted"].append({"index": position, "_id": outcome["upserted"]})
                    else:
                        totals["nMatched"] += outcome["n"]
                        totals["nModified"] += outcome["nModified"]
                if failure is not None:
                    assert isinstance(failure, WriteError)
                    totals["writeErrors"].append({**(failure.details or {}), "index": position, "code": failure.code,
                                                  "errmsg": str(failure), "op": op})
                    if ordered:
                        break
            if totals["writeErrors"]:
                return Partial(totals, BulkWriteError(totals))
            return totals

        return BulkWriteResult(await self._engine.write(job, session), True)

    # Indexes -----------------------------------------------------------------------------

    @_statement
    async def create_index(self, keys: Any, *, session: EmbeddedSession | None = None, **options: Any) -> str:
        names = await self._create([_index_info({"key": keys, **options})], session)
        return names[0]

    @_statement
    async def create_indexes(self, indexes: list[IndexModel], *, session: EmbeddedSession | None = None,
                             **options: Any) -> list[str]:
        _reject("create_indexes", options)
        infos = []
        for model in indexes:
            if not isinstance(model, IndexModel):
                raise TypeError(f"{model!r} is not an instance of pymongo.operations.IndexModel")
            infos.append(_index_info(model.document))
        return await self._create(infos, session)

    async def _create(self, wanted: list[IndexInfo], session: EmbeddedSession | None) -> list[str]:
        if session is not None and session.in_transaction:
            raise OperationFailure("the embedded engine does not create indexes inside a transaction", code=263)
        db, name = self._db, self.name

        def job(ctx: Context) -> list[str]:
            info = ctx.ensure_coll(db, name)
            for index in wanted:
                existing = next((i for i in info.indexes if i.name == index.name), None)
                if existing is not None:
                    if existing.same_options(index):
                        continue
                    raise OperationFailure(
                        f"An existing index has the same name as the requested index. When index names are not "
                        f"specified, they are auto generated and can cause conflicts. Requested index: "
                        f"{index.spec()}, existing index: {existing.spec()}", code=86,
                    )
                clash = next((i for i in info.indexes if i.key == index.key), None)
                if clash is not None:
                    raise OperationFailure(
                        f"Index already exists with a different name: {clash.name}", code=85
                    )
                info = ctx.add_index(info, index)
            return [index.name for index in wanted]

        return await self._engine.write(job, session)

    @_statement
    async def drop_index(self, index_or_name: Any, *, session: EmbeddedSession | None = None, **options: Any) -> None:
        _reject("drop_index", options)
        db, name = self._db, self.name
        if isinstance(index_or_name, str):
            wanted_name: str | None = index_or_name
            wanted_key = None
        else:
            wanted_name, wanted_key = None, _key_spec(index_or_name)

        def job(ctx: Context) -> None:
            info = ctx.coll(db, name)
            found = None
            if info is not None:
                found = next((i for i in info.indexes if i.name == wanted_name or i.key == wanted_key), None)
            if info is None or found is None:
                raise OperationFailure(f"index not found with name [{wanted_name or wanted_key}]", code=27)
            if found.name == "_id_":
                raise OperationFailure("cannot drop _id index", code=72)
            ctx.drop_index(info, found)

        await self._engine.write(job, session)

    @_statement
    async def drop_indexes(self, *, session: EmbeddedSession | None = None, **options: Any) -> None:
        _reject("drop_indexes", options)
        db, name = self._db, self.name

        def job(ctx: Context) -> None:
            info = ctx.coll(db, name)
            if info is None:
                return
            for index in info.indexes:
                if index.name != "_id_":
                    ctx.drop_index(ctx.coll(db, name) or info, index)

        await self._engine.write(job, session)

    async def index_information(self, *, session: EmbeddedSession | None = None) -> dict[str, dict[str, Any]]:
        info = self._engine.catalog.get((self._db, self.name))
        out: dict[str, dict[str, Any]] = {}
        for index in info.indexes if info else ():
            entry: dict[str, Any] = {"v": 2, "key": list(index.key)}
            if index.unique and index.name != "_id_":
                entry["unique"] = True
            if index.sparse:
                entry["sparse"] = True
            if index.expire_after is not None:
                entry["expireAfterSeconds"] = index.expire_after
            out[index.name] = entry
        return out

    @_statement
    async def list_indexes(self, session: EmbeddedSession | None = None, comment: Any = None) -> EmbeddedCommandCursor:
        """The index documents as MongoDB lists them (``v``, ``key`` in order, ``name``, then the
        options); an empty cursor for a collection that does not exist."""
        if session is not None and session.in_transaction:
            raise OperationFailure("Cannot run 'listIndexes' in a multi-document transaction.", code=263)
        info = self._engine.catalog.get((self._db, self.name))
        out: list[dict[str, Any]] = []
        for index in info.indexes if info else ():
            entry = SON([("v", 2), ("key", SON(index.key)), ("name", index.name)])
            if index.unique and index.name != "_id_":
                entry["unique"] = True
            if index.sparse:
                entry["sparse"] = True
            if index.expire_after is not None:
                entry["expireAfterSeconds"] = index.expire_after
            out.append(entry)
        return EmbeddedCommandCursor(out)

    @_statement
    async def drop(self, *, session: EmbeddedSession | None = None, **options: Any) -> None:
        _reject("drop", options)
        db, name = self._db, self.name

        def job(ctx: Context) -> None:
            info = ctx.coll(db, name)
            if info is not None:
                ctx.drop_coll(info)

        await self._engine.write(job, session)
