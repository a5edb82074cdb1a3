"""What the pages, the API and the export show: vacancies with the viewer's match, officers'
ranked lists, a department's ranked applicants, and how to close a gap.

Explanations are worked out when read, from the directory's levels (``profiles.directory.held_levels``);
a department's ranking follows each application's stored score, which ``scoring`` keeps current.
"""

from __future__ import annotations

import base64
import binascii
import csv
import heapq
import io
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bson import ObjectId

from community import audit, policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.i18n import gettext as _, ngettext
from community.organisations import queries as organisations
from community.organisations.states import STATES
from community.policy import Actor
from community.profiles import directory, verification
from community.storage.api import Database
from community.vacancies import closing, queries
from community.vacancies.queries import SEARCH_INDEX
from community.vacancies.matching import Match, Row, match, score
from community.vacancies.scoring import held_by
from community.vacancies.posting import access_vacancy, managed_vacancy, stored_time
from community.vacancies.schemas import MODES, PAY_LEVELS, SHAREABLE, VacancyListQuery
from search.engine import SearchEngine, SearchResult
from search.filters import SearchFilter, both, where

EXPERTS_SHOWN = 3
RANK = re.compile(r"\d{20}[0-9a-f]{24}\|[0-9a-f]{24}")
"""What ``scoring.rank_key`` makes."""
EXPORT_PAGE = 200


def field_labels() -> dict[str, str]:
    return {"designation": _("Designation"), "organisation": _("Organisation"), "service": _("Service or cadre"),
            "location": _("State and district"), "languages": _("Languages"), "bio": _("About"),
            "email": _("E-mail"), "mobile": _("Mobile")}


def status_label(status: str) -> str:
    return {"submitted": _("Submitted"), "under_review": _("Under review"), "shortlisted": _("Shortlisted"),
            "not_selected": _("Not selected"), "selected": _("Selected"), "withdrawn": _("Withdrawn")}[status]


def mode_label(mode: str) -> str:
    """A mode in the reader's language (an unknown one as it is stored)."""
    return {"deputation": _("Deputation"), "transfer": _("Transfer"), "contract": _("Contract"),
            "promotion": _("Promotion")}.get(mode, mode)


def pay_level_label(level: int | str) -> str:
    return _("Pay level %(n)s", n=level)


LIST_FILTERS = ("mode", "state", "pay_level", "org", "competency", "closing")
"""The list's filters, in the form's order, each counted through the search index."""
FACET_OF = {"mode": "mode", "state": "state", "pay_level": "pay_level", "org": "org_id", "competency": "competencies"}
"""The search index's facet counting each filter; the closing windows are ranges of ``closes``."""
OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def _options(name: str) -> list[tuple[str, str]]:
    if name == "state":
        return [(state, _(state)) for state in STATES]
    if name == "mode":
        return [(mode, mode_label(mode)) for mode in MODES]
    if name == "closing":
        return [(window, closing.label(window)) for window in closing.CLOSING]
    return [(str(level), pay_level_label(level)) for level in PAY_LEVELS]


async def open_filter(db: Database, asked: VacancyListQuery, now: datetime) -> queries.OpenFilter:
    """The store's filter for the list's choices, the closing window worked out from ``now``;
    :class:`Invalid` names an organisation or a competency that is not there."""
    errors: dict[str, str] = {}
    org_id = ObjectId(asked.org) if asked.org and OBJECT_ID.fullmatch(asked.org) else None
    if asked.org and (org_id is None or not await organisations.names(db, [org_id])):
        errors["org"] = _("Choose one of the offered options.")
    if asked.competency and not await dictionary.competency_names(db, [asked.competency]):
        errors["competency"] = _("Choose one of the offered options.")
    if errors:
        raise Invalid(errors)
    closes_from, closes_before = closing.window(asked.closing, now) if asked.closing else (None, None)
    return queries.OpenFilter(mode=asked.mode, state=asked.state, pay_level=asked.pay_level, org_id=org_id,
                              competency=asked.competency or None, closes_from=closes_from, closes_before=closes_before)


def _index_filter(name: str, value: str | int, now: datetime) -> SearchFilter:
    if name == "closing":
        return closing.index_range(str(value), now)
    return where(**{FACET_OF[name]: str(value)})


async def open_counts(db: Database, engine: SearchEngine, actor: Actor, asked: VacancyListQuery,
                      now: datetime) -> dict[str, list[dict[str, Any]]]:
    """For each filter of the list, its values (in the order offered, in the reader's language)
    with the number of open vacancies choosing it would list, the other filters as ``asked``:
    every state, mode, pay level and closing window; the organisations and competencies that open
    vacancies have (and the one chosen), by name. The counts are the search index's: its facets,
    and the totals of ranges of closing times for the windows. The filters not chosen share one
    search; each chosen one has its own without it, so that a filter's own choice does not empty
    its other values. The index follows storage through the outbox, so a vacancy published a
    moment ago may be counted a moment later."""
    chosen = {name: _index_filter(name, value, now) for name in LIST_FILTERS if (value := getattr(asked, name))}
    visible = both(policy.search_visibility(actor), where(status="open"))

    async def counted(without: str | None, facets: list[str], window: SearchFilter | None = None) -> SearchResult:
        narrowed = both(visible, *(found for name, found in chosen.items() if name != without), window)
        return await engine.search(SEARCH_INDEX, "", narrowed, facets=facets, per_page=1, highlight=False)

    every = await counted(None, [facet for name, facet in FACET_OF.items() if name not in chosen])
    facets = dict(every.facets)
    for name, facet in FACET_OF.items():
        if name in chosen:
            facets[facet] = (await counted(name, [facet])).facets.get(facet, {})
    total = every.total if "closing" not in chosen else (await counted("closing", [])).total
    week, month = [(await counted("closing", [], _index_filter("closing", window, now))).total for window in ("week", "month")]
    facets["closing"] = {"week": week, "month": month, "later": total - month}
    names = await _names(db, facets["org_id"], facets["competencies"], asked)
    listed = {name: [{"value": value, "label": label, "count": facets[FACET_OF.get(name, name)].get(value, 0)}
                     for value, label in _options(name)] for name in ("mode", "state", "pay_level", "closing")}
    for name in ("org", "competency"):
        listed[name] = _found_options(facets[FACET_OF[name]], names[name], getattr(asked, name))
    return {name: listed[name] for name in LIST_FILTERS}


def _found_options(counts: Mapping[str, int], labels: Mapping[str, str], chosen: str | None) -> list[dict[str, Any]]:
    """The values counted that have a name, and the one chosen (counted or not), by name."""
    values = [value for value in counts if value in labels]
    values += [chosen] if chosen and chosen not in values else []
    return [{"value": value, "label": labels[value], "count": counts.get(value, 0)}
            for value in sorted(values, key=lambda value: labels[value].casefold())]


async def _names(db: Database, org_counts: Mapping[str, int], competency_counts: Mapping[str, int],
                 asked: VacancyListQuery) -> dict[str, dict[str, str]]:
    org_ids = [ObjectId(value) for value in [*org_counts, asked.org or ""] if OBJECT_ID.fullmatch(value)]
    competency_ids = [*competency_counts, *([asked.competency] if asked.competency else [])]
    return {"org": {str(org_id): name for org_id, name in (await organisations.names(db, org_ids)).items()},
            "competency": {competency_id: row.get("name", competency_id)
                           for competency_id, row in (await dictionary.competency_names(db, competency_ids)).items()}}


def row_text(row: Row) -> str:
    if row.outcome == "meets":
        return (_("Meets level %(level)s (verified).", level=row.required) if row.basis == "verified"
                else _("Meets level %(level)s (declared, not yet verified).", level=row.required))
    if row.outcome == "short":
        return ngettext("Short by %(num)s level: holds level %(held)s.", "Short by %(num)s levels: holds level %(held)s.",
                        row.short_by, held=row.held)
    return _("Missing.")


def summary(found: Match) -> str:
    """``4 of 5 competencies, 1 essential short by a level``."""
    said = ngettext("%(met)s of %(num)s competency", "%(met)s of %(num)s competencies", len(found.rows), met=found.met)
    short = found.essentials_short
    if not short:
        return _("%(competencies)s, every essential met", competencies=said)
    if all(row.outcome == "short" and row.short_by == 1 for row in short):
        return ngettext("%(competencies)s, %(num)s essential short by a level",
                        "%(competencies)s, %(num)s essentials short by a level", len(short), competencies=said)
    return ngettext("%(competencies)s, %(num)s essential not met", "%(competencies)s, %(num)s essentials not met",
                    len(short), competencies=said)


def match_view(found: Match, names: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {"score": found.score, "essentials_met": found.essentials_met, "summary": summary(found),
            "rows": [{"competency": row.competency, "name": names.get(row.competency, {}).get("name", row.competency),
                      "required": row.required, "essential": row.essential, "outcome": row.outcome,
                      "basis": row.basis, "held": row.held, "short_by": row.short_by, "text": row_text(row)}
                     for row in found.rows]}


def _time(value: datetime | None) -> str:
    return stored_time(value).isoformat() if value is not None else ""


async def vacancy_view(db: Database, actor: Actor, vacancy_id: ObjectId, now: datetime) -> dict[str, Any]:
    """One vacancy as the viewer may see it, with their match and application status."""
    vacancy = await access_vacancy(db, actor, vacancy_id)
    names = await dictionary.competency_names(db, vacancy["required_ids"])
    org_names = await organisations.names(db, [vacancy["org_id"]])
    mine = None
    application = None
    if actor.user_id is not None:
        held = (await held_by(db, [actor.user_id], vacancy["required_ids"])).get(actor.user_id, {})
        mine = match_view(match(held, vacancy["required"]), names)
        application = await queries.application(db, vacancy_id, actor.user_id)
    eligibility = vacancy.get("eligibility") or {}
    return {
        "id": str(vacancy["_id"]), "org_id": str(vacancy["org_id"]), "organisation": org_names.get(vacancy["org_id"], ""),
        "title": vacancy["title"], "position_id": vacancy.get("position_id"), "state": vacancy["state"],
        "city": vacancy["city"], "pay_level": vacancy["pay_level"], "mode": vacancy["mode"],
        "eligibility_service": eligibility.get("service", ""), "eligibility_grade": eligibility.get("grade", ""),
        "eligibility_years": eligibility.get("years", 0), "posts": vacancy["posts"],
        "closes_at": _time(vacancy["closes_at"]), "description": vacancy["description"],
        "description_html": vacancy["description_html"], "contact": vacancy["contact"],
        "required": [{"competency": item["competency"], "name": names.get(item["competency"], {}).get("name", item["competency"]),
                      "level": item["level"], "essential": item["essential"]} for item in vacancy["required"]],
        "status": vacancy["status"], "applications": vacancy.get("applications", 0), "match": mine,
        "application_status": application["status"] if application is not None else None,
        "can_manage": policy.can_manage_vacancy(actor, vacancy),
        "can_apply": policy.can_apply(actor, vacancy, now),
    }


async def ranked_for(db: Database, actor: Actor, chosen: queries.OpenFilter = queries.EVERY_OPEN, *,
                     limit: int = 20) -> list[dict[str, Any]]:
    """Open vacancies passing ``chosen``, the viewer's best match first (then the soonest
    closing); the filters filter, never score.

    Only a vacancy requiring something the viewer holds can score above 0 (every row of any
    other is missing), so those are read through the index of required competencies and scored;
    when they are fewer than a page, the soonest closing of the rest (all scoring 0) follow.
    Thousands may be ranked, so each is a tuple that sorts by itself: the closing times compare
    as the store gives them back (all with their zone or all without), ids as ids."""
    held = (await held_by(db, [actor.user_id])).get(actor.user_id, {}) if actor.user_id is not None else {}
    candidates = await queries.open_requiring(db, list(held), chosen) if held else []
    ranked = [(-score(held, vacancy["required"]), vacancy["closes_at"], vacancy["_id"], vacancy) for vacancy in candidates]
    if len(ranked) < limit:
        seen = {vacancy["_id"] for vacancy in candidates}
        rest = await queries.open_soonest(db, limit + len(seen), chosen)
        ranked += [(0, vacancy["closes_at"], vacancy["_id"], vacancy) for vacancy in rest if vacancy["_id"] not in seen]
    page = [(match(held, vacancy["required"]), vacancy) for *_, vacancy in heapq.nsmallest(limit, ranked)]
    whole = await queries.vacancies_by_id(db, [vacancy["_id"] for _, vacancy in page])
    names = await dictionary.competency_names(db, [item["competency"] for _, vacancy in page for item in vacancy["required"]])
    org_names = await organisations.names(db, [row["org_id"] for row in whole.values()])
    return [_listed(vacancy, org_names, match_view(found, names) if actor.user_id is not None else None)
            for found, brief in page if (vacancy := whole.get(brief["_id"])) is not None]


def _listed(vacancy: Mapping[str, Any], org_names: Mapping[ObjectId, str], shown_match: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": str(vacancy["_id"]), "title": vacancy["title"], "organisation": org_names.get(vacancy["org_id"], ""),
            "state": vacancy["state"], "city": vacancy["city"], "mode": vacancy["mode"],
            "pay_level": vacancy["pay_level"], "closes_at": _time(vacancy["closes_at"]), "match": shown_match}


async def fitting(db: Database, actor: Actor, competency_ids: list[str], now: datetime, limit: int) -> list[dict[str, Any]]:
    """Open vacancies requiring any of ``competency_ids`` that the actor may apply to, their best
    match first (then the soonest closing), each with the match and its explanation, and
    ``requires``: which of ``competency_ids`` it asks for, at what level."""
    if actor.user_id is None or not competency_ids:
        return []
    held = (await held_by(db, [actor.user_id])).get(actor.user_id, {})
    scored = [(score(held, vacancy["required"]), vacancy) for vacancy in await queries.open_requiring(db, competency_ids)]
    scored.sort(key=lambda pair: (-pair[0], stored_time(pair[1]["closes_at"]), str(pair[1]["_id"])))
    whole = await queries.vacancies_by_id(db, [vacancy["_id"] for _, vacancy in scored[:limit * 3]])
    page = [whole[brief["_id"]] for _, brief in scored[:limit * 3]
            if brief["_id"] in whole and policy.can_apply(actor, whole[brief["_id"]], now)][:limit]
    names = await dictionary.competency_names(db, [item["competency"] for vacancy in page for item in vacancy["required"]])
    org_names = await organisations.names(db, [vacancy["org_id"] for vacancy in page])
    wanted = set(competency_ids)
    return [{**_listed(vacancy, org_names, match_view(match(held, vacancy["required"]), names)),
             "requires": {item["competency"]: item["level"] for item in vacancy["required"] if item["competency"] in wanted}}
            for vacancy in page]


async def department_vacancies(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The vacancies the actor's department posted, drafts included."""
    if actor.org_id is None or not actor.has(policy.Role.MDO_ADMIN):
        return []
    rows = await queries.of_organisations(db, [actor.org_id, *await _below(db, actor.org_id)])
    return [row for row in rows if policy.is_vacancy_department(actor, row)]


async def _below(db: Database, org_id: ObjectId) -> list[ObjectId]:
    return [org["_id"] for org in await organisations.everything(db) if org_id in (org.get("path") or [])]


def encode_cursor(rank: str) -> str:
    return base64.urlsafe_b64encode(rank.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The rank a cursor holds; :class:`Invalid` naming ``after`` for anything this module did not make."""
    try:
        rank = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        rank = ""
    if not RANK.fullmatch(rank):
        raise Invalid({"after": _("This cursor is not valid; start again from the first page.")})
    return rank


async def applicants(db: Database, actor: Actor, vacancy_id: ObjectId, *, status: str | None = None,
                     essentials: bool = False, after: str | None = None, limit: int = 50) -> dict[str, Any]:
    """A page of the department's ranked applicants: best match first (the stored score,
    ``scoring``), each with the explanation worked out now and only what they shared; ``next``
    is the cursor of the page after (``None`` on the last)."""
    vacancy = await access_vacancy(db, actor, vacancy_id)
    policy.require(actor, policy.is_vacancy_department(actor, vacancy), _("Only the posting department sees applicants."))
    start = decode_cursor(after) if after else None
    rows = await queries.ranked_applications(db, vacancy_id, status=status, essentials=essentials, after=start,
                                             limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    held = await held_by(db, [row["user_id"] for row in rows], vacancy["required_ids"])
    names = await dictionary.competency_names(db, vacancy["required_ids"])
    notes = await queries.notes_on(db, [row["_id"] for row in rows])
    authors = await people.names_by_id(db, [note["author_id"] for found in notes.values() for note in found])
    return {"next": encode_cursor(rows[-1]["rank"]) if more else None, "items": [{
        "id": row["_id"], "status": row["status"], "statement": row["statement"], "shared": row["shared"],
        "match": match_view(match(held.get(row["user_id"], {}), vacancy["required"]), names),
        "notes": [{"text": note["text"], "author": authors.get(note["author_id"], ""), "at": _time(note["at"])}
                  for note in notes.get(row["_id"], [])]} for row in rows]}


async def my_applications(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The applicant's own applications, newest first, with each vacancy's title and status."""
    member = policy.require_member(actor)
    rows = await queries.applications_by(db, member.user_id)
    titles = {row["_id"]: row["title"] for row in
              [await queries.vacancy(db, vacancy_id) for vacancy_id in {r["vacancy_id"] for r in rows}] if row is not None}
    return [{"vacancy_id": str(row["vacancy_id"]), "title": titles.get(row["vacancy_id"], ""), "status": row["status"],
             "applied_at": row["applied_at"], "history": row["history"]} for row in rows]


def application_out(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["_id"], "vacancy_id": str(row["vacancy_id"]), "status": row["status"], "statement": row["statement"],
            "shared": list(row["shared"]), "consent_purpose": row["consent"]["purpose"],
            "consent_at": _time(row["consent"]["at"]),
            "history": [{"status": step["status"], "at": _time(step["at"])} for step in row["history"]]}


async def gap(db: Database, actor: Actor, vacancy_id: ObjectId, rule: verification.EndorsementRule) -> list[dict[str, Any]]:
    """For each required competency the viewer falls short of: threads tagged with it, and experts
    who hold it verified at the required level."""
    member = policy.require_member(actor)
    vacancy = await access_vacancy(db, member, vacancy_id)
    held = (await held_by(db, [member.user_id], vacancy["required_ids"])).get(member.user_id, {})
    names = await dictionary.competency_names(db, vacancy["required_ids"])
    found = []
    for row in match(held, vacancy["required"]).rows:
        if row.outcome == "meets":
            continue
        wanted = directory.Filters(competency=row.competency, min_level=row.required, basis=directory.VERIFIED,
                                   role="expert")
        cards, _next = await directory.search(db, member, wanted, rule, limit=EXPERTS_SHOWN + 1)
        experts = [{"label": card["name"], "url": f"/people/{card['id']}"} for card in cards
                   if card["id"] != str(member.user_id)][:EXPERTS_SHOWN]
        found.append({"competency": row.competency, "name": names.get(row.competency, {}).get("name", row.competency),
                      "short_by": row.short_by,
                      "threads_url": "/search?" + urlencode({"kind": "discussions", "competency": row.competency}),
                      "experts_url": "/network?" + urlencode({"competency": row.competency, "min_level": row.required,
                                                              "basis": directory.VERIFIED, "role": "expert"}),
                      "experts": experts})
    return found


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def shortlist_csv(db: Database, actor: Actor, vacancy_id: ObjectId) -> tuple[dict[str, Any], str]:
    """The shortlisted applicants as CSV, best match first, with only what each shared; the export is audited."""
    vacancy = await managed_vacancy(db, actor, vacancy_id)
    listed = await applicants(db, actor, vacancy_id, status="shortlisted", limit=EXPORT_PAGE)
    while listed["next"] is not None:
        following = await applicants(db, actor, vacancy_id, status="shortlisted", after=listed["next"], limit=EXPORT_PAGE)
        listed = {"next": following["next"], "items": listed["items"] + following["items"]}
    labels = field_labels()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Application"), _("Match"), _("Every essential met"), _("Status"),
                     *(labels[field] for field in SHAREABLE), _("Statement")])
    for item in listed["items"]:
        writer.writerow([_cell(item["id"]), item["match"]["score"], _("Yes") if item["match"]["essentials_met"] else _("No"),
                         status_label(item["status"]), *(_cell(item["shared"].get(field, "")) for field in SHAREABLE),
                         _cell(item["statement"])])
    await audit.record(db, actor=actor, action="vacancy.shortlist_export", target_type="vacancy", target_id=vacancy_id,
                       org_id=vacancy["org_id"], details={"rows": len(listed["items"])})
    return vacancy, out.getvalue()

