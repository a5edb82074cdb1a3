"""The four search indexes, declared once and applied to whichever engine is connected.

Every logical index lives in one physical index per engine (a document's ``index`` field says
which), so a search across everything is one engine query whose total, pagination and facet
counts are exact and whose permission filter applies to every kind at once. A field name means
the same thing (type and weight) in every index that uses it; ``PHYSICAL`` checks that at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from community.profiles import fields as profile_fields

VISIBILITY_FIELDS: tuple[str, ...] = ("access", "except_org", "hidden")
"""Carried by every document; the viewer filter from ``community.policy.search_visibility``
reads only these. ``access`` lists audience tokens (see ``search.filters``), ``except_org`` names
one audience token excluded from seeing the document, ``hidden`` is true for hidden or deleted
content."""

GROUP_FIELD = "group"
"""Carried by every document: a search that asks for grouping returns one hit per value, the
best-ranked document of the group. A thread and its posts share one (the thread's id), so a
search lists the thread once, with the post that matches best; any other document is a group of
its own (``search.engine.prepare`` gives it one)."""

COMMON_KEYWORDS: tuple[str, ...] = ("kind", "org_id", "competencies", "month", GROUP_FIELD, *VISIBILITY_FIELDS)
COMMON_NUMBERS: tuple[str, ...] = ("date",)


@dataclass(frozen=True, slots=True)
class IndexDefinition:
    """One logical index.

    ``searchable`` maps a text field to its weight (higher ranks a match there first);
    ``keywords`` are exact-value fields (a string or a list of strings, booleans stored as
    ``"true"``/``"false"``) usable in filters; ``numbers`` are integer fields usable in range
    filters; ``facets`` are keyword fields whose value counts a search can ask for; ``sortable``
    are numbers a search can order by; ``display`` fields are kept with the document and returned
    with it, never searched or filtered.
    """

    name: str
    kinds: tuple[str, ...]
    searchable: Mapping[str, int]
    keywords: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    facets: tuple[str, ...] = ("kind", "org_id", "competencies", "month")
    sortable: tuple[str, ...] = ("date",)
    display: tuple[str, ...] = ()

    @property
    def all_keywords(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*COMMON_KEYWORDS, *self.keywords)))

    @property
    def all_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*COMMON_NUMBERS, *self.numbers)))


THREADS_POSTS = IndexDefinition(
    name="threads_posts",
    kinds=("thread", "post"),
    searchable={"title": 3, "body": 1, "author_name": 1},
    keywords=("category_id", "thread_id", "author_id"),
    numbers=("votes",),
    facets=("kind", "org_id", "competencies", "month", "category_id"),
    sortable=("date", "votes"),
    display=("thread_title", "number"),
)
PEOPLE = IndexDefinition(
    name="people",
    kinds=("person",),
    searchable={"name": 4, **profile_fields.search_weights()},
    keywords=("person_id", *(k for k in profile_fields.search_keywords() if k not in COMMON_KEYWORDS)),
    numbers=("karma",),
    facets=("kind", "org_id", "competencies", "languages"),
    sortable=("date", "karma"),
)
EVENTS = IndexDefinition(
    name="events",
    kinds=("event",),
    searchable={"title": 3, "body": 1, "host_name": 1},
    keywords=("host_id", "status"),
    sortable=("date",),
)
VACANCIES = IndexDefinition(
    name="vacancies",
    kinds=("vacancy",),
    searchable={"title": 3, "body": 1, "location": 1},
    keywords=("status", "state", "mode", "pay_level"),
    numbers=("closes",),
    facets=("kind", "org_id", "competencies", "month", "state", "mode", "pay_level"),
    sortable=("date", "closes"),
)

INDEXES: Mapping[str, IndexDefinition] = MappingProxyType(
    {d.name: d for d in (THREADS_POSTS, PEOPLE, EVENTS, VACANCIES)})
ALL = "all"
"""Pass as the index to search every index at once."""


@dataclass(frozen=True, slots=True)
class PhysicalSchema:
    """The union of every definition, as one engine index holds it."""

    searchable: Mapping[str, int]
    keywords: tuple[str, ...]
    numbers: tuple[str, ...]
    facets: tuple[str, ...]
    sortable: tuple[str, ...]


def _union() -> PhysicalSchema:
    weights: dict[str, int] = {}
    for definition in INDEXES.values():
        for field, weight in definition.searchable.items():
            if weights.setdefault(field, weight) != weight:
                raise ValueError(f"searchable field {field!r} has two weights")
    keywords = tuple(dict.fromkeys(("index", *(k for d in INDEXES.values() for k in d.all_keywords))))
    numbers = tuple(dict.fromkeys(n for d in INDEXES.values() for n in d.all_numbers))
    clash = set(weights) & set(keywords) | set(weights) & set(numbers) | set(keywords) & set(numbers)
    if clash:
        raise ValueError(f"fields declared with two types: {sorted(clash)}")
    facets = tuple(dict.fromkeys(f for d in INDEXES.values() for f in d.facets))
    sortable = tuple(dict.fromkeys(s for d in INDEXES.values() for s in d.sortable))
    if not set(facets) <= set(keywords) or not set(sortable) <= set(numbers):
        raise ValueError("facets must be keywords and sortable fields must be numbers")
    return PhysicalSchema(MappingProxyType(dict(sorted(weights.items(), key=lambda kv: -kv[1]))),
                          keywords, numbers, facets, sortable)


PHYSICAL = _union()


def definition(index: str) -> IndexDefinition:
    """The definition named ``index``; a ``ValueError`` names an unknown one."""
    try:
        return INDEXES[index]
    except KeyError:
        raise ValueError(f"unknown search index {index!r}; known: {', '.join(INDEXES)}") from None
