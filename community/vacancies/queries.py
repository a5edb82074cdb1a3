"""Vacancies' MongoDB language.

A vacancy: ``{_id, org_id, org_path, title, position_id, state, city, pay_level, mode,
eligibility: {service, grade, years}, posts, closes_at, description, description_html, contact,
required: [{competency, level, essential}], required_ids, status: draft|open|closed, created_by,
created_at, updated_at, published_at, closed_at, applications}``; ``applications`` counts every
application ever made, and stays when an applicant's data is erased.

An application is one document per person and vacancy under :func:`application_key`, so two
submits at once meet on one document: ``{_id, vacancy_id, org_id, user_id, statement, shared:
{field: value}, consent: {fields, purpose, at}, status, history: [{status, at}], applied_at,
updated_at, standing (not withdrawn), score, essentials_met, rank}`` (``scoring`` keeps the
last three). A note: ``{_id, vacancy_id, application_id, user_id (the applicant), author_id,
text, at}``.

A ranking row (``RANKING``) is what the ranked lists read of an open vacancy, under the
vacancy's id: ``{_id, closes_at, mode, state, pay_level, org_id, required_ids, required}``;
only open vacancies have one. The lists score a couple of thousand vacancies to show twenty,
and the embedded engine decodes a whole document before it projects, so they read these rows
(less than half of a vacancy to decode, without the description) and the page's vacancies
whole. :func:`refresh_ranking` keeps a row in step with its vacancy in the same transaction.

A saved search: ``{_id, user_id, mode, state, pay_level, words, min_match, created_at}``. Its
alert row (``ALERT_ROWS``, under the search's id) is what a newly published vacancy reads of it:
``{_id, filters, user_id, needs}``, ``filters`` the search's mode, state and pay level as one
text (:func:`filters_key`, one point of one index per combination a vacancy passes), ``needs``
its minimum match and its words (casefolded, single-spaced) as one text (:func:`needs_key`);
written and deleted with its search in the same transaction. Every field is a text or an id,
so the (filters, user_id, needs) index holds the whole row and the embedded engine answers a
vacancy's read from the index's keys alone, without decoding a document (a covered read).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.storage.api import Database

VACANCIES = "vacancies"
RANKING = "vacancy_ranking"
RANKING_FIELDS = ("closes_at", "mode", "state", "pay_level", "org_id", "required_ids", "required")
APPLICATIONS = "vacancy_applications"
NOTES = "vacancy_notes"
SEARCH_INDEX = "vacancies"
SAVED_SEARCHES = "vacancy_saved_searches"
ALERTS = "vacancy_alerts"
ALERT_ROWS = "vacancy_alert_rows"
SEARCH_FILTERS = ("mode", "state", "pay_level")
"""A saved search's filters (each ``None`` when not chosen), in the order :func:`filters_key` joins them."""

STAGES = ("submitted", "under_review", "shortlisted", "not_selected", "selected")
"""The stages a department moves an application through; ``withdrawn`` is the applicant's own."""
WITHDRAWN = "withdrawn"


def application_key(vacancy_id: ObjectId, user_id: ObjectId) -> str:
    return f"{vacancy_id}|{user_id}"


async def vacancy(db: Database, vacancy_id: ObjectId, session: Any = None) -> dict[str, Any] | None:
    return await db[VACANCIES].find_one({"_id": vacancy_id}, session=session)


def ranking_row(vacancy: dict[str, Any]) -> dict[str, Any]:
    return {"_id": vacancy["_id"], **{name: vacancy.get(name) for name in RANKING_FIELDS}}


def filters_key(mode: str | None, state: str | None, pay_level: int | None) -> str:
    """A saved search's filters as one text, ``None`` for one not chosen: ``'["deputation", null, 11]'``."""
    return json.dumps([mode, state, pay_level])


def needs_key(min_match: int, words: str) -> str:
    """What a saved search asks of a vacancy its filters let through, as one text: ``'[50, "budget kochi"]'``."""
    return json.dumps([min_match, words])


def needs_of(key: str) -> tuple[int, list[str]]:
    """A :func:`needs_key`'s minimum match and words."""
    min_match, words = json.loads(key)
    return min_match, words.split()


def keys_passed(vacancy: dict[str, Any]) -> list[str]:
    """The :func:`filters_key` of every saved search whose filters the vacancy passes: each filter
    not chosen or the vacancy's own value, eight combinations (fewer when the vacancy lacks one)."""
    choices = [sorted({None, vacancy.get(name)}, key=lambda value: value is not None) for name in SEARCH_FILTERS]
    return [filters_key(*combination) for combination in itertools.product(*choices)]


def alert_row(search: dict[str, Any]) -> dict[str, Any]:
    return {"_id": search["_id"], "filters": filters_key(*(search.get(name) for name in SEARCH_FILTERS)),
            "user_id": search["user_id"],
            "needs": needs_key(search.get("min_match", 0), " ".join(search.get("words", "").casefold().split()))}


async def refresh_ranking(db: Database, vacancy_id: ObjectId, session: Any = None) -> None:
    """The vacancy's ranking row as the vacancy now is: written while it is open, gone otherwise."""
    found = await vacancy(db, vacancy_id, session)
    if found is not None and found["status"] == "open":
        await db[RANKING].replace_one({"_id": vacancy_id}, ranking_row(found), upsert=True, session=session)
    else:
        await db[RANKING].delete_one({"_id": vacancy_id}, session=session)


async def fill_ranking(db: Database) -> int:
    """Rows for the open vacancies that have none (a store from before ranking rows) and none
    for the others, each brought in step by :func:`refresh_ranking`; how many were. A start-up
    of each process runs it: after the first, it reads two lists of ids and changes nothing."""
    ranked = {row["_id"] async for row in db[RANKING].find({}, {"_id": 1})}
    open_ids = {row["_id"] async for row in db[VACANCIES].find({"status": "open"}, {"_id": 1})}
    for vacancy_id in ranked ^ open_ids:
        await refresh_ranking(db, vacancy_id)
    return len(ranked ^ open_ids)


@dataclass(frozen=True, slots=True)
class OpenFilter:
    """What the list of open vacancies is narrowed by: eligibility (mode, state, pay level), the
    posting organisation, a required competency, and a closing window ``closes_from <= closes_at
    < closes_before`` (``None``: no bound)."""

    mode: str | None = None
    state: str | None = None
    pay_level: int | None = None
    org_id: ObjectId | None = None
    competency: str | None = None
    closes_from: datetime | None = None
    closes_before: datetime | None = None

    def query(self) -> dict[str, Any]:
        """The filter on ranking rows (every one an open vacancy's)."""
        query: dict[str, Any] = {}
        for name in ("mode", "state", "pay_level", "org_id"):
            if (value := getattr(self, name)) is not None:
                query[name] = value
        if self.competency is not None:
            query["required_ids"] = self.competency
        closes = {op: moment for op, moment in (("$gte", self.closes_from), ("$lt", self.closes_before)) if moment}
        if closes:
            query["closes_at"] = closes
        return query


EVERY_OPEN = OpenFilter()


async def open_requiring(db: Database, competency_ids: list[str], chosen: OpenFilter = EVERY_OPEN) -> list[dict[str, Any]]:
    """The ranking rows of open vacancies requiring any of ``competency_ids``; the page's few
    vacancies are loaded whole by :func:`vacancies_by_id`."""
    query, wanted = chosen.query(), {"required_ids": {"$in": competency_ids}}
    query = {"$and": [query, wanted]} if "required_ids" in query else {**query, **wanted}
    return await db[RANKING].find(query).to_list(None)


async def open_soonest(db: Database, limit: int, chosen: OpenFilter = EVERY_OPEN) -> list[dict[str, Any]]:
    """The ranking rows of the ``limit`` open vacancies closing soonest."""
    return await db[RANKING].find(chosen.query(), sort=[("closes_at", 1), ("_id", 1)], limit=limit).to_list(None)


async def vacancies_by_id(db: Database, ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    return {row["_id"]: row async for row in db[VACANCIES].find({"_id": {"$in": ids}}, {"description": 0})}


async def of_organisations(db: Database, org_ids: list[ObjectId]) -> list[dict[str, Any]]:
    """Every vacancy, drafts included, posted for any of ``org_ids``, newest first."""
    return await db[VACANCIES].find({"org_id": {"$in": org_ids}}, {"description": 0, "description_html": 0}).sort(
        [("created_at", -1), ("_id", -1)]).to_list(None)


async def application(db: Database, vacancy_id: ObjectId, user_id: ObjectId, session: Any = None) -> dict[str, Any] | None:
    return await db[APPLICATIONS].find_one({"_id": application_key(vacancy_id, user_id)}, session=session)


async def applications_of(db: Database, vacancy_id: ObjectId, statuses: list[str] | None = None) -> list[dict[str, Any]]:
    """The vacancy's standing applications (those of ``statuses`` when given); filtered here
    rather than in the query, which the embedded engine answers several times faster as one
    index range."""
    rows = await db[APPLICATIONS].find({"vacancy_id": vacancy_id}).to_list(None)
    return [row for row in rows if (row["status"] in statuses if statuses else row["status"] != WITHDRAWN)]


async def ranked_applications(db: Database, vacancy_id: ObjectId, *, status: str | None, essentials: bool,
                              after: str | None, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` standing applications passing the filters, best stored score first, then
    the earliest, from after the rank ``after``: one range of an index whatever the filters."""
    query: dict[str, Any] = {"vacancy_id": vacancy_id, "standing": True}
    if status:
        query["status"] = status
    if essentials:
        query["essentials_met"] = True
    if after is not None:
        query["rank"] = {"$gt": after}
    return await db[APPLICATIONS].find(query, sort=[("rank", 1)], limit=limit).to_list(None)


async def applications_by(db: Database, user_id: ObjectId) -> list[dict[str, Any]]:
    return await db[APPLICATIONS].find({"user_id": user_id}).sort([("applied_at", -1)]).to_list(None)


async def notes_on(db: Database, application_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    async for row in db[NOTES].find({"application_id": {"$in": application_ids}}).sort("at", 1):
        found.setdefault(row["application_id"], []).append(row)
    return found
