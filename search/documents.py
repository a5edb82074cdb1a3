"""Search documents built from what storage holds, through the builders features declare.

The indexer never trusts an outbox entry's payload: it reads the current stored state through
``load`` and writes that (or deletes), so replaying an entry any number of times, in any order,
ends in the same index. Which collections feed an index, and how, each feature declares in its
``storage.py`` (``community.storage.facts.SearchDocuments``); this module names none of them.
The helpers below are what those builders share.

The ``events`` and ``vacancies`` indexes expect the documents :func:`event_document` and
:func:`vacancy_document` build; their features declare them with :func:`single`, from stored
documents shaped like this:

- events: ``title``, ``description``, ``org_id`` (None: open to everyone), ``host_id``,
  ``starts_at``, ``competency_ids``, ``status``, ``deleted``.
- vacancies: ``title``, ``description``, ``org_id`` (the posting organisation), ``location``,
  ``state`` (stored in English; labelled in the reader's language when shown), ``mode``,
  ``pay_level`` (an integer, a keyword in the index), ``closes_at``, ``created_at``,
  ``competencies`` (ids or ``{"competency_id": ...}``), ``status`` (only ``open`` and ``closed``
  are searchable), ``deleted``.

An index no feature has declared yet has no sources: a rebuild empties it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import policy
from community.forums import markdown
from community.storage.facts import SEARCH, Loader
from community.storage.api import Database


@dataclass(slots=True)
class Changes:
    """What the index must do for one outbox entry: documents to write, ids to remove."""

    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def month(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m") if moment is not None else None


def optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def competency_ids(items: Any) -> list[str]:
    out = []
    for item in items or ():
        value = item.get("competency_id") if isinstance(item, Mapping) else item
        if value:
            out.append(str(value))
    return list(dict.fromkeys(out))


def object_id(doc_id: str) -> ObjectId | None:
    try:
        return ObjectId(doc_id)
    except (InvalidId, TypeError):
        return None


def words_of_markdown(source: str) -> str:
    """A Markdown description as the words a reader sees, for matching and snippets."""
    return markdown.text(markdown.render(source).html)


def event_document(event: Mapping[str, Any]) -> dict[str, Any]:
    starts = event.get("starts_at")
    return {
        "id": str(event["_id"]), "kind": "event", "title": event.get("title", ""),
        "body": words_of_markdown(event.get("description", "")), "host_name": event.get("host_name"),
        "host_id": optional_str(event.get("host_id")), "status": optional_str(event.get("status")),
        "org_id": optional_str(event.get("org_id")), "competencies": competency_ids(event.get("competency_ids")),
        "month": month(starts), "date": epoch(starts),
        "access": policy.search_audience(event.get("org_id")),
        "hidden": bool(event.get("deleted") or event.get("hidden") or event.get("status") == "draft"),
    }


def vacancy_document(vacancy: Mapping[str, Any]) -> dict[str, Any]:
    created = vacancy.get("created_at")
    return {
        "id": str(vacancy["_id"]), "kind": "vacancy", "title": vacancy.get("title", ""),
        "body": words_of_markdown(vacancy.get("description", "")), "location": vacancy.get("location"),
        "status": optional_str(vacancy.get("status")), "org_id": optional_str(vacancy.get("org_id")),
        "state": optional_str(vacancy.get("state")), "mode": optional_str(vacancy.get("mode")),
        "pay_level": optional_str(vacancy.get("pay_level")),
        "competencies": competency_ids(vacancy.get("competencies")),
        "month": month(created), "date": epoch(created), "closes": epoch(vacancy.get("closes_at")),
        "access": policy.search_audience(None),
        "hidden": bool(vacancy.get("deleted") or vacancy.get("status") not in ("open", "closed")),
    }


def single(collection: str, build: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Loader:
    """A loader for an index with one document per stored document of ``collection``."""
    async def load(db: Database, doc_id: str) -> Changes:
        oid = object_id(doc_id)
        found = await db[collection].find_one({"_id": oid}) if oid is not None else None
        return Changes(upserts=[build(found)]) if found is not None else Changes(deletes=[doc_id])
    return load


async def load(db: Database, index: str, doc_id: str) -> Changes:
    """The index changes that bring ``doc_id`` of ``index`` in line with storage."""
    try:
        documents = SEARCH[index]
    except KeyError:
        raise ValueError(f"unknown search index {index!r}") from None
    return await documents.load(db, doc_id)


async def source_ids(db: Database, index: str) -> AsyncIterator[str]:
    """Every source id of ``index`` (none while no feature declares it)."""
    for collection, query in SEARCH[index].sources if index in SEARCH else ():
        async for row in db[collection].find(query, {"_id": 1}):
            yield str(row["_id"])


async def source_count(db: Database, index: str) -> int:
    sources = SEARCH[index].sources if index in SEARCH else ()
    return sum([await db[collection].count_documents(query) for collection, query in sources])
