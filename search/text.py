"""Words, typos and highlights, the way both engines see them.

A word is a run of letters, combining marks and digits (Unicode categories L, M and N) plus the
zero-width joiner and non-joiner. Tantivy's default tokenizer splits on every character that is
not alphanumeric, which cuts Hindi words at the virama (``हिन्दी`` becomes ``हिन`` and ``दी``) and
at many vowel signs; the embedded engine registers ``WORD_PATTERN`` as a regex tokenizer, and
this module tokenises queries and highlights with that same tokenizer.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

from tantivy import TextAnalyzerBuilder, Tokenizer

WORD_PATTERN = r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}]+"
"""The word rule as a Rust regex, for tantivy's regex tokenizer."""

MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"


def normalise(text: str) -> str:
    """NFC, so a word typed with decomposed characters equals its stored form."""
    return unicodedata.normalize("NFC", text)


_SPLITTER = TextAnalyzerBuilder(Tokenizer.regex(WORD_PATTERN)).build()
"""Tantivy's own tokenizer with the index's rule, so highlights see exactly the indexed words."""


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# Cached per process, not per app: built from Unicode's data alone.
@functools.cache
def _bmp_word() -> re.Pattern[str]:
    """The rule for text within the Basic Multilingual Plane (every living Indic script is there)
    as a Python regex: ``[^\\W_]`` is letters and numbers, and the combining marks are listed,
    since ``re`` has no ``\\p{M}``. Built on first use (a pass over 65,536 code points)."""
    marks = "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c))[0] == "M")
    return re.compile(f"(?:[^\\W_]|[{marks}\u200c\u200d])+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets (in characters) of every word in ``text``. Python regexes do the
    common cases quickly; text with characters beyond the BMP goes through tantivy's tokenizer."""
    if text.isascii():
        return [m.span() for m in _ASCII_WORD.finditer(text)]
    if _ASTRAL.search(text) is None:
        return [m.span() for m in _bmp_word().finditer(text)]
    return [(token.char_offset_from, token.char_offset_to) for token in _SPLITTER.pre_tokenize(text).tokens]


def typo_budget(word: str) -> int:
    """Meilisearch's defaults: no typo under 5 characters, one from 5, two from 9."""
    n = len(word)
    return 0 if n < 5 else 1 if n < 9 else 2


@dataclass(frozen=True, slots=True)
class QueryWord:
    text: str
    typos: int
    prefix: bool


def parse_query(query: str) -> list[QueryWord]:
    """The query's words with their typo budgets; the last is a prefix while it is still being
    typed (no separator after it), for search-as-you-type."""
    query = normalise(query)
    spans = word_spans(query)
    ends_open = bool(spans) and spans[-1][1] == len(query)
    found = [query[a:b].lower() for a, b in spans]
    return [QueryWord(w, typo_budget(w), ends_open and i == len(found) - 1) for i, w in enumerate(found)]


def _osa_row(pattern: str, token: str) -> list[int]:
    """Last row of the optimal-string-alignment distance table of ``pattern`` against each prefix
    of ``token`` (a transposition costs one, as in tantivy's and Meilisearch's automata)."""
    prev2: list[int] = []
    prev = list(range(len(token) + 1))
    for i in range(1, len(pattern) + 1):
        cur = [i] + [0] * len(token)
        for j in range(1, len(token) + 1):
            cost = 0 if pattern[i - 1] == token[j - 1] else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and pattern[i - 1] == token[j - 2] and pattern[i - 2] == token[j - 1]:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        prev2, prev = prev, cur
    return prev


def match_length(word: QueryWord, token: str) -> int:
    """How many leading characters of ``token`` (lower-cased) the query word matches, 0 if none."""
    if not word.typos:
        if word.prefix:
            return len(word.text) if token.startswith(word.text) else 0
        return len(token) if token == word.text else 0
    if len(token) < len(word.text) - word.typos or (not word.prefix and len(token) > len(word.text) + word.typos):
        return 0
    if len(set(word.text) - set(token)) > word.typos:
        return 0
    row = _osa_row(word.text, token)
    if not word.prefix:
        return len(token) if row[-1] <= word.typos else 0
    best = min(row)
    if best > word.typos:
        return 0
    return max(j for j, d in enumerate(row) if d == best) or len(token)


def highlight(text: str, query: list[QueryWord], crop_words: int | None = None,
              seen: dict[str, int] | None = None) -> tuple[str, bool]:
    """``text`` HTML-escaped with matched words (or matched prefixes) in ``<mark>``; with
    ``crop_words``, only a window of that many words around the first match, ellipses marking
    what was cut. Returns the markup and whether anything matched. ``seen`` caches each token's
    match length across calls for the same query (pass one dict per search)."""
    text = normalise(text)
    spans = word_spans(text)
    cache = seen if seen is not None else {}

    def matched(a: int, b: int) -> int:
        token = text[a:b].lower()
        length = cache.get(token)
        if length is None:
            length = cache[token] = max((match_length(w, token) for w in query), default=0)
        return length

    lo, hi = 0, len(spans) - 1
    start, end = 0, len(text)
    if crop_words is not None and len(spans) > crop_words:
        # Only the window's words are matched: it starts a third of itself before the first match.
        first = next((k for k, (a, b) in enumerate(spans) if matched(a, b)), 0)
        lo = max(0, min(first - crop_words // 3, len(spans) - crop_words))
        hi = lo + crop_words - 1
        start = 0 if lo == 0 else spans[lo][0]
        end = len(text) if hi >= len(spans) - 1 else spans[hi][1]
    marks = [(a, a + length) for a, b in spans[lo:hi + 1] if (length := matched(a, b))]
    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    for a, b in marks:
        out += [html.escape(text[pos:a]), MARK_OPEN, html.escape(text[a:b]), MARK_CLOSE]
        pos = b
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out), bool(marks)
