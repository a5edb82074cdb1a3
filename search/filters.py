"""Filters as data: built by callers and by the permission policy, translated by each engine.

A filter never travels as a string typed by someone: values are quoted by ``to_meilisearch``
and passed as terms to tantivy, so a value holding quotes, backslashes or the words ``AND``
and ``OR`` stays a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from search.definitions import PHYSICAL

PUBLIC = "public"
"""Audience token: everyone, signed in or not."""
MEMBERS = "members"
"""Audience token: every signed-in member."""
ADMINS = "admins"
"""Audience token: platform administrators (they may read every organisation's spaces)."""


def org_audience(org_id: object) -> str:
    """Audience token for the members of one organisation."""
    return f"org:{org_id}"


@dataclass(frozen=True, slots=True)
class In:
    """``field`` holds one of ``values`` (for a list field: any element does)."""

    field: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.field not in PHYSICAL.keywords:
            raise ValueError(f"{self.field!r} is not a filterable keyword field")
        if not self.values:
            raise ValueError(f"a filter on {self.field!r} needs at least one value")
        if not all(isinstance(v, str) for v in self.values):
            raise ValueError(f"values of {self.field!r} must be strings")


@dataclass(frozen=True, slots=True)
class Range:
    """``gte <= field <= lte``; either bound may be open."""

    field: str
    gte: int | None = None
    lte: int | None = None

    def __post_init__(self) -> None:
        if self.field not in PHYSICAL.numbers:
            raise ValueError(f"{self.field!r} is not a numeric field")
        if self.gte is None and self.lte is None:
            raise ValueError(f"a range on {self.field!r} needs a bound")


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[SearchFilter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[SearchFilter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: SearchFilter


SearchFilter = In | Range | And | Or | Not


def where(**fields: str | Iterable[str]) -> SearchFilter:
    """Shorthand: ``where(kind="thread", org_id=["a", "b"])`` is every field matching."""
    parts = tuple(In(name, (value,) if isinstance(value, str) else tuple(value)) for name, value in fields.items())
    return parts[0] if len(parts) == 1 else And(parts)


def both(*filters: SearchFilter | None) -> SearchFilter | None:
    """All the given filters (``None`` ones ignored)."""
    parts = tuple(f for f in filters if f is not None)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def visibility(audiences: Iterable[str], own_org: str | None) -> SearchFilter:
    """What a viewer with these audience tokens may see: documents addressed to one of them,
    not excluded from the viewer's own organisation token, and not hidden or deleted."""
    parts: list[SearchFilter] = [In("access", tuple(audiences)), Not(In("hidden", ("true",)))]
    if own_org is not None:
        parts.append(Not(In("except_org", (own_org,))))
    return And(tuple(parts))


def quote(value: str) -> str:
    """A Meilisearch filter string literal: double-quoted, with backslashes and double quotes
    escaped (Meilisearch unescapes ``\\"`` and then standard backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_meilisearch(f: SearchFilter) -> str:
    """The Meilisearch filter expression for ``f``, fully parenthesised."""
    if isinstance(f, In):
        if len(f.values) == 1:
            return f"{f.field} = {quote(f.values[0])}"
        return f"{f.field} IN [{', '.join(quote(v) for v in f.values)}]"
    if isinstance(f, Range):
        bounds = []
        if f.gte is not None:
            bounds.append(f"{f.field} >= {json.dumps(int(f.gte))}")
        if f.lte is not None:
            bounds.append(f"{f.field} <= {json.dumps(int(f.lte))}")
        return " AND ".join(bounds) if len(bounds) == 1 else f"({' AND '.join(bounds)})"
    if isinstance(f, And):
        return "(" + " AND ".join(f"({to_meilisearch(p)})" for p in f.parts) + ")" if f.parts else _ALWAYS
    if isinstance(f, Or):
        return "(" + " OR ".join(f"({to_meilisearch(p)})" for p in f.parts) + ")" if f.parts else _NEVER
    if isinstance(f, Not):
        return f"NOT ({to_meilisearch(f.part)})"
    raise TypeError(f"not a search filter: {f!r}")


_ALWAYS = "index EXISTS"
_NEVER = "index NOT EXISTS"
"""Every document has an ``index`` field, so these are the constant true and false filters."""
