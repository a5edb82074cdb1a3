"""What the Meilisearch engine asks of the server. No Meilisearch server runs here (the contract
suite runs on one when MEILISEARCH_URL is set), so the SDK's index is replaced by a recorder that
answers as Meilisearch does."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from search.definitions import GROUP_FIELD
from search.meili import MAX_TOTAL_HITS, MeilisearchEngine, settings


class RecordingIndex:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    async def search(self, query: str, **options: Any) -> Any:
        self.calls.append({"query": query, **options})
        return SimpleNamespace(**copy.deepcopy(self.answer))


def engine_answering(**answer: Any) -> tuple[MeilisearchEngine, RecordingIndex]:
    engine = MeilisearchEngine("http://127.0.0.1:7700", None)
    index = RecordingIndex(answer)
    engine._index = index  # type: ignore[assignment]
    return engine, index


async def test_a_grouped_search_is_distinct_on_the_group_field() -> None:
    engine, index = engine_answering(hits=[
        {"key": "k", "index": "threads_posts", "id": "p3", "kind": "post", "group": "t2", "body": "the drought clause",
         "_formatted": {"body": "the \ue000drought\ue001 <clause>"}}],
        total_hits=1, facet_distribution={"index": {"threads_posts": 1}})
    result = await engine.search("all", "drought", grouped=True, facets=["index", "category_id"])
    call = index.calls[0]
    assert call["distinct"] == GROUP_FIELD and call["facets"] == ["index", "category_id"]
    assert result.total == 1 and result.hits[0].highlights["body"] == "the <mark>drought</mark> &lt;clause&gt;"
    assert result.facets == {"index": {"threads_posts": 1}, "category_id": {}}
    await engine.search("all", "drought")
    assert index.calls[1]["distinct"] is None, "an ungrouped search lists every document"
    await engine.close()


def test_the_group_and_index_fields_are_filterable_for_distinct_and_facets() -> None:
    filterable = settings().filterable_attributes or []
    assert GROUP_FIELD in filterable and "index" in filterable and "category_id" in filterable
    assert {"state", "mode", "pay_level"} <= set(filterable), "a vacancy search filters and counts by them"


async def test_a_total_at_meilisearchs_counting_limit_is_at_least() -> None:
    engine, _ = engine_answering(hits=[], total_hits=MAX_TOTAL_HITS, facet_distribution={})
    capped = await engine.search("all", "training", grouped=True)
    assert capped.total == MAX_TOTAL_HITS and not capped.exact and capped.facets_sample == 0
    await engine.close()
    engine, _ = engine_answering(hits=[], total_hits=MAX_TOTAL_HITS - 1, facet_distribution={})
    assert (await engine.search("all", "training", grouped=True)).exact
    await engine.close()
