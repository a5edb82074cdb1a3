"""The production engine: Meilisearch through ``meilisearch-python-sdk``'s ``AsyncClient``.

(The official ``meilisearch`` client is synchronous and would block the event loop.) Every
logical index shares one Meilisearch index, like the embedded engine, so totals and facet counts
of a search across everything come from one query. Ranking puts ``sort`` first, so a search
sorted by date is in date order, as it is on the embedded engine. A grouped search is
Meilisearch's search-time ``distinct`` on the ``group`` field (filterable, as every keyword is),
which counts the total and the facets after grouping.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.index import AsyncIndex
from meilisearch_python_sdk.models.settings import (Faceting, MeilisearchSettings, MinWordSizeForTypos,
                                                    Pagination, TypoTolerance)

from search.definitions import GROUP_FIELD, PHYSICAL, definition
from search.engine import (CROP_WORDS, CROPPED_FIELDS, MAX_FACET_VALUES, Document, Hit, SearchResult, Sort,
                           build_request, prepare)
from search.filters import SearchFilter, quote, to_meilisearch
from search.text import MARK_CLOSE, MARK_OPEN

PRE, POST = "\ue000", "\ue001"
"""Highlight tags Meilisearch inserts; the text around them is escaped here before they become
``<mark>``, because Meilisearch returns document text unescaped."""
MAX_TOTAL_HITS = 100_000
"""Meilisearch counts matches up to this many; a total of that many is "at least"."""
TASK_TIMEOUT_MS = 60_000


def _key(index: str, doc_id: str) -> str:
    """A Meilisearch document id (letters, digits, ``-`` and ``_`` only) for any id string."""
    return f"{index}-{doc_id.encode().hex()}"


def settings() -> MeilisearchSettings:
    """The Meilisearch settings equivalent to the index definitions."""
    return MeilisearchSettings(
        searchable_attributes=list(PHYSICAL.searchable),
        filterable_attributes=[*PHYSICAL.keywords, *PHYSICAL.numbers],
        sortable_attributes=list(PHYSICAL.sortable),
        ranking_rules=["sort", "words", "typo", "proximity", "attribute", "exactness"],
        typo_tolerance=TypoTolerance(enabled=True, min_word_size_for_typos=MinWordSizeForTypos(one_typo=5, two_typos=9)),
        faceting=Faceting(max_values_per_facet=MAX_FACET_VALUES, sort_facet_values_by={"*": "count"}),
        pagination=Pagination(max_total_hits=MAX_TOTAL_HITS),
    )


def formatted_to_html(text: str) -> str:
    return html.escape(text).replace(PRE, MARK_OPEN).replace(POST, MARK_CLOSE)


class MeilisearchEngine:
    """``SearchEngine`` on a Meilisearch server. ``uid`` names the Meilisearch index (tests use a
    fresh one each)."""

    def __init__(self, url: str, api_key: str | None, uid: str = "community") -> None:
        self.client = AsyncClient(url, api_key)
        self.uid = uid
        self.needs_reindex = False
        self._index: AsyncIndex | None = None

    async def _wait(self, task: Any) -> None:
        await self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True)

    async def ensure_indexes(self) -> None:
        index = await self.client.get_or_create_index(self.uid, primary_key="key")
        await self._wait(await index.update_settings(settings()))
        self._index = index

    async def can_write(self) -> bool:
        """Always: Meilisearch takes writes from every process."""
        return True

    def _ready(self) -> AsyncIndex:
        if self._index is None:
            raise RuntimeError("call ensure_indexes() first")
        return self._index

    async def upsert(self, index: str, docs: Sequence[Document]) -> None:
        prepared = []
        for doc in docs:
            stored = prepare(index, doc)
            stored["key"] = _key(index, stored["id"])
            prepared.append(stored)
        if prepared:
            await self._wait(await self._ready().add_documents(prepared, primary_key="key"))

    async def delete(self, index: str, ids: Sequence[str]) -> None:
        definition(index)
        if ids:
            await self._wait(await self._ready().delete_documents([_key(index, i) for i in ids]))

    async def clear(self, index: str) -> None:
        definition(index)
        await self._wait(await self._ready().delete_documents_by_filter(f"index = {quote(index)}"))

    async def count(self, index: str) -> int:
        definition(index)
        found = await self._ready().search("", filter=f"index = {quote(index)}", page=1, hits_per_page=0)
        return int(found.total_hits or 0)

    async def search(self, index: str, query: str, filters: SearchFilter | None = None,
                     facets: Iterable[str] = (), sort: Sort | None = None, page: int = 1,
                     per_page: int = 20, highlight: bool = True, grouped: bool = False) -> SearchResult:
        request = build_request(index, query, filters, facets, sort, page, per_page, highlight, grouped)
        searchable = list(PHYSICAL.searchable)
        found = await self._ready().search(
            request.query,
            filter=to_meilisearch(request.filter) if request.filter is not None else None,
            facets=list(request.facets) or None,
            sort=[f"{request.sort.field}:{request.sort.order}"] if request.sort else None,
            page=request.page, hits_per_page=request.per_page,
            attributes_to_highlight=searchable if highlight else None,
            attributes_to_crop=[f"{f}:{CROP_WORDS}" for f in searchable if f in CROPPED_FIELDS] if highlight else None,
            highlight_pre_tag=PRE, highlight_post_tag=POST, crop_marker="…",
            matching_strategy="all", distinct=GROUP_FIELD if request.grouped else None,
        )
        hits = [self._hit(raw, highlight) for raw in found.hits]
        distribution = found.facet_distribution or {}
        facet_counts = {name: dict(sorted(((str(k), int(v)) for k, v in distribution.get(name, {}).items()),
                                          key=lambda kv: (-kv[1], kv[0])))
                        for name in request.facets}
        total = int(found.total_hits or 0)
        return SearchResult(hits, total, request.page, request.per_page, facet_counts, exact=total < MAX_TOTAL_HITS)

    @staticmethod
    def _hit(raw: dict[str, Any], with_highlights: bool) -> Hit:
        formatted = raw.pop("_formatted", None) or {}
        raw.pop("key", None)
        index = raw.pop("index")
        highlights: dict[str, str] = {}
        if with_highlights:
            for name in definition(index).searchable:
                if name in raw:
                    highlights[name] = formatted_to_html(str(formatted.get(name, raw[name])))
        return Hit(index, raw["id"], raw, highlights)

    async def close(self) -> None:
        await self.client.aclose()
