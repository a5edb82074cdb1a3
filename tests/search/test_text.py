"""Words, typo budgets and highlights, checked against their definitions."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from search.text import QueryWord, highlight, match_length, parse_query, typo_budget, word_spans

JOINERS = "\u200c\u200d"


def reference_spans(text: str) -> list[tuple[int, int]]:
    """The definition: maximal runs of letters, marks, numbers and the two joiners."""
    spans, start = [], None
    for i, ch in enumerate(text + " "):
        inside = i < len(text) and (unicodedata.category(ch)[0] in "LMN" or ch in JOINERS)
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            spans.append((start, i))
            start = None
    return spans


ASSIGNED = st.characters(exclude_categories=("Cn", "Cs"))
"""Characters Python's Unicode tables know (tantivy's regex engine may follow a newer Unicode)."""
INDIC = st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x0DFF, exclude_categories=("Cn",)),
                max_size=30)


@given(st.one_of(st.text(alphabet=ASSIGNED, max_size=40), INDIC, st.text(alphabet="ab ,.-_\u200c\u200d²é", max_size=30)))
def test_word_spans_follow_the_unicode_definition(text: str) -> None:
    assert word_spans(text) == reference_spans(text)


def test_hindi_tamil_bengali_words_stay_whole() -> None:
    text = "हिन्दी भाषा में प्रशिक्षण, தமிழ் নমস্কার क्‍ष"
    assert [text[a:b] for a, b in word_spans(text)] == [
        "हिन्दी", "भाषा", "में", "प्रशिक्षण", "தமிழ்", "নমস্কার", "क्‍ष"]


def test_typo_budget_matches_meilisearch_defaults() -> None:
    assert [typo_budget("x" * n) for n in (1, 4, 5, 8, 9, 20)] == [0, 0, 1, 1, 2, 2]


def test_query_words_and_the_open_prefix() -> None:
    assert parse_query("Budget plan") == [QueryWord("budget", 1, False), QueryWord("plan", 0, True)]
    assert parse_query("budget plan ") == [QueryWord("budget", 1, False), QueryWord("plan", 0, False)]
    assert parse_query("  ") == []


def test_match_length() -> None:
    assert match_length(QueryWord("budget", 1, False), "budgte") == 6
    assert match_length(QueryWord("budget", 1, False), "budgeting") == 0
    assert match_length(QueryWord("budg", 0, True), "budgeting") == 4
    assert match_length(QueryWord("budgte", 1, True), "budgeting") >= 5
    assert match_length(QueryWord("plan", 0, False), "plen") == 0


def test_highlight_escapes_and_crops() -> None:
    words = parse_query("budget ")
    marked, matched = highlight("<b>Budget</b> & more", words)
    assert (marked, matched) == ("&lt;b&gt;<mark>Budget</mark>&lt;/b&gt; &amp; more", True)
    long = " ".join(f"w{i}" for i in range(100)) + " budget " + " ".join(f"v{i}" for i in range(100))
    cropped, _ = highlight(long, words, 10)
    assert cropped.startswith("…") and cropped.endswith("…") and "<mark>budget</mark>" in cropped
    assert len(cropped.split()) == 10
    assert highlight("nothing here", words) == ("nothing here", False)
