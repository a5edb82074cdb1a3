"""What a search request may ask for, checked field by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from community.errors import Invalid
from community.i18n import gettext as _
from community.organisations.states import STATES
from community.vacancies.closing import CLOSING
from community.vacancies.schemas import MODES

SCOPES: dict[str, str] = {"all": "all", "discussions": "threads_posts", "people": "people", "events": "events",
                          "vacancies": "vacancies"}
"""The ``kind`` a visitor chooses, and the search index it means."""
SCOPE_OF_INDEX: dict[str, str] = {index: scope for scope, index in SCOPES.items()}
MAX_QUERY = 200
MAX_PAGE = 50


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    q: str = Field("", max_length=MAX_QUERY, description="the words to find (typos forgiven; the last word may be unfinished)")
    kind: Literal["all", "discussions", "people", "events", "vacancies"] = "all"
    org: str = Field("", max_length=64, description="an organisation id")
    competency: str = Field("", max_length=80, description="a competency id")
    category: str = Field("", max_length=64, description="a forum category id")
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM")
    state: Literal[("", *STATES)] = Field("", description="a vacancy's state, as the facet's value gives it")  # type: ignore[valid-type]
    mode: Literal[("", *MODES)] = Field("", description="a vacancy's mode")  # type: ignore[valid-type]
    pay_level: str = Field("", pattern=r"^([1-9]|1[0-8])?$", description="a vacancy's pay level, 1-18")
    closing: Literal[("", *CLOSING)] = Field("", description="open vacancies closing `week` (the 7 days starting "  # type: ignore[valid-type]
                                             "today, Indian Standard Time), `month` (the 30 days starting today) "
                                             "or `later`")
    sort: Literal["relevance", "newest"] = "relevance"
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=50)


MESSAGES = {
    "q": lambda: _("Use at most %(n)s characters.", n=MAX_QUERY),
    "kind": lambda: _("Choose one of the offered options."),
    "org": lambda: _("Choose one of the offered options."),
    "competency": lambda: _("Choose one of the offered options."),
    "category": lambda: _("Choose one of the offered options."),
    "month": lambda: _("Use a month like 2026-11."),
    "state": lambda: _("Choose one of the offered options."),
    "mode": lambda: _("Choose one of the offered options."),
    "pay_level": lambda: _("Use a whole number from 1 to 18."),
    "closing": lambda: _("Choose one of the offered options."),
    "sort": lambda: _("Choose one of the offered options."),
    "page": lambda: _("Use a page number from 1 to %(n)s.", n=MAX_PAGE),
    "per_page": lambda: _("Use a whole number from 1 to 50."),
}


def parse(query: Mapping[str, str]) -> SearchParams:
    """The request's search parameters; ``Invalid`` names each field that is wrong."""
    try:
        return SearchParams.model_validate(dict(query))
    except ValidationError as error:
        fields = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        raise Invalid({name: str(MESSAGES[name]()) for name in sorted(fields) if name in MESSAGES}) from None


class HitOut(BaseModel):
    index: str
    kind: str
    id: str
    url: str
    title: str
    title_html: str
    """The title, escaped, with matches in ``<mark>``."""
    snippet_html: str
    """The field that best shows why this matched, as plain words (Markdown is indexed as the text
    a reader sees), escaped, matches in ``<mark>``, cropped."""
    number: int | None = None
    """For a reply: its number in the thread (the thread's best match, when a search groups)."""
    highlights: dict[str, str]
    """Field -> HTML with matches in ``<mark>``; everything else in it is escaped."""
    date: int | None = None


class FacetValueOut(BaseModel):
    value: str
    label: str
    count: int


class SearchOut(BaseModel):
    query: str
    total: int
    exact: bool = Field(True, description="false when more match than were counted: then `total` results at "
                                          "least, and `pages` the pages known (a next one when there is one)")
    page: int
    pages: int
    facets_sample: int = Field(0, description="when not 0, the facet counts count the first this many results "
                                              "only, in the order listed")
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]
