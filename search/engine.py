"""The one interface every search engine offers, and what a search returns."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from search.definitions import ALL, GROUP_FIELD, INDEXES, PHYSICAL, definition
from search.filters import SearchFilter, both, where
from search.text import normalise

Document = Mapping[str, Any]
"""A search document: ``id`` (str, unique within its index) and the fields of its index
definition; lists of strings are allowed in keyword and searchable fields."""

CROPPED_FIELDS = frozenset({"body", "bio"})
"""Long fields whose highlight is a window around the first match, not the whole text."""
CROP_WORDS = 30
MAX_PER_PAGE = 100
MAX_FACET_VALUES = 100
"""Meilisearch's default ``maxValuesPerFacet``; both engines return at most this many values."""
INDEX_FACET = "index"
"""Every search may count its hits by logical index (``threads_posts``, ``people``, ...)."""


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    order: Literal["asc", "desc"] = "desc"

    def __post_init__(self) -> None:
        if self.field not in PHYSICAL.sortable:
            raise ValueError(f"{self.field!r} is not sortable; sortable: {', '.join(PHYSICAL.sortable)}")
        if self.order not in ("asc", "desc"):
            raise ValueError("order is 'asc' or 'desc'")


@dataclass(frozen=True, slots=True)
class Hit:
    index: str
    id: str
    document: dict[str, Any]
    highlights: dict[str, str]
    """Searchable field -> HTML-escaped text with matches in ``<mark>`` (safe to insert as markup)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Facet -> value -> number of matching documents (of groups, in a grouped search), most
    frequent first."""
    exact: bool = True
    """False: more documents match than the engine read to count the results, so ``total`` is a
    lower bound ("at least"); the pages up to ``pages`` are there, and a next one when one exists."""
    facets_sample: int = 0
    """Not 0: the facet counts count only the first this many results (of ``total``), as ranked."""

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.per_page else 0


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A validated search; the engines receive only this."""

    index: str
    query: str
    filter: SearchFilter | None
    facets: tuple[str, ...]
    sort: Sort | None
    page: int
    per_page: int
    highlight: bool
    grouped: bool = False


def build_request(index: str, query: str, filters: SearchFilter | None, facets: Iterable[str],
                  sort: Sort | None, page: int, per_page: int, highlight: bool,
                  grouped: bool = False) -> SearchRequest:
    """Check the arguments of ``SearchEngine.search`` and scope the filter to ``index``."""
    if index != ALL:
        definition(index)
    allowed = (*(PHYSICAL.facets if index == ALL else INDEXES[index].facets), INDEX_FACET)
    facets = tuple(facets)
    unknown = [f for f in facets if f not in allowed]
    if unknown:
        raise ValueError(f"not facets of {index!r}: {', '.join(unknown)}")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"page starts at 1 and per_page is 1 to {MAX_PER_PAGE}")
    scoped = both(where(index=index) if index != ALL else None, filters)
    return SearchRequest(index, normalise(query.lstrip()), scoped, facets, sort, page, per_page, highlight, grouped)


# Cached per process, not per app: index definitions are constants of the code (``search.definitions``).
@functools.cache
def _field_kinds(index: str) -> dict[str, str]:
    spec = definition(index)
    kinds = {name: "keyword" for name in spec.all_keywords}
    kinds.update({name: "number" for name in spec.all_numbers})
    kinds.update({name: "text" for name in spec.searchable})
    kinds.update({name: "display" for name in spec.display})
    return kinds


def prepare(index: str, document: Document) -> dict[str, Any]:
    """The stored form of a document: ``index`` set, keyword booleans as ``"true"``/``"false"``,
    text normalised to NFC, list-valued searchable fields joined, unknown fields refused."""
    kinds = _field_kinds(index)
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"a {index} document needs a string id")
    unknown = [name for name in document if name != "id" and name not in kinds]
    if unknown:
        raise ValueError(f"fields not in the {index} definition: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {"id": doc_id, "index": index}
    for name, value in document.items():
        if name == "id" or value is None:
            continue
        kind = kinds[name]
        if kind == "text":
            text = ", ".join(value) if isinstance(value, (list, tuple)) else str(value)
            if _SENTINELS[0] in text or _SENTINELS[1] in text:
                text = text.replace(_SENTINELS[0], "").replace(_SENTINELS[1], "")
            out[name] = normalise(text)
        elif kind == "keyword":
            out[name] = [_keyword(v) for v in value] if isinstance(value, (list, tuple)) else _keyword(value)
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer")
            out[name] = value
        else:
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise ValueError(f"{name} must be a string or an integer")
            out[name] = normalise(value) if isinstance(value, str) else value
    for name in ("access", "hidden", "kind"):
        if name not in out:
            raise ValueError(f"a {index} document needs {name!r}")
    if out["kind"] not in definition(index).kinds:
        raise ValueError(f"kind of a {index} document is one of {', '.join(definition(index).kinds)}")
    out.setdefault("except_org", "")
    out.setdefault(GROUP_FIELD, f"{index}:{doc_id}")
    return out


_SENTINELS = ("\ue000", "\ue001")
"""Private-use characters the Meilisearch engine uses as highlight tags never enter the index."""


def _keyword(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return normalise(str(value))


class SearchEngine(Protocol):
    """What the application asks of a search engine. Every method is a coroutine and never
    blocks the event loop; writes are visible to searches once the call returns."""

    async def ensure_indexes(self) -> None:
        """Create the index and apply the definitions; safe to call on every start."""

    async def upsert(self, index: str, docs: Sequence[Document]) -> None:
        """Add or replace documents (by ``id``) in ``index``."""

    async def delete(self, index: str, ids: Sequence[str]) -> None:
        """Remove documents; ids that are not there are ignored."""

    async def clear(self, index: str) -> None:
        """Remove every document of ``index``."""

    async def can_write(self) -> bool:
        """Whether this process may write now: false only while another process holds the
        writer of an embedded index folder they share (``search.embedded``)."""

    async def search(self, index: str, query: str, filters: SearchFilter | None = None,
                     facets: Iterable[str] = (), sort: Sort | None = None, page: int = 1,
                     per_page: int = 20, highlight: bool = True, grouped: bool = False) -> SearchResult:
        """Documents of ``index`` (or ``ALL``) matching every word of ``query`` (typos forgiven,
        the last word as a prefix) and ``filters``; an empty query matches every document.
        Ordered by relevance, or by ``sort``. ``grouped``: one hit per ``group`` (the group's
        first document in that order), with the total, the pages and the facet counts counting
        groups; an engine may then count only the first results (``SearchResult.exact``,
        ``SearchResult.facets_sample``)."""

    async def count(self, index: str) -> int:
        """Number of documents in ``index``."""

    async def close(self) -> None: ...
