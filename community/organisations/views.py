"""Organisation pages for administrators, and the organisations API."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId

from community import api, keys
from community.accounts.forms import form_values, render_form
from community.errors import Invalid
from community.i18n import gettext as _, lazy_gettext
from community.organisations import queries, service
from community.organisations.schemas import OrganisationChange, OrganisationIn, OrganisationQuery
from community.organisations.states import STATES
from community.policy import can_manage_organisations, require
from community.requests import read_json
from community.site.views import see_other
from community.validation import validate

KIND_LABELS = {"ministry": lazy_gettext("Ministry"), "department": lazy_gettext("Department"), "office": lazy_gettext("Office")}
LEVEL_LABELS = {"central": lazy_gettext("Central"), "state": lazy_gettext("State")}


def org_out(org: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(org["_id"]), "name": org["name"], "short_name": org["short_name"], "kind": org["kind"],
            "level": org["level"], "state": org.get("state"),
            "parent_id": str(org["parent_id"]) if org.get("parent_id") else None, "path": [str(i) for i in org.get("path", [])]}


def node_out(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(node["_id"]), "name": node["name"], "short_name": node["short_name"], "kind": node["kind"],
            "level": node["level"], "state": node.get("state"), "children": [node_out(child) for child in node["children"]]}


def _without_blanks(values: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: (None if key in names and value == "" else value) for key, value in values.items()}


async def _manage_page(request: web.Request, values: dict[str, Any], errors: dict[str, str] | None = None) -> web.Response:
    orgs = await queries.everything(request.app[keys.DB])
    return render_form(request, "organisations/manage.html", values, errors, tree=service.tree(orgs),
                       choices=service.flattened(orgs), states={state: state for state in STATES}, kinds=KIND_LABELS,
                       levels=LEVEL_LABELS)


async def manage_page(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    if request.method == "GET":
        return await _manage_page(request, {"level": "central", "kind": "ministry"})
    values = await form_values(request, OrganisationIn.model_fields)
    try:
        org = await service.create(request.app[keys.DB], actor,
                                   validate(OrganisationIn, _without_blanks(values, ("state", "parent_id"))))
    except Invalid as error:
        return await _manage_page(request, values, error.errors)
    return see_other(str(request.app.router["admin_organisation"].url_for(org_id=str(org["_id"]))) + "?created=1")


async def edit_page(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    db = request.app[keys.DB]
    org = await service.load(db, request.match_info["org_id"])
    context = {"org": org, "parent": await queries.by_id(db, org["parent_id"]) if org.get("parent_id") else None,
               "members": await queries.member_count(db, org["_id"]), "children": await queries.child_count(db, org["_id"]),
               "kinds": KIND_LABELS, "levels": LEVEL_LABELS, "created": request.query.get("created") == "1"}
    if request.method == "GET":
        return render_form(request, "organisations/edit.html", {"name": org["name"], "short_name": org["short_name"]},
                           **context)
    values = await form_values(request, OrganisationChange.model_fields)
    try:
        await service.change(db, actor, org["_id"], validate(OrganisationChange, values))
    except Invalid as error:
        return render_form(request, "organisations/edit.html", values, error.errors, **context)
    return see_other(str(request.app.router["admin_organisations"].url_for()))


async def delete_action(request: web.Request) -> web.Response:
    await service.remove(request.app[keys.DB], request[keys.ACTOR], request.match_info["org_id"])
    return see_other(str(request.app.router["admin_organisations"].url_for()))


# --- API ----------------------------------------------------------------------------------


async def list_api(request: web.Request) -> web.Response:
    asked = api.query(request, OrganisationQuery)
    limit = asked.limit
    cursor = api.decode_cursor(asked.cursor)
    after_name = after_id = None
    if cursor is not None:
        if not isinstance(cursor.get("name"), str) or not ObjectId.is_valid(cursor.get("id", "")):
            raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")})
        after_name, after_id = cursor["name"], ObjectId(cursor["id"])
    parent = asked.parent
    parent_id = None
    if parent not in (None, "", "none"):
        parent_id = (await service.load(request.app[keys.DB], parent))["_id"]
    items = await queries.page(request.app[keys.DB], after_name=after_name, after_id=after_id, parent_id=parent_id,
                               top_level=parent == "none", limit=limit + 1)
    more = len(items) > limit
    items = items[:limit]
    next_cursor = api.encode_cursor({"name": items[-1]["name"], "id": str(items[-1]["_id"])}) if more else None
    return api.json_response({"items": [org_out(org) for org in items], "next_cursor": next_cursor})


async def tree_api(request: web.Request) -> web.Response:
    return api.json_response({"items": [node_out(node) for node in service.tree(await queries.everything(request.app[keys.DB]))]})


async def get_api(request: web.Request) -> web.Response:
    return api.json_response(org_out(await service.load(request.app[keys.DB], request.match_info["org_id"])))


async def create_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    org = await service.create(request.app[keys.DB], actor, validate(OrganisationIn, await read_json(request)))
    return api.json_response(org_out(org), status=201)


async def change_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    org = await service.change(request.app[keys.DB], actor, request.match_info["org_id"],
                               validate(OrganisationChange, await read_json(request)))
    return api.json_response(org_out(org))


async def delete_api(request: web.Request) -> web.Response:
    await service.remove(request.app[keys.DB], request[keys.ACTOR], request.match_info["org_id"])
    return api.json_response({"status": "deleted", "detail": _("The organisation has been removed.")})
