"""The embedded engine: one tantivy index in a folder (or in memory), no server to run.

Tantivy's calls are CPU-bound and hold no Python state that needs the loop, so each runs in a
worker thread; writes go through one writer, one call at a time, and are committed and made
visible before ``upsert`` and ``delete`` return.

Several processes may share one folder (several servers on one embedded store): tantivy lets one
writer at a time hold its lock, and the others open the index to search only. Their readers see
the writer's commits within a moment (tantivy reloads on a commit); their writes raise
:class:`WriterBusy`, and :meth:`EmbeddedEngine.can_write` says so beforehand, trying at most every
``takeover_seconds`` to take the lock over, so that the next process takes up the writing when
the writer stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, FieldType, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from search.definitions import GROUP_FIELD, PHYSICAL, definition
from search.engine import (CROP_WORDS, CROPPED_FIELDS, MAX_FACET_VALUES, Document, Hit, SearchRequest,
                           SearchResult, Sort, build_request, prepare)
from search.filters import And, In, Not, Or, Range, SearchFilter
from search.text import WORD_PATTERN, QueryWord, highlight, parse_query

log = logging.getLogger(__name__)

TOKENIZER = "community_words"
WRITER_HEAP = 128_000_000
TAKEOVER_SECONDS = 5.0
"""How often a process that opened a shared index to search only tries to take over its writer."""
GROUP_SAMPLE = 1_000
"""Ranked documents a grouped search reads at least (more on deep pages). When these are all
the matches, its total and facets are exact; when more match, its total is the number of results
among them ("at least N"), and its facet counts count those first results only: counting a word
that matches 40 % of a million documents by group took ten times the search itself."""
GROUP_HASH = "group_hash"
"""The group as a number, a fast field: tantivy reads numbers of ranked documents without their
source, and a set of them restricts a search to the groups already ranked."""
EXACT_BOOST = 2.0
"""An exact word counts twice a typo or prefix match of the same field, as Meilisearch ranks
fewer typos first."""


TIERS: dict[str, str] = {name: f"text_w{weight}" for name, weight in PHYSICAL.searchable.items()}
"""Searchable fields of equal weight share one tantivy field: a query word then needs one clause
per weight, not one per field, which halves query time; highlights come from the stored source."""
TIER_WEIGHTS: dict[str, int] = {f"text_w{weight}": weight for weight in sorted(set(PHYSICAL.searchable.values()))}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("source", stored=True, indexed=False)
    for name in TIER_WEIGHTS:
        builder.add_text_field(name, stored=False, tokenizer_name=TOKENIZER, index_option="freq")
    for name in PHYSICAL.keywords:
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for name in PHYSICAL.numbers:
        builder.add_integer_field(name, stored=False, indexed=True, fast=True)
    builder.add_unsigned_field(GROUP_HASH, stored=False, indexed=True, fast=True)
    return builder.build()


def _fingerprint() -> str:
    layout = {"searchable": TIERS, "keywords": PHYSICAL.keywords,
              "numbers": PHYSICAL.numbers, "tokenizer": WORD_PATTERN, "version": 3}
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()


def _key(index: str, doc_id: str) -> str:
    return f"{index}\x1f{doc_id}"


def _group_hash(group: str) -> int:
    """64 bits: two groups of a million share one with odds of one in 10^7 (then they list once)."""
    return int.from_bytes(hashlib.blake2b(group.encode(), digest_size=8).digest(), "big")


class WriterBusy(RuntimeError):
    """Another process holds this index's writer; this one may only search it."""


@contextlib.contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Hold a lock beside the index folder while one process checks its layout and opens it, so
    that two processes starting together on a new folder never take the other's half-made index
    for one of an older layout and remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.opening", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class EmbeddedEngine:
    """``SearchEngine`` on tantivy. ``path`` None keeps the index in memory (tests)."""

    def __init__(self, path: Path | None, *, takeover_seconds: float = TAKEOVER_SECONDS) -> None:
        self.path = path
        self.needs_reindex = False
        """True when an index of an older layout was discarded at start: run ``reindex``."""
        self.takeover_seconds = takeover_seconds
        self._schema = _schema()
        self._index: tantivy.Index | None = None
        self._writer: Any = None
        self._write_lock = asyncio.Lock()
        self._next_takeover = 0.0

    async def ensure_indexes(self) -> None:
        if self._index is None:
            await asyncio.to_thread(self._open)
            if self._writer is None:
                log.info("another process writes the search index at %s; this one searches it and takes "
                         "over the writing when that process stops", self.path)
                self._next_takeover = asyncio.get_running_loop().time() + self.takeover_seconds

    def _open(self) -> None:
        if self.path is None:
            index = tantivy.Index(self._schema)
        else:
            with _opening(self.path):
                index = self._open_folder(self.path)
        index.register_tokenizer(
            TOKENIZER, TextAnalyzerBuilder(Tokenizer.regex(WORD_PATTERN)).filter(Filter.lowercase()).build())
        self._index = index
        self._take_writer()

    def _open_folder(self, path: Path) -> tantivy.Index:
        marker = path / "layout"
        if path.exists() and (not marker.exists() or marker.read_text() != _fingerprint()):
            if any(path.iterdir()):
                log.warning("search index at %s has an older layout; starting empty, run reindex", path)
                self.needs_reindex = True
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self._schema, path=str(path), reuse=True)
        marker.write_text(_fingerprint())
        return index

    def _take_writer(self) -> bool:
        """Take the index's writer, unless another process holds it (tantivy's lock file)."""
        try:
            self._writer = self._ready().writer(WRITER_HEAP, 2)
        except ValueError as error:
            if "LockBusy" not in str(error):
                raise
            return False
        return True

    async def can_write(self) -> bool:
        """Whether writes may go to this index now. A process that opened it to search only
        tries to take the writer over, at most every ``takeover_seconds``."""
        if self._writer is not None or self._index is None:
            return True  # writing to an engine not opened yet fails, saying so
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_takeover:
            return False
        async with self._write_lock:
            taken = self._writer is not None or await asyncio.to_thread(self._take_writer)
        if taken:
            log.info("this process now writes the search index at %s", self.path)
        else:
            self._next_takeover = loop.time() + self.takeover_seconds
        return taken

    def _ready(self) -> tantivy.Index:
        if self._index is None:
            raise RuntimeError("call ensure_indexes() first")
        return self._index

    async def upsert(self, index: str, docs: Sequence[Document]) -> None:
        prepared = [prepare(index, d) for d in docs]
        if prepared:
            self._ready()
            await self._on_writer(self._write, prepared, [])

    async def delete(self, index: str, ids: Sequence[str]) -> None:
        definition(index)
        if ids:
            self._ready()
            await self._on_writer(self._write, [], [_key(index, i) for i in ids])

    async def clear(self, index: str) -> None:
        definition(index)
        self._ready()
        await self._on_writer(self._clear, index)

    async def _on_writer(self, job: Callable[..., None], *args: Any) -> None:
        """Run ``job`` in a thread while holding the write lock until the job has finished, even
        if the awaiting task is cancelled (the thread cannot be stopped): tantivy's writer is one
        object, and a second thread using it meanwhile fails with "Already borrowed"."""
        await self._write_lock.acquire()
        try:
            if self._writer is None:
                raise WriterBusy(f"another process writes the search index at {self.path}")
            future = asyncio.get_running_loop().run_in_executor(None, job, *args)
        except BaseException:
            self._write_lock.release()
            raise

        def done(finished: asyncio.Future[None]) -> None:
            self._write_lock.release()
            if not finished.cancelled():
                finished.exception()  # retrieved here too, for a caller that was cancelled

        future.add_done_callback(done)
        await asyncio.shield(future)

    def _clear(self, index: str) -> None:
        self._writer.delete_documents_by_term("index", index)
        self._commit()

    def _write(self, docs: list[dict[str, Any]], deleted_keys: list[str]) -> None:
        try:
            for key in deleted_keys:
                self._writer.delete_documents_by_term("key", key)
            for doc in docs:
                key = _key(doc["index"], doc["id"])
                self._writer.delete_documents_by_term("key", key)
                self._writer.add_document(self._tantivy_document(key, doc))
            self._commit()
        except BaseException:
            self._writer.rollback()
            raise

    def _commit(self) -> None:
        self._writer.commit()
        self._ready().reload()

    @staticmethod
    def _tantivy_document(key: str, doc: dict[str, Any]) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("key", key)
        out.add_bytes("source", json.dumps(doc, ensure_ascii=False).encode())
        out.add_unsigned(GROUP_HASH, _group_hash(doc[GROUP_FIELD]))
        for name, value in doc.items():
            if name in TIERS:
                out.add_text(TIERS[name], value)
            elif name in PHYSICAL.numbers:
                out.add_integer(name, value)
            elif name in PHYSICAL.keywords:
                for item in value if isinstance(value, list) else [value]:
                    out.add_text(name, item)
        return out

    async def count(self, index: str) -> int:
        definition(index)
        searcher = self._ready().searcher()
        return await asyncio.to_thread(
            lambda: searcher.search(Query.term_query(self._schema, "index", index), 1).count)  # type: ignore[attr-defined]  # tantivy's stub omits it

    async def search(self, index: str, query: str, filters: SearchFilter | None = None,
                     facets: Iterable[str] = (), sort: Sort | None = None, page: int = 1,
                     per_page: int = 20, highlight: bool = True, grouped: bool = False) -> SearchResult:
        request = build_request(index, query, filters, facets, sort, page, per_page, highlight, grouped)
        self._ready()
        return await asyncio.to_thread(self._search, request)

    def _search(self, request: SearchRequest) -> SearchResult:
        searcher = self._ready().searcher()
        words = parse_query(request.query)
        query = self._query(words, request.filter)
        order: dict[str, Any] = {}
        if request.sort is not None:
            order["order_by_field"] = request.sort.field
            order["order"] = Order.Asc if request.sort.order == "asc" else Order.Desc
        seen: dict[str, int] = {}
        if not request.grouped:
            found = searcher.search(query, request.per_page, count=True,
                                    offset=(request.page - 1) * request.per_page, **order)
            hits = [self._hit(self._source(searcher, address), words, request.highlight, seen)
                    for _, address in found.hits]
            return SearchResult(hits, found.count or 0, request.page, request.per_page,  # type: ignore[attr-defined]  # tantivy's stub omits it
                                self._facets(searcher, query, request.facets))
        page, read, groups, exact = self._grouped_page(searcher, query, request, order)
        hits = [self._hit(self._source(searcher, address), words, request.highlight, seen) for address in page]
        return SearchResult(hits, groups, request.page, request.per_page,
                            self._group_facets(searcher, read, request.facets), exact=exact,
                            facets_sample=0 if exact or not request.facets else groups)

    @staticmethod
    def _source(searcher: tantivy.Searcher, address: Any) -> dict[str, Any]:
        source = searcher.doc(address).get_first("source")
        assert source is not None  # upsert stores every document's source
        stored: dict[str, Any] = json.loads(source)
        return stored

    @staticmethod
    def _grouped_page(searcher: tantivy.Searcher, query: Query, request: SearchRequest,
                      order: dict[str, Any]) -> tuple[list[Any], list[tuple[Any, int]], int, bool]:
        """The page's documents (addresses), each the first of its group in ranked order; every
        ranked document read, with its group; the number of groups found; whether those are
        every group that matches (then the documents read are every match). Tantivy has no
        collapsing collector, so ranked documents are read ``GROUP_SAMPLE`` (or twice the groups
        the page needs) at a time, with their group from the fast field, until the page and one
        more group are found or the matches end: the page knows whether a next one exists."""
        skip = (request.page - 1) * request.per_page
        wanted = skip + request.per_page
        batch = max(GROUP_SAMPLE, 2 * wanted)
        first: dict[int, Any] = {}
        read: list[tuple[Any, int]] = []
        offset = 0
        while True:
            found = searcher.search(query, batch, count=False, offset=offset, **order)
            addresses = [address for _, address in found.hits]
            for address, group in zip(addresses, searcher.fast_field_values(GROUP_HASH, addresses)):
                read.append((address, int(group or 0)))
                first.setdefault(int(group or 0), address)
            if len(addresses) < batch or len(first) > wanted:
                return list(first.values())[skip:wanted], read, len(first), len(addresses) < batch
            offset += batch

    @classmethod
    def _group_facets(cls, searcher: tantivy.Searcher, read: list[tuple[Any, int]],
                      facets: tuple[str, ...]) -> dict[str, dict[str, int]]:
        """Groups per value among the ranked documents read, from their stored sources: tantivy-py
        reads no text fast field by address, and aggregating again over the groups' documents
        (a term set of up to 1,000 groups) took 80 ms at a million documents; 1,000 sources take
        about 20. Each source is dropped once read, so that a thousand dicts alive at once do
        not bring on a full garbage collection. When the documents read are every match, these
        are the exact counts."""
        groups: dict[str, dict[str, set[int]]] = {name: {} for name in facets}
        for address, group in read if facets else ():
            stored = cls._source(searcher, address)
            for name, values in groups.items():
                value = stored.get(name)
                for item in value if isinstance(value, list) else () if value is None else (value,):
                    values.setdefault(item, set()).add(group)
        return {name: dict(sorted(((v, len(g)) for v, g in values.items()),
                                  key=lambda kv: (-kv[1], kv[0]))[:MAX_FACET_VALUES])
                for name, values in groups.items()}

    @staticmethod
    def _hit(stored: dict[str, Any], words: list[QueryWord], with_highlights: bool, seen: dict[str, int]) -> Hit:
        index = stored.pop("index")
        highlights: dict[str, str] = {}
        if with_highlights:
            for name in definition(index).searchable:
                if name in stored:
                    highlights[name] = highlight(stored[name], words,
                                                 CROP_WORDS if name in CROPPED_FIELDS else None, seen)[0]
        return Hit(index, stored["id"], stored, highlights)

    @staticmethod
    def _facets(searcher: tantivy.Searcher, query: Query, facets: tuple[str, ...]) -> dict[str, dict[str, int]]:
        """Matching documents per value."""
        if not facets:
            return {}
        spec = {name: {"terms": {"field": name, "size": MAX_FACET_VALUES}} for name in facets}
        result = searcher.aggregate(query, spec)
        return {name: dict(sorted(((b["key"], int(b["doc_count"])) for b in result[name]["buckets"]),
                                  key=lambda kv: (-kv[1], kv[0])))
                for name in facets}

    def _query(self, words: list[QueryWord], filters: SearchFilter | None) -> Query:
        clauses = [(Occur.Must, self._word_query(w)) for w in words]
        if filters is not None:
            clauses.append((Occur.Must, Query.const_score_query(self._filter_query(filters), 0.0)))
        if not clauses:
            return Query.all_query()
        return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

    def _word_query(self, word: QueryWord) -> Query:
        alternatives = []
        for name, weight in TIER_WEIGHTS.items():
            alternatives.append((Occur.Should, Query.boost_query(
                Query.term_query(self._schema, name, word.text), weight * EXACT_BOOST)))
            if word.typos or word.prefix:
                alternatives.append((Occur.Should, Query.boost_query(Query.fuzzy_term_query(
                    self._schema, name, word.text, word.typos, True, word.prefix), float(weight))))
        return Query.boolean_query(alternatives)

    def _filter_query(self, f: SearchFilter) -> Query:
        if isinstance(f, In):
            if len(f.values) == 1:
                return Query.term_query(self._schema, f.field, f.values[0])
            return Query.term_set_query(self._schema, f.field, list(f.values))
        if isinstance(f, Range):
            return Query.range_query(self._schema, f.field, FieldType.Integer, f.gte, f.lte)
        if isinstance(f, And):
            clauses = [(Occur.MustNot, self._filter_query(p.part)) if isinstance(p, Not)
                       else (Occur.Must, self._filter_query(p)) for p in f.parts]
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(f, Or):
            if not f.parts:
                return Query.empty_query()
            return Query.boolean_query([(Occur.Should, self._filter_query(p)) for p in f.parts])
        if isinstance(f, Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()),
                                        (Occur.MustNot, self._filter_query(f.part))])
        raise TypeError(f"not a search filter: {f!r}")

    async def close(self) -> None:
        if self._writer is not None:
            await self._on_writer(self._close_writer)
        self._index = None

    def _close_writer(self) -> None:
        writer, self._writer, self._index = self._writer, None, None
        if writer is not None:
            writer.wait_merging_threads()

