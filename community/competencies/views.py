"""Dictionary pages (browse for everyone, manage for administrators) and its JSON API."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import api, policy
from community.competencies import csv_io, manage, queries
from community.competencies.names import localized, theme_in
from community.competencies.schemas import CompetencyQuery
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.requests import actor_of, db_of, read_form, read_json, see_other, url_for
from community.validation import whole_number

LEVEL_FIELDS = [f"level_{number}" for number in range(1, 6)]


async def _competency_or_404(request: web.Request) -> dict[str, Any]:
    found = await queries.competency(db_of(request), request.match_info["competency_id"])
    if found is None:
        raise NotFound(_("There is no such competency."))
    return found


async def _position_or_404(request: web.Request) -> dict[str, Any]:
    found = await queries.position(db_of(request), request.match_info["position_id"])
    if found is None:
        raise NotFound(_("There is no such position."))
    return found


# --- public pages ---------------------------------------------------------------------------


@aiohttp_jinja2.template("competencies/index.html")
async def index(request: web.Request) -> dict[str, Any]:
    kind = request.query.get("kind") or None
    if kind is not None and kind not in queries.KINDS:
        raise Invalid({"kind": _("Choose behavioural, functional or domain.")})
    theme = request.query.get("theme") or None
    return {"competencies": await queries.shown(db_of(request), kind=kind, theme=theme),
            "kinds": queries.KINDS, "kind": kind, "theme": theme,
            "themes": [(pair_kind, value, theme_in(value)) for pair_kind, value in await queries.themes(db_of(request))]}


@aiohttp_jinja2.template("competencies/competency.html")
async def competency_page(request: web.Request) -> dict[str, Any]:
    found = await _competency_or_404(request)
    return {"competency": localized(found), "positions": await queries.positions_requiring(db_of(request), found["_id"])}


@aiohttp_jinja2.template("competencies/positions.html")
async def positions_page(request: web.Request) -> dict[str, Any]:
    return {"positions": await queries.positions(db_of(request))}


@aiohttp_jinja2.template("competencies/position.html")
async def position_page(request: web.Request) -> dict[str, Any]:
    found = await _position_or_404(request)
    wanted = queries.requirements(found)
    return {"position": found, "names": await queries.competency_names(db_of(request), wanted), "needs": wanted}


# --- administration pages -------------------------------------------------------------------


def _require_admin(request: web.Request) -> None:
    actor = actor_of(request)
    policy.require(actor, policy.can_manage_dictionary(actor), _("Only administrators manage the dictionary."))


@aiohttp_jinja2.template("competencies/admin.html")
async def admin_page(request: web.Request) -> dict[str, Any]:
    _require_admin(request)
    return {"competencies": await queries.shown(db_of(request)), "positions": await queries.positions(db_of(request)),
            "result": None, "errors": {}, "detail": None}


def _competency_form(form: Any) -> dict[str, Any]:
    return {
        "id": form.get("id", ""), "kind": form.get("kind", ""), "area": form.get("area", ""),
        "theme": form.get("theme", ""), "name": form.get("name", ""), "description": form.get("description", ""),
        "owner": form.get("owner", "").strip() or None,
        "levels": [{"level": number, "description": form.get(f"level_{number}", "")} for number in range(1, 6)],
    }


def _competency_values(document: dict[str, Any]) -> dict[str, Any]:
    values = {key: document.get(key) or "" for key in ("kind", "area", "theme", "name", "description", "owner")}
    values["id"] = document.get("_id", document.get("id", ""))
    for level in document.get("levels", []):
        values[f"level_{level['level']}"] = level["description"]
    return values


def _competency_field(name: str) -> str:
    """The form field an error belongs to: ``levels.2.description`` is the third level's box."""
    parts = name.split(".")
    if parts[0] == "levels":
        number = whole_number(parts[1]) if len(parts) > 1 else None
        return f"level_{number + 1}" if number is not None and number >= 0 else "level_1"
    return name if name != "__root__" else "levels"


async def competency_form(request: web.Request) -> web.Response:
    _require_admin(request)
    creating = "competency_id" not in request.match_info
    values = {} if creating else _competency_values(await _competency_or_404(request))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        data = _competency_form(form)
        if not creating:
            data["id"] = request.match_info["competency_id"]
        try:
            await manage.save_competency(db_of(request), actor_of(request), data, creating=creating)
        except Invalid as error:
            errors = {_competency_field(name): message for name, message in reversed(error.errors.items())}
            values = {**_competency_values(data), **{name: form.get(name, "") for name in LEVEL_FIELDS}}
        else:
            return see_other(url_for(request, "dictionary_admin"))
    return aiohttp_jinja2.render_template("competencies/competency_form.html", request, {
        "creating": creating, "values": values, "errors": errors, "kinds": queries.KINDS,
    }, status=422 if errors else 200)


SPARE_ROWS = 5
"""Empty requirement rows under the filled ones: without JavaScript a form cannot grow, so there
is room for five more, and saving brings five more again."""
MAX_ROWS = 200
REQUIREMENT_FIELDS = ("role", "activity", "competency", "level")


def _position_values(document: dict[str, Any]) -> dict[str, Any]:
    rows = [{"role": role["name"], "activity": activity["name"], "competency": item["competency"], "level": str(item["level"])}
            for role in document.get("roles", []) for activity in role["activities"] for item in activity["competencies"]]
    return {"id": document.get("_id", ""), "title": document.get("title", ""),
            "organisation": document.get("organisation", ""), "requirements": rows}


def requirement_rows(form: Any) -> list[dict[str, str]]:
    """The form's requirement rows (``req-<n>-role``, ``-activity``, ``-competency``, ``-level``),
    in order, as sent; rows left wholly empty are dropped."""
    rows = []
    for index in range(MAX_ROWS):
        row = {name: str(form.get(f"req-{index}-{name}", "")).strip() for name in REQUIREMENT_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def requirement_roles(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Roles from the rows; Invalid names the row to complete, under the key of that row."""
    roles: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for index, row in enumerate(rows):
        if not all(row.values()):
            raise Invalid({f"req-{index}": _("Row %(n)s: give the role, the activity, the competency and the level.",
                                             n=index + 1)})
        level = whole_number(row["level"])
        if level is None or not 1 <= level <= 5:
            raise Invalid({f"req-{index}": _("Row %(n)s: the level must be a whole number from 1 to 5.", n=index + 1)})
        roles.setdefault(row["role"], {}).setdefault(row["activity"], []).append(
            {"competency": row["competency"], "level": level})
    if not roles:
        raise Invalid({"requirements": _("Give at least one required competency.")})
    return [{"name": role, "activities": [{"name": name, "competencies": items} for name, items in activities.items()]}
            for role, activities in roles.items()]


async def position_form(request: web.Request) -> web.Response:
    _require_admin(request)
    creating = "position_id" not in request.match_info
    values = {} if creating else _position_values(await _position_or_404(request))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        values = {**{name: str(form.get(name, "")) for name in ("id", "title", "organisation")},
                  "requirements": requirement_rows(form)}
        if not creating:
            values["id"] = request.match_info["position_id"]
        try:
            data = {"id": values["id"], "title": values["title"], "organisation": values["organisation"],
                    "roles": requirement_roles(values["requirements"])}
            await manage.save_position(db_of(request), actor_of(request), data, creating=creating)
        except Invalid as error:
            errors = {name if name in ("id", "title", "organisation") or name.startswith("req-") else "requirements": message
                      for name, message in reversed(error.errors.items())}
        else:
            return see_other(url_for(request, "dictionary_admin"))
    rows = values.get("requirements") or []
    return aiohttp_jinja2.render_template("competencies/position_form.html", request, {
        "creating": creating, "values": values, "errors": errors,
        "rows": [*rows, *({} for _spare in range(SPARE_ROWS))][:MAX_ROWS],
        "competency_rows": await queries.shown(db_of(request)),
    }, status=422 if errors else 200)


async def competency_delete(request: web.Request) -> web.Response:
    await manage.delete_competency(db_of(request), actor_of(request), request.match_info["competency_id"])
    return see_other(url_for(request, "dictionary_admin"))


async def position_delete(request: web.Request) -> web.Response:
    await manage.delete_position(db_of(request), actor_of(request), request.match_info["position_id"])
    return see_other(url_for(request, "dictionary_admin"))


IMPORTERS = {"competencies": csv_io.import_competencies, "positions": csv_io.import_positions}
EXPORTERS = {"competencies": csv_io.export_competencies, "positions": csv_io.export_positions}


async def import_page(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await read_form(request)
    which, upload = form.get("which"), form.get("file")
    context: dict[str, Any] = {"result": None, "errors": {}, "detail": None}
    status = 200
    if which not in IMPORTERS:
        context["errors"], status = {"which": _("Choose competencies or positions.")}, 422
    elif not isinstance(upload, web.FileField):
        context["errors"], status = {"file": _("Choose a CSV file to import.")}, 422
    else:
        try:
            context["result"] = {"which": which, **await IMPORTERS[str(which)](db_of(request), actor_of(request),
                                                                                upload.file.read())}
        except Invalid as error:
            context["errors"], context["detail"], status = error.errors, error.detail, 422
    context |= {"competencies": await queries.shown(db_of(request)), "positions": await queries.positions(db_of(request))}
    return aiohttp_jinja2.render_template("competencies/admin.html", request, context, status=status)


async def export_csv(request: web.Request) -> web.Response:
    _require_admin(request)
    which = request.match_info["which"]
    if which not in EXPORTERS:
        raise NotFound(_("There is no such export."))
    text = await EXPORTERS[which](db_of(request))
    return web.Response(text=text, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{which}.csv"'})


# --- API ------------------------------------------------------------------------------------


def competency_json(document: dict[str, Any]) -> dict[str, Any]:
    return {"id": document["_id"], **{key: document.get(key) for key in ("kind", "area", "theme", "name", "description", "owner")},
            "levels": [{"level": level["level"], "description": level["description"]} for level in document["levels"]]}


def position_json(document: dict[str, Any]) -> dict[str, Any]:
    return {"id": document["_id"], "title": document["title"], "organisation": document["organisation"],
            "roles": document["roles"], "requirements": queries.requirements(document)}


async def api_competencies(request: web.Request) -> web.Response:
    asked = api.query(request, CompetencyQuery)
    rows = await queries.competencies(db_of(request), kind=asked.kind, theme=asked.theme or None)
    return api.json_response({"items": [competency_json(row) for row in rows]})


async def api_competency(request: web.Request) -> web.Response:
    return api.json_response(competency_json(await _competency_or_404(request)))


async def api_create_competency(request: web.Request) -> web.Response:
    saved = await manage.save_competency(db_of(request), actor_of(request), await read_json(request), creating=True)
    return api.json_response(competency_json(await queries.competency(db_of(request), saved.id) or {}), status=201)


async def api_replace_competency(request: web.Request) -> web.Response:
    body = {**await read_json(request), "id": request.match_info["competency_id"]}
    saved = await manage.save_competency(db_of(request), actor_of(request), body, creating=False)
    return api.json_response(competency_json(await queries.competency(db_of(request), saved.id) or {}))


async def api_delete_competency(request: web.Request) -> web.Response:
    await manage.delete_competency(db_of(request), actor_of(request), request.match_info["competency_id"])
    return web.Response(status=204)


async def api_positions(request: web.Request) -> web.Response:
    return api.json_response({"items": [position_json(row) for row in await queries.positions(db_of(request))]})


async def api_position(request: web.Request) -> web.Response:
    return api.json_response(position_json(await _position_or_404(request)))


async def api_create_position(request: web.Request) -> web.Response:
    saved = await manage.save_position(db_of(request), actor_of(request), await read_json(request), creating=True)
    return api.json_response(position_json(await queries.position(db_of(request), saved.id) or {}), status=201)


async def api_replace_position(request: web.Request) -> web.Response:
    body = {**await read_json(request), "id": request.match_info["position_id"]}
    saved = await manage.save_position(db_of(request), actor_of(request), body, creating=False)
    return api.json_response(position_json(await queries.position(db_of(request), saved.id) or {}))


async def api_delete_position(request: web.Request) -> web.Response:
    await manage.delete_position(db_of(request), actor_of(request), request.match_info["position_id"])
    return web.Response(status=204)


async def api_import(request: web.Request) -> web.Response:
    """The body is the CSV file itself (``Content-Type: text/csv``)."""
    which = request.match_info["which"]
    if which not in IMPORTERS:
        raise NotFound(_("There is no such import."))
    counts = await IMPORTERS[which](db_of(request), actor_of(request), await request.read())
    return api.json_response({"which": which, **counts})
