"""Vacancies: departments post positions with required competencies, officers see their match
and apply, departments shortlist; pages, API, the closing job and notifications."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from community import api, keys
from community.i18n import lazy_gettext
from community.storage.facts import declare
from community.vacancies import notices  # noqa: F401 - registers the notification kinds
from community.vacancies import alerts, queries, storage, views
from community.vacancies.schemas import (ApplicantsOut, ApplicantsQuery, ApplicationOut, ApplyIn, GapListOut, VacancyListQuery,
                                         MappingOut, NoteIn, ReopenIn, SavedSearchIn, SavedSearchListOut, SavedSearchOut,
                                         StageIn, StageOut, VacancyIn, VacancyListOut, VacancyOut)

T = "vacancies"
ONE = "/vacancies/{vacancy_id:[0-9a-f]{24}}"
"""A vacancy's address (a pattern, so /vacancies/saved-searches and the other pages stay their own)."""


async def ranking_context(app: web.Application) -> AsyncIterator[None]:
    """Runs after storage is open: open vacancies from before ranking rows get theirs, and saved
    searches from before alert rows theirs."""
    await queries.fill_ranking(app[keys.DB])
    await alerts.fill_alert_rows(app[keys.DB])
    yield


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.cleanup_ctx.append(ranking_context)
    app[keys.NAV].append(keys.NavItem("vacancies", lazy_gettext("Vacancies")))
    add = app.router.add_route
    add("GET", "/vacancies", views.list_page, name="vacancies")
    add("GET", "/vacancies/feed.atom", views.feed, name="vacancies.feed")
    add("GET", "/vacancies/new", views.new_page, name="vacancies.new")
    add("POST", "/vacancies/new", views.new_submit)
    add("GET", "/vacancies/department", views.department_page, name="vacancies.department")
    add("GET", "/vacancies/applications", views.mine_page, name="vacancies.mine")
    add("GET", "/vacancies/alerts", views.alerts_page, name="vacancies.alerts")
    add("POST", "/vacancies/alerts", views.alerts_submit)
    add("POST", "/vacancies/alerts/{search_id}/delete", views.alert_delete_submit, name="vacancies.alert_delete")
    add("GET", ONE, views.vacancy_page, name="vacancies.vacancy")
    add("GET", ONE + "/edit", views.edit_page, name="vacancies.edit")
    add("POST", ONE + "/edit", views.edit_submit)
    add("POST", ONE + "/publish", views.publish_submit, name="vacancies.publish")
    add("POST", ONE + "/close", views.close_submit, name="vacancies.close")
    add("POST", ONE + "/reopen", views.reopen_submit, name="vacancies.reopen")
    add("POST", ONE + "/apply", views.apply_submit, name="vacancies.apply")
    add("POST", ONE + "/withdraw", views.withdraw_submit, name="vacancies.withdraw")
    add("GET", ONE + "/applicants", views.applicants_page, name="vacancies.applicants")
    add("POST", ONE + "/applicants/stage", views.stage_submit, name="vacancies.stage")
    add("POST", ONE + "/applicants/{application_id}/notes", views.note_submit, name="vacancies.note")
    add("GET", ONE + "/shortlist.csv", views.shortlist_csv, name="vacancies.shortlist")

    route = api.route
    route(app, "GET", "/vacancies", views.api_list, summary="Open vacancies, your best match first", tag=T,
          query=VacancyListQuery, response=VacancyListOut, auth=False)
    route(app, "POST", "/vacancies", views.api_create, summary="Post a vacancy as a draft (an organisation's administrators)",
          tag=T, body=VacancyIn, response=VacancyOut, status=201)
    route(app, "GET", "/vacancies/saved-searches", views.api_saved, summary="Your saved vacancy searches", tag=T,
          response=SavedSearchListOut)
    route(app, "POST", "/vacancies/saved-searches", views.api_save, tag=T, body=SavedSearchIn, response=SavedSearchOut,
          status=201, summary="Save a search: new vacancies that fit it (filters, words, minimum match) alert you once")
    route(app, "DELETE", "/vacancies/saved-searches/{search_id}", views.api_delete_saved, tag=T, status=204,
          summary="Delete one of your saved searches")
    route(app, "GET", "/vacancies/mappings/{position_id}", views.api_mapping, tag=T, response=MappingOut,
          summary="A FRAC position's requirements, as a vacancy's required competencies")
    route(app, "GET", ONE, views.api_vacancy, summary="A vacancy, with your match", tag=T, response=VacancyOut, auth=False)
    route(app, "PUT", ONE, views.api_edit, summary="Change a draft or open vacancy (its applicants are told)", tag=T,
          body=VacancyIn, response=VacancyOut)
    route(app, "POST", ONE + "/publish", views.api_publish, summary="Publish a draft", tag=T, body=None,
          response=VacancyOut)
    route(app, "POST", ONE + "/close", views.api_close, summary="Close an open vacancy early", tag=T, body=None,
          response=VacancyOut)
    route(app, "POST", ONE + "/reopen", views.api_reopen, summary="Reopen a closed vacancy with a new closing time",
          tag=T, body=ReopenIn, response=VacancyOut)
    route(app, "GET", ONE + "/gap", views.api_gap, summary="How to close your gap: threads and experts per competency",
          tag=T, response=GapListOut)
    route(app, "GET", ONE + "/application", views.api_my_application, summary="Your application", tag=T,
          response=ApplicationOut)
    route(app, "PUT", ONE + "/application", views.api_apply, tag=T, body=ApplyIn, response=ApplicationOut,
          summary="Apply, sharing the profile fields you choose (applying twice changes nothing)")
    route(app, "DELETE", ONE + "/application", views.api_withdraw, summary="Withdraw your application while open",
          tag=T, status=204)
    route(app, "GET", ONE + "/applicants", views.api_applicants, tag=T, query=ApplicantsQuery, response=ApplicantsOut,
          summary="Applicants ranked by match, with only what each shared (the posting department)")
    route(app, "POST", ONE + "/applicants/stage", views.api_stage, summary="Move applicants to a stage", tag=T,
          body=StageIn, response=StageOut)
    route(app, "POST", ONE + "/applicants/{application_id}/notes", views.api_note, tag=T, body=NoteIn, status=204,
          summary="A note on an applicant, seen only by the department")
    route(app, "GET", ONE + "/shortlist", views.shortlist_csv, summary="The shortlist as CSV (the department; audited)",
          tag=T, response="text/csv")
