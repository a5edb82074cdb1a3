"""The audit log as an administrator reads it: what was done in words, by whom, and on what, by
name and linked where it can be opened; the times are shown in IST by the templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from bson import ObjectId

from community.accounts import people
from community.accounts.views import ROLE_LABELS
from community.audit import ACTIONS
from community.events import queries as events
from community.events.access import event_path
from community.forums import queries as forums
from community.forums.urls import category_path, post_path, thread_path
from community.i18n import gettext as _
from community.organisations import queries as organisations
from community.storage.api import Database
from community.timezones import as_utc
from community.vacancies import queries as vacancies


@dataclass(frozen=True, slots=True)
class ShownEntry:
    at: datetime
    who: str
    action: str
    """The action in words, in the reader's language (with the role granted or revoked)."""
    target: str
    target_url: str | None
    reason: str


def _oid(value: Any) -> ObjectId | None:
    if isinstance(value, ObjectId):
        return value
    return ObjectId(value) if isinstance(value, str) and ObjectId.is_valid(value) else None


def action_label(entry: dict[str, Any]) -> str:
    label = ACTIONS.get(entry["action"])
    text = _(label) if label else entry["action"]
    role = (entry.get("details") or {}).get("role")
    return f"{text}: {ROLE_LABELS[role]}" if role in ROLE_LABELS else text


async def shown(app: web.Application, db: Database, items: Sequence[dict[str, Any]]) -> list[ShownEntry]:
    """``items`` (audit documents) with names instead of ids; a target since removed is named by its kind."""
    def ids(kind: str) -> list[ObjectId]:
        return [oid for e in items if e["target_type"] == kind and (oid := _oid(e["target_id"])) is not None]

    thread_ids = ids("forum_thread") + [oid for e in items if e["target_type"] == "forum_post"
                                        and (oid := _oid((e.get("details") or {}).get("thread_id"))) is not None]
    names = await people.names_by_id(db, [e["actor_id"] for e in items] + ids("user"))
    orgs = await organisations.names(db, ids("organisation"))
    threads = {t["_id"]: t["title"] for oid in set(thread_ids) if (t := await forums.thread(db, oid)) is not None}
    categories = {c["_id"]: c for oid in set(ids("forum_category")) if (c := await forums.category(db, oid)) is not None}
    posts = await vacancies.vacancies_by_id(db, ids("vacancy")) if ids("vacancy") else {}
    held = {e["_id"]: e["title"] for oid in set(ids("event")) if (e := await events.event(db, oid)) is not None}
    person_url = app.router["admin_person"]

    def target(entry: dict[str, Any]) -> tuple[str, str | None]:
        kind, oid, details = entry["target_type"], _oid(entry["target_id"]), entry.get("details") or {}
        thread_id = _oid(details.get("thread_id"))
        if kind == "user" and oid is not None:
            return names.get(oid) or _("A deleted member"), str(person_url.url_for(user_id=str(oid)))
        if kind == "organisation":
            return (orgs.get(oid) if oid else None) or details.get("name") or _("A deleted organisation"), None
        if kind == "forum_thread" and oid is not None and oid in threads:
            return threads[oid], thread_path(oid)
        if kind == "forum_post" and thread_id is not None and thread_id in threads:
            return (_("Post %(n)s in “%(title)s”", n=details.get("number"), title=threads[thread_id]),
                    post_path(thread_id, details["number"]))
        if kind == "forum_category" and oid in categories:
            return categories[oid]["name"], category_path(categories[oid]["slug"])
        if kind == "vacancy" and oid in posts:
            return posts[oid]["title"], str(app.router["vacancies.vacancy"].url_for(vacancy_id=str(oid)))
        if kind == "event" and oid is not None and oid in held:
            return held[oid], event_path(oid)
        if kind == "forum_flag":
            return _("A report on a post"), None
        if kind == "message_report":
            return _("A report of a direct message"), None
        if kind == "job":
            return _("A background job"), None
        return _("Something since removed"), None

    result = []
    for entry in items:
        text, url = target(entry)
        result.append(ShownEntry(at=as_utc(entry["at"]), who=_("the system") if entry["actor_id"] is None
                                 else names.get(entry["actor_id"]) or _("A deleted member"),
                                 action=action_label(entry), target=text, target_url=url, reason=entry.get("reason") or ""))
    return result
