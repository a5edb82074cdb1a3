"""Vacancies' notifications, rendered in the reader's language when shown: a vacancy an
applicant applied to was changed or closed, an application's status changed, and a new vacancy
fits a saved search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community.i18n import gettext as _, lazy_gettext
from community.notifications import kinds
from community.notifications.intents import recipient_set, subject_type
from community.storage.api import Database
from community.vacancies import alerts, queries
from community.vacancies.alerts import ALERT_SUBJECT
from community.vacancies.applications import APPLICATION_SUBJECT
from community.vacancies.posting import SUBJECT
from community.vacancies.reads import status_label


def _url(params: Mapping[str, Any]) -> str:
    return f"/vacancies/{params['vacancy_id']}"


kinds.register("vacancy_changed", label=lazy_gettext("Changes to vacancies you applied to"), url=_url,
               text=lambda p, actor: _("A vacancy you applied to was changed: \u201c%(title)s\u201d", title=p["title"]))
kinds.register("vacancy_closed", label=lazy_gettext("Vacancies you applied to closing"), url=_url,
               text=lambda p, actor: _("A vacancy you applied to has closed: \u201c%(title)s\u201d", title=p["title"]))
kinds.register("vacancy_alert", label=lazy_gettext("New vacancies that fit your saved searches"), url=_url,
               text=lambda p, actor: _("A new vacancy fits your saved search: \u201c%(title)s\u201d", title=p["title"]))
kinds.register("vacancy_status", label=lazy_gettext("Your applications' status"), url=_url,
               text=lambda p, actor: _("Your application for \u201c%(title)s\u201d is now: %(status)s",
                                       title=p["title"], status=status_label(p["status"])))


@recipient_set("vacancy.applicants")
async def _applicants(db: Database, *, vacancy_id: ObjectId) -> list[ObjectId]:
    return [row["user_id"] for row in await queries.applications_of(db, vacancy_id)]


@recipient_set("vacancy.alerted")
async def _alerted(db: Database, *, batch: ObjectId) -> list[ObjectId]:
    return await alerts.alerted_in(db, batch)


@subject_type(SUBJECT)
async def _while_published(db: Database, vacancy_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    vacancy = await queries.vacancy(db, vacancy_id)
    return people if vacancy is not None and vacancy["status"] != "draft" else []


@subject_type(ALERT_SUBJECT)
async def _while_open(db: Database, vacancy_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    vacancy = await queries.vacancy(db, vacancy_id)
    return people if vacancy is not None and vacancy["status"] == "open" else []


@subject_type(APPLICATION_SUBJECT)
async def _the_applicant(db: Database, application_id: str, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Only the applicant, and only while the application is stored (erasure deletes it)."""
    row = await db[queries.APPLICATIONS].find_one({"_id": application_id}, {"user_id": 1})
    return [person for person in people if row is not None and person == row["user_id"]]
