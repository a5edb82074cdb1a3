"""A grouped search on the embedded engine counts only the documents it ranks: when more match,
its total is "at least", its pages still neither repeat nor skip, and its facets count the first
results only, the viewer's filter applying to all of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from search import embedded
from search.embedded import EmbeddedEngine
from search.engine import Sort
from search.filters import PUBLIC, In
from tests.search.factories import ids, thread

THREADS = 30


@pytest.fixture
async def engine(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[EmbeddedEngine]:
    monkeypatch.setattr(embedded, "GROUP_SAMPLE", 10)
    created = EmbeddedEngine(None)
    await created.ensure_indexes()
    docs = []
    for i in range(THREADS):
        group = f"t{i:02}"
        docs.append(thread(group, f"Budget item {i}", thread_id=group, group=group, date=i * 10))
        docs.append(thread(f"p{i:02}", "", "on the budget", kind="post", thread_id=group, group=group, date=i * 10 + 1))
        docs.append(thread(f"x{i:02}", "Budget secret", access=("org:x",), date=i * 10 + 2))
    await created.upsert("threads_posts", docs)
    yield created
    await created.close()


PUBLIC_ONLY = In("access", (PUBLIC,))


async def test_more_matches_than_ranked_give_an_at_least_total(engine: EmbeddedEngine) -> None:
    first = await engine.search("threads_posts", "budget", PUBLIC_ONLY, facets=["kind"], sort=Sort("date", "asc"),
                                per_page=5, grouped=True)
    assert not first.exact
    assert ids(first) == [f"t{i:02}" for i in range(5)]
    assert 5 < first.total < THREADS and first.pages >= 2, "the page, and one more result, are known"
    assert first.facets_sample == first.total
    assert first.facets["kind"] == {"thread": first.total, "post": first.total}, "the first results' groups only"


async def test_pages_walk_every_group_once_and_the_last_is_exact(engine: EmbeddedEngine) -> None:
    listed: list[str] = []
    page = 1
    while True:
        result = await engine.search("threads_posts", "budget", PUBLIC_ONLY, sort=Sort("date", "asc"), page=page,
                                     per_page=4, grouped=True)
        listed += ids(result)
        if page >= result.pages:
            break
        page += 1
    assert listed == [f"t{i:02}" for i in range(THREADS)], "neither repeated nor skipped, and no private one"
    assert result.exact and result.total == THREADS and result.facets_sample == 0


async def test_few_matches_are_counted_exactly(engine: EmbeddedEngine) -> None:
    result = await engine.search("threads_posts", "secret", In("access", ("org:x",)), facets=["kind"], grouped=True)
    assert result.exact and result.total == THREADS, "30 documents of their own groups, read in one batch of 40"
    assert result.facets == {"kind": {"thread": THREADS}} and result.facets_sample == 0
