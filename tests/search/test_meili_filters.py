"""The Meilisearch filter expressions the layer builds, and the quoting of hostile values.

No Meilisearch server runs here, so ``read_literal`` reproduces how Meilisearch's filter parser
reads a double-quoted value (crates/filter-parser/src/value.rs: a backslash skips the next
character while looking for the closing quote, then ``\\"`` becomes ``"``, then standard
backslash escapes are undone) and the tests check every value survives that round trip.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.filters import And, In, Not, Or, Range, quote, to_meilisearch, visibility, where

_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}


def read_literal(expr: str, start: int) -> tuple[str, int]:
    """The value of the double-quoted literal at ``expr[start]`` and the index after it."""
    assert expr[start] == '"'
    i = start + 1
    while expr[i] != '"':
        i += 2 if expr[i] == "\\" else 1
    raw = expr[start + 1:i].replace('\\"', '"')
    out, j = [], 0
    while j < len(raw):
        if raw[j] == "\\":
            out.append(_ESCAPES[raw[j + 1]])
            j += 2
        else:
            out.append(raw[j])
            j += 1
    return "".join(out), i + 1


def structure(expr: str) -> tuple[list[str], list[str]]:
    """The expression's words outside quotes, and the values of its quoted literals."""
    outside, values, i, word = [], [], 0, ""
    while i < len(expr):
        if expr[i] == '"':
            value, i = read_literal(expr, i)
            values.append(value)
            continue
        if expr[i] in " ()[],":
            if word:
                outside.append(word)
            word = ""
        else:
            word += expr[i]
        i += 1
    if word:
        outside.append(word)
    return outside, values


HOSTILE = ['x" OR hidden = "true', 'back\\slash', 'ends with \\', '\\"', 'it\'s', "AND", "a) OR (b", "\\n", "new\nline"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_value_is_one_literal(value: str) -> None:
    expr = to_meilisearch(where(org_id=value))
    outside, values = structure(expr)
    assert outside == ["org_id", "="]
    assert values == [value]


@given(st.lists(st.text(min_size=0, max_size=20), min_size=1, max_size=4))
def test_any_values_round_trip(values: list[str]) -> None:
    outside, parsed = structure(to_meilisearch(In("competencies", tuple(values))))
    assert parsed == values
    assert outside == (["competencies", "="] if len(values) == 1 else ["competencies", "IN"])


def test_expressions_for_each_shape() -> None:
    assert to_meilisearch(where(kind="post")) == 'kind = "post"'
    assert to_meilisearch(In("org_id", ("a", "b"))) == 'org_id IN ["a", "b"]'
    assert to_meilisearch(Range("date", gte=5)) == "date >= 5"
    assert to_meilisearch(Range("date", gte=5, lte=9)) == "(date >= 5 AND date <= 9)"
    assert to_meilisearch(Not(where(kind="post"))) == 'NOT (kind = "post")'
    assert to_meilisearch(And((where(kind="a"), where(org_id="b")))) == '((kind = "a") AND (org_id = "b"))'
    assert to_meilisearch(Or((where(kind="a"), Range("votes", lte=3)))) == '((kind = "a") OR (votes <= 3))'
    assert to_meilisearch(And(())) == "index EXISTS"
    assert to_meilisearch(Or(())) == "index NOT EXISTS"


def test_visibility_expression() -> None:
    expr = to_meilisearch(visibility(["public", "members", "org:o1"], "org:o1"))
    assert expr == ('((access IN ["public", "members", "org:o1"]) AND (NOT (hidden = "true")) '
                    'AND (NOT (except_org = "org:o1")))')


def test_quote_escapes_backslash_before_quote() -> None:
    assert quote('a\\"b') == '"a\\\\\\"b"'


@pytest.mark.parametrize(("build", "message"), [
    (lambda: In("password", ("x",)), "not a filterable keyword field"),
    (lambda: In("kind", ()), "at least one value"),
    (lambda: In("kind", (3,)), "must be strings"),  # type: ignore[arg-type]
    (lambda: Range("title", gte=1), "not a numeric field"),
    (lambda: Range("date"), "needs a bound"),
])
def test_filters_refuse_fields_the_definitions_do_not_declare(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
