"""Vacancies' pages and API: thin handlers over ``posting``, ``applications`` and ``reads``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from community import actions, api, keys, policy
from community.competencies import queries as dictionary
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.organisations import queries as organisations
from community.profiles import verification
from community.profiles.fields import STATES
from community.requests import actor_of, db_of, read_form, read_json, see_other, settings_of, signed_in, url_for
from community.timezones import IST, local_time
from community.vacancies import alerts, applications, feeds, posting, queries, reads
from community.vacancies.schemas import (MAX_REQUIRED, MODES, SHAREABLE, ApplicantsQuery, ApplyIn, VacancyListQuery, NoteIn,
                                         ReopenIn, SavedSearchIn, StageIn, VacancyIn)
from community.vacancies.queries import STAGES
from community.validation import number_or_text, parse_query, validate

FORM_ROWS = 8
"""Rows for required competencies the form offers beyond those filled."""


def _vacancy_id(request: web.Request) -> Any:
    return posting.vacancy_id_of(request.match_info["vacancy_id"])


def _now(request: web.Request) -> Any:
    return request.app[keys.CLOCK]()


def _local_input(iso: str) -> str:
    """An ISO time as a ``datetime-local`` value in Indian Standard Time."""
    return datetime.fromisoformat(iso).astimezone(IST).strftime("%Y-%m-%dT%H:%M") if iso else ""


def vacancy_values(form: Any) -> dict[str, Any]:
    """A vacancy form's fields as :class:`VacancyIn` takes them; required competencies are the
    numbered rows ``req-N-competency``, ``req-N-level`` and ``req-N-essential``."""
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in
                              ("org_id", "title", "position_id", "state", "city", "mode", "eligibility_service",
                               "eligibility_grade", "description", "contact", "closes_at")}
    for name in ("pay_level", "eligibility_years", "posts"):
        text = str(form.get(name, "")).strip()
        if text:
            values[name] = number_or_text(text)
    required = []
    for index in range(MAX_REQUIRED + FORM_ROWS):
        competency = str(form.get(f"req-{index}-competency", "")).strip()
        if not competency:
            continue
        level = str(form.get(f"req-{index}-level", "")).strip()
        required.append({"competency": competency, "level": number_or_text(level),
                         "essential": form.get(f"req-{index}-essential") == "essential"})
    values["required"] = required
    return values


async def _form_page(request: web.Request, values: dict[str, Any], errors: dict[str, str], *,
                     vacancy_id: str | None = None, status: int = 200) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    orgs = [org for org in await organisations.everything(db) if policy.can_post_vacancy(actor, org)]
    context = {
        "values": values, "errors": errors, "vacancy_id": vacancy_id,
        "orgs": [(str(org["_id"]), org["name"]) for org in orgs],
        "positions": [("", _("No FRAC position")), *((row["_id"], f"{row['title']} ({row['organisation']})")
                                                      for row in await dictionary.positions(db))],
        "competencies": [(row["_id"], row["name"]) for row in await dictionary.shown(db)],
        "states": [("", _("Choose a state")), *((state, _(state)) for state in STATES)],
        "modes": [(mode, reads.mode_label(mode)) for mode in MODES],
        "rows": list(range(max(len(values.get("required", [])) + FORM_ROWS // 2, FORM_ROWS))),
    }
    return aiohttp_jinja2.render_template("vacancies/form.html", request, context, status=status)


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("vacancies/list.html")
async def list_page(request: web.Request) -> dict[str, Any]:
    db, actor = db_of(request), actor_of(request)
    chosen = {key: value for key, value in request.query.items() if key in VacancyListQuery.model_fields and value}
    errors: dict[str, str] = {}
    try:
        asked = parse_query(VacancyListQuery, chosen)
        narrowed = await reads.open_filter(db, asked, _now(request))
    except Invalid as error:
        errors, asked, narrowed = error.errors, VacancyListQuery(), queries.EVERY_OPEN
    items = await reads.ranked_for(db, actor, narrowed, limit=asked.limit)
    counts = await reads.open_counts(db, request.app[keys.SEARCH], actor, asked, _now(request))
    return {"items": items, "chosen": {key: str(value) for key, value in asked.model_dump().items() if value},
            "errors": errors, "counts": counts, "filtered": narrowed != queries.EVERY_OPEN, "filters": [
                ("mode", _("Mode"), _("Any mode")), ("state", _("State"), _("Any state")),
                ("pay_level", _("Pay level"), _("Any pay level")), ("org", _("Organisation"), _("Any organisation")),
                ("competency", _("Competency"), _("Any competency")),
                ("closing", _("Closing date"), _("Any closing date"))],
            "is_department": actor.has(policy.Role.MDO_ADMIN) and actor.org_id is not None,
            "mode_label": reads.mode_label, "state_label": _}


@aiohttp_jinja2.template("vacancies/department.html")
async def department_page(request: web.Request) -> dict[str, Any]:
    actor = signed_in(request)
    rows = await reads.department_vacancies(db_of(request), actor)
    return {"vacancies": rows}


@aiohttp_jinja2.template("vacancies/mine.html")
async def mine_page(request: web.Request) -> dict[str, Any]:
    actor = signed_in(request, _("Sign in to see your applications."))
    return {"applications": await reads.my_applications(db_of(request), actor), "status_label": reads.status_label}


async def new_page(request: web.Request) -> web.Response:
    signed_in(request)
    values: dict[str, Any] = {"required": [], "posts": 1, "eligibility_years": 0, "mode": "deputation"}
    if request.query.get("position_id"):
        values["position_id"] = request.query["position_id"]
    return await _form_page(request, values, {})


async def _save(request: web.Request, vacancy_id: str | None) -> web.Response:
    form = await read_form(request)
    values = vacancy_values(form)
    if form.get("action") == "frac":
        try:
            values["required"] = await posting.mapping(db_of(request), values["position_id"])
        except Invalid as error:
            return await _form_page(request, values, error.errors, vacancy_id=vacancy_id, status=422)
        return await _form_page(request, values, {}, vacancy_id=vacancy_id)
    try:
        asked = validate(VacancyIn, values)
        if vacancy_id is None:
            created = await actions.run(request.app, actor_of(request), posting.create, asked)
            return see_other(url_for(request, "vacancies.vacancy", vacancy_id=str(created)))
        await actions.run(request.app, actor_of(request), posting.edit, posting.vacancy_id_of(vacancy_id), asked)
    except Invalid as error:
        return await _form_page(request, values, error.errors, vacancy_id=vacancy_id, status=422)
    return see_other(url_for(request, "vacancies.vacancy", vacancy_id=vacancy_id))


async def new_submit(request: web.Request) -> web.Response:
    return await _save(request, None)


async def edit_page(request: web.Request) -> web.Response:
    view = await reads.vacancy_view(db_of(request), actor_of(request), _vacancy_id(request), _now(request))
    policy.require(actor_of(request), view["can_manage"], _("Only the posting department may do that."))
    values = {**view, "closes_at": _local_input(view["closes_at"]), "position_id": view["position_id"] or ""}
    return await _form_page(request, values, {}, vacancy_id=view["id"])


async def edit_submit(request: web.Request) -> web.Response:
    return await _save(request, request.match_info["vacancy_id"])


async def _vacancy_page(request: web.Request, errors: dict[str, str], status: int = 200) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    vacancy_id = _vacancy_id(request)
    view = await reads.vacancy_view(db, actor, vacancy_id, _now(request))
    gap = await reads.gap(db, actor, vacancy_id, request.app[verification.RULE]) if actor.is_authenticated else []
    labels = reads.field_labels()
    return aiohttp_jinja2.render_template("vacancies/vacancy.html", request, {
        "vacancy": view, "gap": gap, "errors": errors, "shareable": [(field, labels[field]) for field in SHAREABLE],
        "status_label": reads.status_label, "mode_label": reads.mode_label, "state_label": _,
        "closes_local": local_time(datetime.fromisoformat(view["closes_at"])) if view["closes_at"] else ""},
        status=status)


async def vacancy_page(request: web.Request) -> web.Response:
    return await _vacancy_page(request, {})


async def _department_action(request: web.Request, service: Any, *args: Any) -> web.Response:
    await read_form(request)
    try:
        await actions.run(request.app, actor_of(request), service, _vacancy_id(request), *args)
    except Invalid as error:
        return await _vacancy_page(request, error.errors, status=422)
    return see_other(url_for(request, "vacancies.vacancy", vacancy_id=request.match_info["vacancy_id"]))


async def publish_submit(request: web.Request) -> web.Response:
    return await _department_action(request, posting.publish)


async def close_submit(request: web.Request) -> web.Response:
    return await _department_action(request, posting.close)


async def reopen_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    try:
        asked = validate(ReopenIn, {"closes_at": str(form.get("closes_at", ""))})
    except Invalid as error:
        return await _vacancy_page(request, error.errors, status=422)
    return await _department_action(request, posting.reopen, asked.closes_at)


async def apply_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    try:
        asked = validate(ApplyIn, {"statement": str(form.get("statement", "")),
                                   "share": [str(value) for value in form.getall("share", [])]})
        await actions.run_once_more_after_a_conflict(request.app, actor_of(request), applications.apply,
                                                     _vacancy_id(request), asked)
    except Invalid as error:
        return await _vacancy_page(request, error.errors, status=422)
    return see_other(url_for(request, "vacancies.vacancy", vacancy_id=request.match_info["vacancy_id"]) + "#application")


async def withdraw_submit(request: web.Request) -> web.Response:
    return await _department_action(request, applications.withdraw)


@aiohttp_jinja2.template("vacancies/applicants.html")
async def applicants_page(request: web.Request) -> dict[str, Any]:
    db, actor = db_of(request), actor_of(request)
    vacancy_id = _vacancy_id(request)
    chosen = {key: value for key, value in request.query.items() if key in ("status", "essentials", "after") and value}
    asked = parse_query(ApplicantsQuery, chosen)
    view = await reads.vacancy_view(db, actor, vacancy_id, _now(request))
    listed = await reads.applicants(db, actor, vacancy_id, status=asked.status, essentials=asked.essentials,
                                    after=asked.after, limit=asked.limit)
    kept = {key: value for key, value in chosen.items() if key != "after"}
    more = (url_for(request, "vacancies.applicants", vacancy_id=view["id"]) + "?" + urlencode({**kept, "after": listed["next"]})
            if listed["next"] else None)
    return {"vacancy": view, "listed": listed, "chosen": chosen, "stages": STAGES, "status_label": reads.status_label,
            "labels": reads.field_labels(), "more_url": more}


async def stage_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    asked = validate(StageIn, {"applications": [str(value) for value in form.getall("application", [])],
                               "status": str(form.get("status", ""))})
    await actions.run(request.app, actor_of(request), applications.move, _vacancy_id(request), asked)
    return see_other(url_for(request, "vacancies.applicants", vacancy_id=request.match_info["vacancy_id"]))


async def note_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    asked = validate(NoteIn, {"text": str(form.get("text", ""))})
    await actions.run(request.app, actor_of(request), applications.add_note, _vacancy_id(request),
                      request.match_info["application_id"], asked)
    return see_other(url_for(request, "vacancies.applicants", vacancy_id=request.match_info["vacancy_id"]))


async def feed(request: web.Request) -> web.Response:
    return await feeds.open_vacancies_feed(db_of(request), settings_of(request).base_url)


async def shortlist_csv(request: web.Request) -> web.Response:
    vacancy, text = await reads.shortlist_csv(db_of(request), actor_of(request), _vacancy_id(request))
    return web.Response(text=text, content_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="shortlist-{vacancy["_id"]}.csv"', "Cache-Control": "no-store"})


def _saved_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(row["_id"]), "mode": row.get("mode"), "state": row.get("state"), "pay_level": row.get("pay_level"),
            "words": row.get("words", ""), "min_match": row.get("min_match", 0)}


async def _alerts_page(request: web.Request, values: dict[str, Any], errors: dict[str, str],
                       status: int = 200) -> web.Response:
    actor = signed_in(request, _("Sign in to keep saved searches."))
    rows = await alerts.saved_by(db_of(request), actor.user_id)
    return aiohttp_jinja2.render_template("vacancies/alerts.html", request, {
        "searches": [_saved_out(row) for row in rows], "values": values, "errors": errors,
        "mode_options": [("", _("Any mode")), *((m, reads.mode_label(m)) for m in MODES)],
        "state_options": [("", _("Any state")), *((state, _(state)) for state in STATES)], "mode_label": reads.mode_label,
        "state_label": _},
        status=status)


async def alerts_page(request: web.Request) -> web.Response:
    return await _alerts_page(request, {}, {})


def _saved_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")) or None for name in ("mode", "state")}
    values["words"] = str(form.get("words", ""))
    for name in ("pay_level", "min_match"):
        text = str(form.get(name, "")).strip()
        if text:
            values[name] = number_or_text(text)
    return values


async def alerts_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    values = _saved_values(form)
    try:
        await actions.run(request.app, actor_of(request), alerts.save, validate(SavedSearchIn, values))
    except Invalid as error:
        return await _alerts_page(request, values, error.errors, status=422)
    return see_other(url_for(request, "vacancies.alerts"))


async def alert_delete_submit(request: web.Request) -> web.Response:
    await read_form(request)
    await actions.run(request.app, actor_of(request), alerts.delete, request.match_info["search_id"])
    return see_other(url_for(request, "vacancies.alerts"))


# --- API ------------------------------------------------------------------------------------


async def api_saved(request: web.Request) -> web.Response:
    actor = signed_in(request)
    return api.json_response({"items": [_saved_out(row) for row in await alerts.saved_by(db_of(request), actor.user_id)]})


async def api_save(request: web.Request) -> web.Response:
    asked = validate(SavedSearchIn, await read_json(request))
    created = await actions.run(request.app, actor_of(request), alerts.save, asked)
    return api.json_response({"id": str(created), **asked.model_dump()}, status=201)


async def api_delete_saved(request: web.Request) -> web.Response:
    await actions.run(request.app, actor_of(request), alerts.delete, request.match_info["search_id"])
    return web.Response(status=204)


async def _vacancy_json(request: web.Request, status: int = 200) -> web.Response:
    view = await reads.vacancy_view(db_of(request), actor_of(request), _vacancy_id(request), _now(request))
    return api.json_response(view, status=status)


async def api_list(request: web.Request) -> web.Response:
    asked = api.query(request, VacancyListQuery)
    db, actor = db_of(request), actor_of(request)
    narrowed = await reads.open_filter(db, asked, _now(request))
    return api.json_response({"items": await reads.ranked_for(db, actor, narrowed, limit=asked.limit),
                              "counts": await reads.open_counts(db, request.app[keys.SEARCH], actor, asked, _now(request))})


async def api_create(request: web.Request) -> web.Response:
    asked = validate(VacancyIn, await read_json(request))
    created = await actions.run(request.app, actor_of(request), posting.create, asked)
    view = await reads.vacancy_view(db_of(request), actor_of(request), created, _now(request))
    return api.json_response(view, status=201)


async def api_vacancy(request: web.Request) -> web.Response:
    return await _vacancy_json(request)


async def api_edit(request: web.Request) -> web.Response:
    asked = validate(VacancyIn, await read_json(request))
    await actions.run(request.app, actor_of(request), posting.edit, _vacancy_id(request), asked)
    return await _vacancy_json(request)


def _api_action(service: Any) -> Any:
    async def handler(request: web.Request) -> web.Response:
        await actions.run(request.app, actor_of(request), service, _vacancy_id(request))
        return await _vacancy_json(request)
    return handler


api_publish = _api_action(posting.publish)
api_close = _api_action(posting.close)


async def api_reopen(request: web.Request) -> web.Response:
    asked = validate(ReopenIn, await read_json(request))
    await actions.run(request.app, actor_of(request), posting.reopen, _vacancy_id(request), asked.closes_at)
    return await _vacancy_json(request)


async def api_mapping(request: web.Request) -> web.Response:
    signed_in(request)
    position_id = request.match_info["position_id"]
    required = await posting.mapping(db_of(request), position_id)
    names = await dictionary.competency_names(db_of(request), [item["competency"] for item in required])
    return api.json_response({"position_id": position_id, "required": [
        {**item, "name": names.get(item["competency"], {}).get("name", item["competency"])} for item in required]})


async def api_apply(request: web.Request) -> web.Response:
    asked = validate(ApplyIn, await read_json(request))
    row = await actions.run_once_more_after_a_conflict(request.app, actor_of(request), applications.apply,
                                                       _vacancy_id(request), asked)
    return api.json_response(reads.application_out(row))


async def api_withdraw(request: web.Request) -> web.Response:
    await actions.run(request.app, actor_of(request), applications.withdraw, _vacancy_id(request))
    return web.Response(status=204)


async def api_my_application(request: web.Request) -> web.Response:
    actor = signed_in(request)
    vacancy_id = _vacancy_id(request)
    await posting.access_vacancy(db_of(request), actor, vacancy_id)
    row = await queries.application(db_of(request), vacancy_id, actor.user_id)
    if row is None:
        raise NotFound(_("You have not applied to this vacancy."))
    return api.json_response(reads.application_out(row))


async def api_gap(request: web.Request) -> web.Response:
    return api.json_response({"items": await reads.gap(db_of(request), actor_of(request), _vacancy_id(request),
                                                       request.app[verification.RULE])})


async def api_applicants(request: web.Request) -> web.Response:
    asked = api.query(request, ApplicantsQuery)
    return api.json_response(await reads.applicants(db_of(request), actor_of(request), _vacancy_id(request),
                                                    status=asked.status, essentials=asked.essentials, after=asked.after,
                                                    limit=asked.limit))


async def api_stage(request: web.Request) -> web.Response:
    asked = validate(StageIn, await read_json(request))
    moved = await actions.run(request.app, actor_of(request), applications.move, _vacancy_id(request), asked)
    return api.json_response({"moved": moved})


async def api_note(request: web.Request) -> web.Response:
    asked = validate(NoteIn, await read_json(request))
    await actions.run(request.app, actor_of(request), applications.add_note, _vacancy_id(request),
                      request.match_info["application_id"], asked)
    return web.Response(status=204)

