"""The behaviour every engine shares: one suite, run on the embedded engine and on Meilisearch."""

from __future__ import annotations

import unicodedata

import pytest

from search.definitions import ALL
from search.engine import SearchEngine, Sort
from search.filters import And, In, Not, Or, Range, where
from tests.search.factories import event, ids, person, thread, vacancy


async def titles(engine: SearchEngine, **docs: str) -> None:
    await engine.upsert("threads_posts", [thread(doc_id, title) for doc_id, title in docs.items()])


async def found(engine: SearchEngine, query: str, index: str = "threads_posts") -> set[str]:
    return set(ids(await engine.search(index, query)))


async def test_every_word_must_match(engine: SearchEngine) -> None:
    await titles(engine, a="Budget planning for districts", b="Railway budget review", c="Planning a workshop")
    assert await found(engine, "budget ") == {"a", "b"}
    assert await found(engine, "budget planning ") == {"a"}
    assert await found(engine, "budget workshop ") == set()


@pytest.mark.parametrize(("query", "matches"), [
    ("budgt ", True),          # 5 letters: one typo allowed (a missing letter)
    ("bugdet ", True),         # a swap of two letters is one typo
    ("bidgit ", False),        # 6 letters: two typos are too many
    ("taxs ", False),          # 4 letters: no typo allowed
    ("prucurment ", True),     # 10 letters: two typos allowed
    ("prucurmant ", False),    # ...but not three
])
async def test_typo_tolerance_follows_word_length(engine: SearchEngine, query: str, matches: bool) -> None:
    await titles(engine, a="Budget and taxes", b="Public procurement rules")
    assert bool(await found(engine, query)) is matches


@pytest.mark.parametrize(("query", "matches"), [
    ("planninf ", True),       # 8 letters, the longest word allowed only one typo: one is forgiven...
    ("plonninf ", False),      # ...two are not
    ("dostricte ", True),      # 9 letters, the shortest word allowed two typos: two are forgiven...
    ("dostructe ", False),     # ...three are not
])
async def test_typo_budget_boundaries(engine: SearchEngine, query: str, matches: bool) -> None:
    """Meilisearch's defaults: ``minWordSizeForTypos`` is 5 for one typo and 9 for two, counted on
    the query word. Typos stay off the first letter, which Meilisearch counts twice."""
    await titles(engine, a="Planning for districts")
    assert bool(await found(engine, query)) is matches


async def test_last_word_is_a_prefix_while_typing(engine: SearchEngine) -> None:
    await titles(engine, a="Budgeting for panchayats", b="Procurement manual")
    assert await found(engine, "budg") == {"a"}
    assert await found(engine, "panchayats budg") == {"a"}
    assert await found(engine, "budg ") == set(), "a finished word is not a prefix"
    assert await found(engine, "budg panchayats") == set(), "only the last word is a prefix"


async def test_devanagari_words_with_matras_and_virama_are_whole_words(engine: SearchEngine) -> None:
    await titles(engine, hi="हिन्दी भाषा में प्रशिक्षण", ta="தமிழ் மொழி பயிற்சி", bn="নমস্কার সবাইকে", en="Hindi training")
    assert await found(engine, "हिन्दी ") == {"hi"}
    assert await found(engine, "प्रशिक्षण ") == {"hi"}
    assert await found(engine, "हिन्दी प्रशिक्षण ") == {"hi"}
    assert await found(engine, "दी ") == set(), "a piece after the virama is not a word"
    assert await found(engine, "षण ") == set()
    assert await found(engine, "தமிழ் ") == {"ta"}
    assert await found(engine, "নমস্কার ") == {"bn"}
    hit = (await engine.search("threads_posts", "प्रशिक्षण ")).hits[0]
    assert "<mark>प्रशिक्षण</mark>" in hit.highlights["title"]


async def test_decomposed_input_finds_composed_text(engine: SearchEngine) -> None:
    await titles(engine, a="Café governance")
    assert await found(engine, unicodedata.normalize("NFD", "café ")) == {"a"}


async def test_filters(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [
        thread("t1", "Budget thread", org_id="o1", date=100, competencies=["c1", "c2"]),
        thread("p1", "Budget reply", kind="post", org_id="o1", date=200, competencies=["c2"]),
        thread("t2", "Budget elsewhere", org_id="o2", date=300),
    ])
    async def only(f: object) -> set[str]:
        return set(ids(await engine.search("threads_posts", "budget", f)))  # type: ignore[arg-type]
    assert await only(where(kind="post")) == {"p1"}
    assert await only(where(competencies="c2")) == {"t1", "p1"}
    assert await only(where(org_id=["o1", "o2"], kind="thread")) == {"t1", "t2"}
    assert await only(Range("date", gte=150)) == {"p1", "t2"}
    assert await only(Range("date", gte=150, lte=250)) == {"p1"}
    assert await only(Not(In("org_id", ("o1",)))) == {"t2"}
    assert await only(Or((where(kind="post"), Range("date", lte=100)))) == {"t1", "p1"}
    assert await only(And((where(org_id="o1"), Not(where(kind="post"))))) == {"t1"}


@pytest.mark.parametrize("hostile", ['o1" OR org_id = "o2', 'back\\slash', 'ends with \\', "it's", "a = b AND c"])
async def test_hostile_filter_values_stay_values(engine: SearchEngine, hostile: str) -> None:
    await engine.upsert("threads_posts", [thread("odd", "Budget", org_id=hostile), thread("o1", "Budget", org_id="o1"),
                                          thread("o2", "Budget", org_id="o2")])
    assert ids(await engine.search("threads_posts", "", where(org_id=hostile))) == ["odd"]


async def test_facet_counts_follow_query_and_filters(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [
        thread("t1", "Budget thread", org_id="o1", competencies=["c1", "c2"], month="2026-10"),
        thread("p1", "Budget reply", kind="post", org_id="o1", competencies=["c2"], month="2026-11"),
        thread("p2", "Budget answer", kind="post", org_id="o2", month="2026-11"),
        thread("x", "Railways", org_id="o1", competencies=["c1"]),
    ])
    result = await engine.search("threads_posts", "budget", facets=["kind", "org_id", "competencies", "month"])
    assert result.total == 3
    assert result.facets == {"kind": {"post": 2, "thread": 1}, "org_id": {"o1": 2, "o2": 1},
                             "competencies": {"c2": 2, "c1": 1}, "month": {"2026-11": 2, "2026-10": 1}}
    filtered = await engine.search("threads_posts", "budget", where(org_id="o1"), facets=["kind"])
    assert filtered.facets == {"kind": {"post": 1, "thread": 1}}


async def test_sorting_overrides_relevance(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [thread("old", "Budget budget budget", date=1, votes=5),
                                          thread("new", "Budget note", date=3, votes=1),
                                          thread("mid", "A budget", date=2, votes=9)])
    assert ids(await engine.search("threads_posts", "budget", sort=Sort("date", "desc"))) == ["new", "mid", "old"]
    assert ids(await engine.search("threads_posts", "budget", sort=Sort("date", "asc"))) == ["old", "mid", "new"]
    assert ids(await engine.search("threads_posts", "", sort=Sort("votes", "desc"))) == ["mid", "old", "new"]


async def test_relevance_prefers_exact_words_and_heavier_fields(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [thread("body", "A note", "about the budget"),
                                          thread("title", "Budget", "a note")])
    assert ids(await engine.search("threads_posts", "budget"))[0] == "title"
    await titles(engine, typo="Budgat report", exact="Budget report")
    assert ids(await engine.search("threads_posts", "budget report"))[0] == "exact"


async def test_highlights_are_escaped_and_marked(engine: SearchEngine) -> None:
    long_body = " ".join(["filler"] * 80) + " the railway budget explained " + " ".join(["tail"] * 80)
    await engine.upsert("threads_posts", [thread("x", "<script>alert(1)</script> Budget plan", long_body)])
    hit = (await engine.search("threads_posts", "budget")).hits[0]
    assert "&lt;script&gt;" in hit.highlights["title"] and "<script>" not in hit.highlights["title"]
    assert "<mark>Budget</mark>" in hit.highlights["title"]
    assert "<mark>budget</mark>" in hit.highlights["body"]
    assert len(hit.highlights["body"].split()) < 60, "a long field is cropped around the match"
    assert hit.document["title"] == "<script>alert(1)</script> Budget plan"
    prefix_hit = (await engine.search("threads_posts", "budg")).hits[0]
    assert "<mark>Budg" in prefix_hit.highlights["title"]


async def test_pagination(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [thread(f"t{i:02}", f"Budget item {i}", date=i) for i in range(25)])
    pages = [await engine.search("threads_posts", "budget", sort=Sort("date", "asc"), page=p, per_page=10)
             for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    assert all(p.total == 25 and p.pages == 3 for p in pages)
    assert [i for p in pages for i in ids(p)] == [f"t{i:02}" for i in range(25)]
    assert (await engine.search("threads_posts", "budget", page=4, per_page=10)).hits == []


async def test_vacancies_count_and_filter_by_state_mode_and_pay_level(engine: SearchEngine) -> None:
    await engine.upsert("vacancies", [
        vacancy("v1", "Budget analyst", state="Kerala", mode="deputation", pay_level="11", org_id="o1"),
        vacancy("v2", "Budget officer", state="Kerala", mode="contract", pay_level="12", org_id="o1"),
        vacancy("v3", "Budget adviser", state="Tamil Nadu", mode="deputation", pay_level="11", org_id="o2"),
        vacancy("v4", "Railway engineer", state="Assam", mode="transfer", pay_level="10"),
    ])
    facets = ["state", "mode", "pay_level", "org_id"]
    counted = await engine.search("vacancies", "budget", facets=facets)
    assert counted.facets == {"state": {"Kerala": 2, "Tamil Nadu": 1}, "mode": {"deputation": 2, "contract": 1},
                              "pay_level": {"11": 2, "12": 1}, "org_id": {"o1": 2, "o2": 1}}
    assert set(ids(await engine.search("vacancies", "", where(state="Kerala")))) == {"v1", "v2"}
    assert set(ids(await engine.search("vacancies", "", where(mode="deputation", pay_level="11")))) == {"v1", "v3"}
    narrowed = await engine.search("vacancies", "budget", where(state="Tamil Nadu"), facets=facets)
    assert narrowed.facets == {"state": {"Tamil Nadu": 1}, "mode": {"deputation": 1}, "pay_level": {"11": 1},
                               "org_id": {"o2": 1}}
    everything = await engine.search(ALL, "", facets=["state", "mode", "pay_level"])
    assert everything.facets["state"] == {"Kerala": 2, "Assam": 1, "Tamil Nadu": 1}

async def test_upsert_replaces_and_delete_removes(engine: SearchEngine) -> None:
    await titles(engine, a="Budget planning")
    await titles(engine, a="Railway safety")
    assert await found(engine, "budget") == set()
    assert await found(engine, "railway") == {"a"}
    assert await engine.count("threads_posts") == 1
    await engine.delete("threads_posts", ["a", "never-there"])
    assert await found(engine, "railway") == set()


async def test_indexes_are_separate_and_all_searches_every_one(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [thread("1", "Budget forum")])
    await engine.upsert("people", [person("1", "Budget Officer Rao", designation="Budget officer")])
    await engine.upsert("events", [event("1", "Budget webinar")])
    await engine.upsert("vacancies", [vacancy("1", "Budget analyst")])
    assert await found(engine, "budget", "events") == {"1"}
    everything = await engine.search(ALL, "budget", facets=["kind"])
    assert sorted((h.index, h.id) for h in everything.hits) == [
        ("events", "1"), ("people", "1"), ("threads_posts", "1"), ("vacancies", "1")]
    assert everything.facets["kind"] == {"event": 1, "person": 1, "thread": 1, "vacancy": 1}
    await engine.delete("events", ["1"])
    assert (await engine.search(ALL, "budget")).total == 3
    await engine.clear("people")
    assert await engine.count("people") == 0 and await engine.count("vacancies") == 1


async def test_empty_query_lists_everything_filtered(engine: SearchEngine) -> None:
    await titles(engine, a="One", b="Two")
    assert (await engine.search("threads_posts", "")).total == 2


@pytest.mark.parametrize(("call", "message"), [
    (lambda e: e.search("nope", "x"), "unknown search index"),
    (lambda e: e.search("people", "x", facets=["month"]), "not facets"),
    (lambda e: e.search("people", "x", page=0), "page starts at 1"),
    (lambda e: e.search("people", "x", per_page=1000), "per_page"),
    (lambda e: e.upsert("people", [{"id": "1", "kind": "person", "access": ["members"], "hidden": False,
                                   "password": "x"}]), "fields not in the people definition"),
    (lambda e: e.upsert("people", [{"id": "1", "kind": "thread", "access": [], "hidden": False}]), "kind"),
    (lambda e: e.upsert("people", [{"kind": "person", "access": [], "hidden": False}]), "string id"),
])
async def test_bad_requests_are_refused_with_a_reason(engine: SearchEngine, call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await call(engine)  # type: ignore[operator]
    assert await engine.count("people") == 0


def reply(doc_id: str, thread_id: str, body: str, **fields: object) -> dict[str, object]:
    return thread(doc_id, "", body, kind="post", thread_id=thread_id, group=thread_id, **fields)


async def test_grouped_search_lists_a_thread_once_with_its_best_match(engine: SearchEngine) -> None:
    await engine.upsert("threads_posts", [
        thread("t1", "Drought relief", "the opening post", thread_id="t1", group="t1", date=1),
        reply("p1", "t1", "drought drought in Marathwada", date=2),
        reply("p2", "t1", "a drought note", date=3),
        thread("t2", "Tender rules", "nothing here", thread_id="t2", group="t2", date=4),
        reply("p3", "t2", "the drought clause of the tender", date=5),
        thread("t3", "Drought fund", thread_id="t3", group="t3", date=6),
    ])
    await engine.upsert("people", [person("1", "Drought Officer")])
    plain = await engine.search(ALL, "drought")
    assert plain.total == 6
    grouped = await engine.search(ALL, "drought", grouped=True, facets=["index", "kind"])
    assert grouped.total == 4 and grouped.pages == 1
    assert sorted((hit.document.get("group"), hit.id) for hit in grouped.hits if hit.index == "threads_posts") == [
        ("t1", "t1"), ("t2", "p3"), ("t3", "t3")], "each thread once; a thread that does not match shows its reply"
    assert grouped.facets["index"] == {"threads_posts": 3, "people": 1}
    by_date = await engine.search("threads_posts", "drought", sort=Sort("date", "desc"), grouped=True)
    assert ids(by_date) == ["t3", "p3", "p2"], "in date order, each group's newest match stands for it"


async def test_grouped_pagination_counts_groups(engine: SearchEngine) -> None:
    docs = []
    for i in range(25):
        docs.append(thread(f"t{i:02}", f"Budget item {i}", thread_id=f"t{i:02}", group=f"t{i:02}", date=i * 10))
        docs += [reply(f"p{i:02}{n}", f"t{i:02}", "on the budget", date=i * 10 + n) for n in range(1, 4)]
    await engine.upsert("threads_posts", docs)
    pages = [await engine.search("threads_posts", "budget", sort=Sort("date", "asc"), page=p, per_page=10,
                                 grouped=True, facets=["index"]) for p in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert all(p.total == 25 and p.pages == 3 for p in pages)
    assert [i for p in pages for i in ids(p)] == [f"t{i:02}" for i in range(25)]
    assert pages[0].facets["index"] == {"threads_posts": 25}
