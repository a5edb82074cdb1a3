"""Searching on behalf of a person: their visibility filter, the chosen facets, labelled results.

Searches are grouped: a thread and its replies are one result, the document that matches best
standing for it (a reply links to itself in the thread), and totals, pages and facet counts count
results as listed."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from community import policy
from community.forums.urls import post_path, thread_path
from community.i18n import gettext as _
from community.search_pages import queries
from community.search_pages.schemas import SCOPE_OF_INDEX, SCOPES, FacetValueOut, HitOut, SearchOut, SearchParams
from community.storage.api import Database
from community.timezones import month_label
from community.vacancies import closing
from community.vacancies.reads import mode_label, pay_level_label
from search.definitions import ALL, INDEXES, PHYSICAL, VACANCIES
from search.engine import INDEX_FACET, Hit, SearchEngine, SearchResult, Sort
from search.filters import And, SearchFilter, both, where

FACETS = (INDEX_FACET, "category_id", "org_id", "state", "mode", "pay_level", "competencies", "month")
"""The facets the results page offers, in order (those an index does not have are left out)."""
SUGGESTIONS = 6


def scope_label(scope: str) -> str:
    return {"all": _("Everything"), "discussions": _("Discussions"), "people": _("People"), "events": _("Events"),
            "vacancies": _("Vacancies")}.get(scope, scope)


def kind_label(kind: str) -> str:
    """What one result is, beside its title: "Discussion", not the scope's plural "Discussions"."""
    return {"thread": _("Discussion"), "post": _("Reply in a discussion"), "person": _("Person"), "event": _("Event"),
            "vacancy": _("Vacancy")}.get(kind, kind)


def hit_url(hit: Hit) -> str:
    doc = hit.document
    if doc["kind"] == "thread":
        return thread_path(hit.id)
    if doc["kind"] == "post":
        return post_path(doc.get("thread_id", ""), int(doc.get("number", 1)))
    if doc["kind"] == "person":
        return f"/people/{doc.get('person_id', '')}"
    return f"/{'events' if doc['kind'] == 'event' else 'vacancies'}/{hit.id}"


def hit_title(hit: Hit) -> str:
    doc = hit.document
    return str(doc.get("title") or doc.get("thread_title") or doc.get("name") or "")


def _filters(params: SearchParams, now: datetime) -> SearchFilter | None:
    chosen: dict[str, str] = {}
    if params.org:
        chosen["org_id"] = params.org
    if params.competency:
        chosen["competencies"] = params.competency
    if params.category:
        chosen["category_id"] = params.category
    if params.month:
        chosen["month"] = params.month
    for name in ("state", "mode", "pay_level"):
        if getattr(params, name):
            chosen[name] = getattr(params, name)
    return both(where(**chosen) if chosen else None, _closing_filter(params.closing, now) if params.closing else None)


def _closing_filter(window: str, now: datetime) -> SearchFilter:
    """Open vacancies closing in ``window``: a closed vacancy is closing at no date."""
    return And((where(status="open"), closing.index_range(window, now)))


async def find(db: Database, engine: SearchEngine, actor: policy.Actor, params: SearchParams, now: datetime) -> SearchOut:
    """One page of results the actor may see, with facet counts and labels; searching vacancies,
    the open ones are counted by closing window too (``community.vacancies.closing``, from ``now``)."""
    index = SCOPES[params.kind]
    available = (*(PHYSICAL.facets if index == ALL else INDEXES[index].facets), INDEX_FACET)
    facets = [f for f in FACETS if f in available]
    visible = policy.search_visibility(actor)
    result = await engine.search(
        index, params.q, both(visible, _filters(params, now)), facets=facets,
        sort=Sort("date", "desc") if params.sort == "newest" else None, page=params.page, per_page=params.per_page,
        grouped=True)
    labelled = await _labelled(db, result)
    if index == VACANCIES.name:
        labelled["closing"] = await _closing_counts(engine, both(visible, _filters(params.model_copy(update={"closing": ""}),
                                                                                   now)), params.q, now)
    return SearchOut(query=params.q, total=result.total, exact=result.exact, page=result.page, pages=result.pages,
                     facets_sample=result.facets_sample, hits=[_hit_out(hit) for hit in result.hits], facets=labelled)


async def _closing_counts(engine: SearchEngine, others: SearchFilter | None, query: str,
                          now: datetime) -> list[FacetValueOut]:
    """The closing windows open vacancies matching ``query`` and ``others`` are in (those with
    any), each with its count; the ones closing later are the open ones not closing within a month.
    Not grouped (a vacancy is a group of one), so that the engine counts every match exactly."""
    async def total(found: SearchFilter) -> int:
        return (await engine.search(VACANCIES.name, query, both(others, found), per_page=1, highlight=False)).total
    week, month = await total(_closing_filter("week", now)), await total(_closing_filter("month", now))
    counts = {"week": week, "month": month, "later": await total(where(status="open")) - month}
    return [FacetValueOut(value=window, label=closing.label(window), count=count)
            for window, count in counts.items() if count]


SNIPPET_FIELDS = ("body", "bio", "expertise", "designation", "service", "location", "author_name", "host_name")


def _hit_out(hit: Hit) -> HitOut:
    marked = hit.highlights
    title_html = marked.get("title") or marked.get("name") or html.escape(hit_title(hit))
    candidates = [marked[f] for f in SNIPPET_FIELDS if f in marked]
    snippet_html = next((c for c in candidates if "<mark>" in c), candidates[0] if candidates else "")
    number = hit.document.get("number") if hit.document["kind"] == "post" else None
    return HitOut(index=hit.index, kind=hit.document["kind"], id=hit.id, url=hit_url(hit), title=hit_title(hit),
                  title_html=title_html, snippet_html=snippet_html, highlights=marked, date=hit.document.get("date"),
                  number=number)


async def _labelled(db: Database, result: SearchResult) -> dict[str, list[FacetValueOut]]:
    orgs = await queries.organisation_names(db, result.facets.get("org_id", {}))
    competencies = await queries.competency_names(db, result.facets.get("competencies", {}))
    categories = await queries.category_names(db, result.facets.get("category_id", {}))
    labels: dict[str, Callable[[str], str]] = {INDEX_FACET: lambda v: scope_label(SCOPE_OF_INDEX.get(v) or v),
              "org_id": lambda v: orgs.get(v, v), "category_id": lambda v: categories.get(v, v),
              "competencies": lambda v: competencies.get(v, v), "month": month_label,
              "state": lambda v: _(v), "mode": mode_label, "pay_level": pay_level_label}
    return {name: [FacetValueOut(value=value, label=str(labels.get(name, str)(value)), count=count)
                   for value, count in counts.items()]
            for name, counts in result.facets.items()}


async def suggest(engine: SearchEngine, actor: policy.Actor, text: str) -> list[HitOut]:
    """A few matches for what has been typed so far (the last word as a prefix)."""
    if not text.strip():
        return []
    result = await engine.search(ALL, text[:200], policy.search_visibility(actor), per_page=SUGGESTIONS, grouped=True)
    return [_hit_out(hit) for hit in result.hits]
