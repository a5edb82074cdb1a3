"""A grouped search counts its facets from the ranked documents it read, not by aggregating again:
on a generated corpus the counts equal those of tantivy's aggregation (groups per value over the
matching documents of the groups found), exactly when every match was read and in the sample of
single-document groups; a group whose other documents rank beyond the sample counts by the
values of the documents read."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tantivy import Occur, Query

from search import embedded
from search.definitions import GROUP_FIELD
from search.embedded import GROUP_HASH, EmbeddedEngine
from search.engine import INDEX_FACET, MAX_FACET_VALUES, SearchResult, Sort, build_request
from search.filters import PUBLIC, visibility
from search.text import parse_query
from tests.search.factories import event, person, thread

FACETS = ("index", "kind", "org_id", "competencies", "month", "category_id")
ORGS = [f"org{i}" for i in range(12)]
COMPETENCIES = [f"C{i}" for i in range(20)]
MONTHS = [f"2025-{m:02}" for m in range(1, 13)]
VIEWER = visibility([PUBLIC, "members", "org:org3"], "org:org3")


def corpus(rng: random.Random, threads: int, *, with_posts: bool) -> list[tuple[str, dict[str, Any]]]:
    docs: list[tuple[str, dict[str, Any]]] = []
    for i in range(threads):
        org = rng.choice(ORGS)
        access = (PUBLIC,) if rng.random() < 0.8 else (f"org:{org}",)
        common = {"org_id": org, "category_id": f"cat{i % 7}", "thread_id": f"t{i}", "group": f"t{i}"}
        docs.append(("threads_posts", thread(
            f"t{i}", f"Budget {rng.choice(['policy', 'training'])}", access=access, month=rng.choice(MONTHS),
            competencies=rng.sample(COMPETENCIES, rng.randint(0, 3)), date=rng.randrange(10**6), **common)))
        for j in range(rng.randint(1, 4) if with_posts else 0):
            docs.append(("threads_posts", thread(
                f"t{i}p{j}", "", "on the budget", kind="post", access=access, month=rng.choice(MONTHS),
                competencies=rng.sample(COMPETENCIES, rng.randint(0, 2)), date=rng.randrange(10**6), **common)))
        if rng.random() < 0.3:
            docs.append(("people", person(f"u{i}", f"Budget officer {i}", org_id=rng.choice(ORGS),
                                          hidden=rng.random() < 0.1)))
        if rng.random() < 0.2:
            docs.append(("events", event(f"e{i}", "Budget camp", org_id=rng.choice(ORGS), month=rng.choice(MONTHS))))
    return docs


async def engine_with(docs: list[tuple[str, dict[str, Any]]]) -> EmbeddedEngine:
    created = EmbeddedEngine(None)
    await created.ensure_indexes()
    for index in {i for i, _ in docs}:
        await created.upsert(index, [d for i, d in docs if i == index])
    return created


def aggregated(engine: EmbeddedEngine, query: str, result: SearchResult) -> dict[str, dict[str, int]]:
    """Groups per value by tantivy's aggregation, over the matches or, when the result counts a
    sample, over the matching documents of the groups of its hits and of the sample."""
    request = build_request("all", query, VIEWER, FACETS, None, 1, 20, False, True)
    searched = engine._query(parse_query(request.query), request.filter)
    searcher = engine._ready().searcher()
    if not result.exact:
        found = searcher.search(searched, embedded.GROUP_SAMPLE, count=False)
        groups = list(dict.fromkeys(int(g or 0) for g in searcher.fast_field_values(
            GROUP_HASH, [a for _, a in found.hits])))
        searched = Query.boolean_query([(Occur.Must, searched),
                                        (Occur.Must, Query.term_set_query(engine._schema, GROUP_HASH, groups))])
    spec = {name: {"terms": {"field": name, "size": MAX_FACET_VALUES},
                   "aggs": {"groups": {"cardinality": {"field": GROUP_FIELD}}}} for name in FACETS}
    buckets = searcher.aggregate(searched, spec)
    return {name: dict(sorted(((b["key"], int(b["groups"]["value"])) for b in buckets[name]["buckets"]),
                              key=lambda kv: (-kv[1], kv[0]))) for name in FACETS}


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "GROUP_SAMPLE", 60)


@pytest.mark.parametrize("seed", range(4))
async def test_every_match_read_counts_as_the_aggregation(seed: int) -> None:
    engine = await engine_with(corpus(random.Random(seed), 150, with_posts=True))
    try:
        for query in ("budget", "budget training", "officer", "camp"):
            result = await engine.search("all", query, VIEWER, facets=FACETS, grouped=True)
            assert result.exact and result.facets_sample == 0
            assert result.facets == aggregated(engine, query, result), query
            assert sum(result.facets[INDEX_FACET].values()) == result.total
    finally:
        await engine.close()


@pytest.mark.parametrize("seed", range(4))
async def test_a_sample_of_single_document_groups_counts_as_the_aggregation(sample: None, seed: int) -> None:
    engine = await engine_with(corpus(random.Random(seed), 300, with_posts=False))
    try:
        for query in ("budget", "budget policy", "budg"):
            result = await engine.search("all", query, VIEWER, facets=FACETS, grouped=True)
            assert not result.exact and result.facets_sample == result.total == 60
            assert result.facets == aggregated(engine, query, result), query
    finally:
        await engine.close()


async def test_a_group_counts_by_its_documents_read(sample: None) -> None:
    """The thread t0's post ranks among the first 60 documents, the thread itself after them."""
    docs = [("threads_posts", thread(f"t{i}", "Budget", group=f"t{i}", month="2025-01", date=1000 - i))
            for i in range(1, 80)]
    docs += [("threads_posts", thread("t0", "Budget", group="t0", month="2025-09", date=0)),
             ("threads_posts", thread("t0p", "", "budget", kind="post", group="t0", month="2025-02", date=2000))]
    engine = await engine_with(docs)
    try:
        result = await engine.search("all", "budget", VIEWER, facets=["kind", "month"], grouped=True,
                                     sort=Sort("date"))
        assert not result.exact and result.total == 60 and result.hits[0].id == "t0p"
        assert result.facets == {"kind": {"thread": 59, "post": 1}, "month": {"2025-01": 59, "2025-02": 1}}
    finally:
        await engine.close()
