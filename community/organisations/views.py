"""Organisation pages for administrators, and the organisations API."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId

from community import actions, api, keys
from community.accounts import sessions
from community.accounts.views import render_account
from community.accounts.forms import render_form
from community.requests import form_fields, read_json, see_other
from community.errors import Invalid
from community.i18n import gettext as _, lazy_gettext
from community.organisations import domains, membership, queries, service
from community.organisations.schemas import (DecisionIn, DomainsIn, MembershipAskIn, OrganisationChange,
                                             OrganisationIn, OrganisationQuery)
from community.organisations.states import STATES
from community.policy import can_decide_membership, can_manage_organisations, require
from community.validation import validate
from community.storage.api import Database

KIND_LABELS = {"ministry": lazy_gettext("Ministry"), "department": lazy_gettext("Department"), "office": lazy_gettext("Office")}
LEVEL_LABELS = {"central": lazy_gettext("Central"), "state": lazy_gettext("State")}


def org_out(org: dict[str, Any], claimed: list[str]) -> dict[str, Any]:
    return {"id": str(org["_id"]), "name": org["name"], "short_name": org["short_name"], "kind": org["kind"],
            "level": org["level"], "state": org.get("state"),
            "parent_id": str(org["parent_id"]) if org.get("parent_id") else None, "path": [str(i) for i in org.get("path", [])],
            "domains": claimed}


async def _org_out(db: Database, org: dict[str, Any]) -> dict[str, Any]:
    return org_out(org, await domains.of_organisation(db, org["_id"]))


def node_out(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(node["_id"]), "name": node["name"], "short_name": node["short_name"], "kind": node["kind"],
            "level": node["level"], "state": node.get("state"), "children": [node_out(child) for child in node["children"]]}


def _without_blanks(values: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: (None if key in names and value == "" else value) for key, value in values.items()}


async def _manage_page(request: web.Request, values: dict[str, Any], errors: dict[str, str] | None = None) -> web.Response:
    orgs = await queries.everything(request.app[keys.DB])
    return render_form(request, "organisations/manage.html", values, errors, tree=service.tree(orgs),
                       choices=service.flattened(orgs), states={state: _(state) for state in STATES}, kinds=KIND_LABELS,
                       levels=LEVEL_LABELS)


async def manage_page(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    if request.method != "POST":
        return await _manage_page(request, {"level": "central", "kind": "ministry"})
    values = await form_fields(request, OrganisationIn.model_fields)
    try:
        org = await actions.run(request.app, actor, service.create,
                                validate(OrganisationIn, _without_blanks(values, ("state", "parent_id"))))
    except Invalid as error:
        return await _manage_page(request, values, error.errors)
    return see_other(str(request.app.router["admin_organisation"].url_for(org_id=str(org["_id"]))) + "?created=1")


async def _edit_page(request: web.Request, org: dict[str, Any], values: dict[str, Any],
                     errors: dict[str, str] | None = None) -> web.Response:
    db = request.app[keys.DB]
    claimed = await domains.of_organisation(db, org["_id"])
    values = {"name": org["name"], "short_name": org["short_name"],
              "domains": "\n".join(domains.display(d) for d in claimed), **values}
    return render_form(request, "organisations/edit.html", values, errors, org=org,
                       parent=await queries.by_id(db, org["parent_id"]) if org.get("parent_id") else None,
                       members=await queries.member_count(db, org["_id"]), children=await queries.child_count(db, org["_id"]),
                       pending=await queries.pending_count(db, org["_id"]), claimed=claimed, kinds=KIND_LABELS,
                       levels=LEVEL_LABELS, created=request.query.get("created") == "1",
                       saved=request.query.get("saved") == "domains")


async def edit_page(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    db = request.app[keys.DB]
    org = await service.load(db, request.match_info["org_id"])
    if request.method != "POST":
        return await _edit_page(request, org, {})
    values = await form_fields(request, OrganisationChange.model_fields)
    try:
        await actions.run(request.app, actor, service.change, org["_id"], validate(OrganisationChange, values))
    except Invalid as error:
        return await _edit_page(request, org, values, error.errors)
    return see_other(str(request.app.router["admin_organisations"].url_for()))


def _domain_lines(text: str) -> list[str]:
    """The form's text area: one domain a line (commas and spaces also separate them)."""
    return [part for part in text.replace(",", " ").split() if part]


def _one_error_per_field(errors: dict[str, str]) -> dict[str, str]:
    """``domains.2`` (the third line) is reported on the form's one ``domains`` field."""
    merged: dict[str, str] = {}
    for name, message in errors.items():
        merged.setdefault(name.split(".", 1)[0], message)
    return merged


async def domains_action(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    db = request.app[keys.DB]
    org = await service.load(db, request.match_info["org_id"])
    values = await form_fields(request, ("domains",))
    try:
        data = validate(DomainsIn, {"domains": _domain_lines(values.get("domains", ""))})
        await actions.run(request.app, actor, domains.set_domains, org, data.domains)
    except Invalid as error:
        return await _edit_page(request, org, values, _one_error_per_field(error.errors))
    return see_other(str(request.app.router["admin_organisation"].url_for(org_id=str(org["_id"]))) + "?saved=domains")


async def delete_action(request: web.Request) -> web.Response:
    await actions.run(request.app, request[keys.ACTOR], service.remove, request.match_info["org_id"])
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
    claimed = await domains.of_organisations(request.app[keys.DB], [org["_id"] for org in items])
    return api.json_response({"items": [org_out(org, claimed[org["_id"]]) for org in items], "next_cursor": next_cursor})


async def tree_api(request: web.Request) -> web.Response:
    return api.json_response({"items": [node_out(node) for node in service.tree(await queries.everything(request.app[keys.DB]))]})


async def get_api(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    return api.json_response(await _org_out(db, await service.load(db, request.match_info["org_id"])))


async def create_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    org = await actions.run(request.app, actor, service.create, validate(OrganisationIn, await read_json(request)))
    return api.json_response(org_out(org, []), status=201)


async def change_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    org = await actions.run(request.app, actor, service.change, request.match_info["org_id"],
                            validate(OrganisationChange, await read_json(request)))
    return api.json_response(await _org_out(request.app[keys.DB], org))


async def delete_api(request: web.Request) -> web.Response:
    await actions.run(request.app, request[keys.ACTOR], service.remove, request.match_info["org_id"])
    return api.json_response({"status": "deleted", "detail": _("The organisation has been removed.")})


async def domains_api(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    require(actor, can_manage_organisations(actor))
    db = request.app[keys.DB]
    org = await service.load(db, request.match_info["org_id"])
    data = validate(DomainsIn, await read_json(request))
    return api.json_response(org_out(org, await actions.run(request.app, actor, domains.set_domains, org, data.domains)))


# --- membership: the queue, decisions, and one's own request --------------------------------


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment.tzinfo else moment.isoformat() + "Z"


def request_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(row["_id"]), "user_id": str(row["user_id"]), "org_id": str(row["org_id"]),
            "previous_org_id": str(row["previous_org_id"]) if row.get("previous_org_id") else None,
            "status": row["status"], "created_at": _iso(row["created_at"]), "reason": row.get("reason")}


def pending_out(row: dict[str, Any]) -> dict[str, Any]:
    person = row["person"]
    return {**request_out(row), "name": person.get("name") or "", "email": person.get("email") or "",
            "designation": person.get("designation") or ""}


async def _queue(request: web.Request, org_id: str) -> tuple[dict[str, Any], list[dict[str, Any]], str | None]:
    db = request.app[keys.DB]
    org = await service.load(db, org_id)
    limit = api.page_limit(request, 50)
    cursor = api.decode_cursor(request.query.get("cursor"))
    after = None
    if cursor is not None:
        if not ObjectId.is_valid(cursor.get("id", "")):
            raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")})
        after = ObjectId(cursor["id"])
    rows = await membership.queue(db, request[keys.ACTOR], org["_id"], after=after, limit=limit + 1)
    next_cursor = api.encode_cursor({"id": str(rows[limit - 1]["_id"])}) if len(rows) > limit else None
    return org, rows[:limit], next_cursor


async def requests_page(request: web.Request) -> web.Response:
    return await _requests_page(request, request.match_info["org_id"])


async def _requests_page(request: web.Request, org_id: str, errors: dict[str, str] | None = None,
                         values: dict[str, str] | None = None) -> web.Response:
    org, rows, next_cursor = await _queue(request, org_id)
    return render_form(request, "organisations/requests.html", values or {}, errors, org=org, rows=rows,
                       next_cursor=next_cursor, done=request.query.get("done", ""))


async def decide_action(request: web.Request) -> web.Response:
    """Approve or decline from the queue; a bad reason comes back next to that request's field."""
    db = request.app[keys.DB]
    values = await form_fields(request, ("reason",))
    request_id = request.match_info["request_id"]
    try:
        reason = validate(DecisionIn, values).reason
    except Invalid as error:
        pending = await membership.load_request(db, request_id)
        return await _requests_page(request, str(pending["org_id"]), {f"reason-{request_id}": error.errors["reason"]},
                                    {f"reason-{request_id}": values.get("reason", "")})
    decided = await actions.run(request.app, request[keys.ACTOR], membership.decide, request_id,
                                approve=request.match_info["decision"] == "approve", reason=reason)
    url = request.app.router["admin_membership_requests"].url_for(org_id=str(decided["org_id"]))
    return see_other(str(url.with_query(done=decided["status"])))


async def queue_api(request: web.Request) -> web.Response:
    _org, rows, next_cursor = await _queue(request, request.match_info["org_id"])
    return api.json_response({"items": [pending_out(row) for row in rows], "next_cursor": next_cursor})


async def decide_api(request: web.Request) -> web.Response:
    decided = await actions.run(request.app, request[keys.ACTOR], membership.decide, request.match_info["request_id"],
                                approve=request.path.endswith("/approve"),
                                reason=validate(DecisionIn, await read_json(request)).reason)
    return api.json_response(request_out(decided))


def _signed_in_user(request: web.Request) -> dict[str, Any]:
    actor = request[keys.ACTOR]
    require(actor, actor.is_authenticated)
    user = request[sessions.USER]
    assert user is not None  # an authenticated actor always comes with the person's document
    return user


def _account_url(request: web.Request, **query: str) -> str:
    return str(request.app.router["account"].url_for().with_query(query))


async def ask_action(request: web.Request) -> web.Response:
    """The account page's "change organisation" form; errors come back on the account page."""
    user = _signed_in_user(request)
    values = await form_fields(request, MembershipAskIn.model_fields)
    try:
        data = validate(MembershipAskIn, values)
        asked = await actions.run(request.app, request[keys.ACTOR], membership.ask_to_change, user, data.org_id)
    except Invalid as error:
        return await render_account(request, values, error.errors)
    return see_other(_account_url(request, membership=asked["status"]))


async def withdraw_action(request: web.Request) -> web.Response:
    _signed_in_user(request)
    await actions.run(request.app, request[keys.ACTOR], membership.withdraw)
    return see_other(_account_url(request, membership="withdrawn"))


async def my_membership_api(request: web.Request) -> web.Response:
    user = _signed_in_user(request)
    open_request = await queries.open_request(request.app[keys.DB], user["_id"])
    return api.json_response({"org_id": str(user["org_id"]) if user.get("org_id") else None,
                              "request": request_out(open_request) if open_request else None})


async def ask_api(request: web.Request) -> web.Response:
    user = _signed_in_user(request)
    data = validate(MembershipAskIn, await read_json(request))
    asked = await actions.run(request.app, request[keys.ACTOR], membership.ask_to_change, user, data.org_id)
    return api.json_response(request_out(asked))


async def withdraw_api(request: web.Request) -> web.Response:
    _signed_in_user(request)
    await actions.run(request.app, request[keys.ACTOR], membership.withdraw)
    return api.json_response({"status": "withdrawn", "detail": _("Your request has been withdrawn.")})


def can_see_queue(actor: Any, org_id: ObjectId | None) -> bool:
    """For the admin navigation: whether to link the actor's organisation's queue."""
    return org_id is not None and can_decide_membership(actor, {"org_id": org_id})
