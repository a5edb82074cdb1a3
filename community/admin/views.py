"""Administration: people and their roles, the audit log, and the development outbox.

Platform administrators see everything; an MDO administrator sees and manages the members of
their own organisation. Opening a person's page is itself recorded in the audit log, because
it is administrative access to personal data (DPDP Act 2023).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId

from community import actions, api, audit, keys
from community.accounts import queries as account_queries, roles
from community.accounts.schemas import RoleChangeIn, user_out, user_summary
from community.accounts.views import ROLE_LABELS
from community.admin import audit_entries
from community.admin.schemas import AuditQuery, PeopleQuery
from community.errors import Invalid
from community.i18n import gettext as _
from community.organisations import queries as org_queries
from community.policy import (Actor, Role, can_change_role, can_list_members, can_manage_categories, can_open_admin_area,
                              can_view_audit_log, can_view_dev_outbox, is_platform_admin, require)
from community.requests import form_fields, read_json, see_other
from community.validation import validate

CHANGEABLE_ROLES = (Role.EXPERT, Role.MDO_ADMIN, Role.MODERATOR, Role.ADMIN)


def _object_id(raw: str | None, field: str) -> ObjectId | None:
    if raw in (None, ""):
        return None
    if not ObjectId.is_valid(raw):
        raise Invalid({field: _("This value is not valid.")})
    return ObjectId(raw)


def _people_scope(actor: Actor, raw_org: str | None) -> ObjectId | None:
    """The organisation to list: as asked, or an MDO administrator's own one by default."""
    org_id = _object_id(raw_org, "org")
    if org_id is None and not is_platform_admin(actor):
        org_id = actor.org_id
    require(actor, can_list_members(actor, org_id), _("You may only see the members of your own organisation."))
    return org_id


async def _people(request: web.Request) -> tuple[list[dict[str, Any]], str | None, ObjectId | None]:
    actor = request[keys.ACTOR]
    asked = api.query(request, PeopleQuery)
    org_id = _people_scope(actor, asked.org)
    limit = asked.limit
    cursor = api.decode_cursor(asked.cursor)
    after = _object_id(cursor.get("id") if cursor else None, "cursor")
    query = asked.q.strip()[:100] or None
    people = await account_queries.users_page(request.app[keys.DB], org_id=org_id, query=query, after=after, limit=limit + 1)
    next_cursor = api.encode_cursor({"id": str(people[limit - 1]["_id"])}) if len(people) > limit else None
    return people[:limit], next_cursor, org_id


@aiohttp_jinja2.template("admin/home.html")
async def home(request: web.Request) -> dict[str, Any]:
    actor = request[keys.ACTOR]
    require(actor, can_open_admin_area(actor))
    return {"can_create_category": can_manage_categories(actor, actor.org_id)}


@aiohttp_jinja2.template("admin/people.html")
async def people_page(request: web.Request) -> dict[str, Any]:
    people, next_cursor, org_id = await _people(request)
    db = request.app[keys.DB]
    return {"people": people, "next_cursor": next_cursor, "org": await org_queries.by_id(db, org_id) if org_id else None,
            "orgs": await org_queries.names(db, [person["org_id"] for person in people]),
            "q": request.query.get("q", ""), "role_labels": ROLE_LABELS}


async def _visible_person(request: web.Request) -> dict[str, Any]:
    actor = request[keys.ACTOR]
    person = await roles.load_person(request.app[keys.DB], request.match_info["user_id"])
    require(actor, can_list_members(actor, person.get("org_id")), _("You may only see the members of your own organisation."))
    return person


async def person_page(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    db = request.app[keys.DB]
    person = await _visible_person(request)
    await audit.record(db, actor=actor, action="person.view", target_type="user", target_id=person["_id"],
                       org_id=person.get("org_id"))
    history = [entry for entry in await audit.entries(db, target_type="user", target_id=person["_id"], limit=50)
               if entry["action"] != "person.view"][:20]
    return aiohttp_jinja2.render_template("admin/person.html", request, {
        "person": person, "org": await org_queries.by_id(db, person["org_id"]), "role_labels": ROLE_LABELS,
        "changeable": [role for role in CHANGEABLE_ROLES if can_change_role(actor, person, role)],
        "history": await audit_entries.shown(request.app, db, history), "changed": request.query.get("changed", ""),
    })


async def change_role_action(request: web.Request) -> web.Response:
    actor = request[keys.ACTOR]
    values = await form_fields(request, RoleChangeIn.model_fields)
    person = await _visible_person(request)
    data = validate(RoleChangeIn, values)
    changed = await actions.run(request.app, actor, roles.change_role, person["_id"], data)
    target = request.app.router["admin_person"].url_for(user_id=str(person["_id"]))
    return see_other(str(target.with_query({"changed": "1" if changed else "0"})))


async def _audit_page(request: web.Request) -> tuple[list[dict[str, Any]], str | None]:
    actor = request[keys.ACTOR]
    require(actor, can_view_audit_log(actor))
    asked = api.query(request, AuditQuery)
    limit = asked.limit
    cursor = api.decode_cursor(asked.cursor)
    before = _object_id(cursor.get("id") if cursor else None, "cursor")
    items = await audit.entries(request.app[keys.DB], before=before, limit=limit + 1)
    next_cursor = api.encode_cursor({"id": str(items[limit - 1]["_id"])}) if len(items) > limit else None
    return items[:limit], next_cursor


@aiohttp_jinja2.template("admin/audit.html")
async def audit_page(request: web.Request) -> dict[str, Any]:
    items, next_cursor = await _audit_page(request)
    return {"items": await audit_entries.shown(request.app, request.app[keys.DB], items), "next_cursor": next_cursor}


@aiohttp_jinja2.template("admin/outbox.html")
async def outbox_page(request: web.Request) -> dict[str, Any]:
    actor = request[keys.ACTOR]
    require(actor, can_view_dev_outbox(actor))
    return {"messages": await account_queries.outbox_messages(request.app[keys.DB]),
            "smtp": request.app[keys.SETTINGS].smtp is not None}


# --- API ----------------------------------------------------------------------------------


async def people_api(request: web.Request) -> web.Response:
    people, next_cursor, _org = await _people(request)
    return api.json_response({"items": [user_summary(person) for person in people], "next_cursor": next_cursor})


async def person_api(request: web.Request) -> web.Response:
    person = await _visible_person(request)
    await audit.record(request.app[keys.DB], actor=request[keys.ACTOR], action="person.view", target_type="user",
                       target_id=person["_id"], org_id=person.get("org_id"))
    return api.json_response(user_out(person))


async def change_role_api(request: web.Request) -> web.Response:
    person = await _visible_person(request)
    data = validate(RoleChangeIn, await read_json(request))
    await actions.run(request.app, request[keys.ACTOR], roles.change_role, person["_id"], data)
    return api.json_response(user_out(await roles.load_person(request.app[keys.DB], person["_id"])))


async def audit_api(request: web.Request) -> web.Response:
    items, next_cursor = await _audit_page(request)

    def out(entry: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(entry["_id"]), "at": entry["at"], "actor_id": str(entry["actor_id"]) if entry["actor_id"] else None,
                "action": entry["action"], "target_type": entry["target_type"], "target_id": str(entry["target_id"]),
                "org_id": str(entry["org_id"]) if entry.get("org_id") else None, "reason": entry.get("reason"),
                "details": entry.get("details") or {}}

    return api.json_response({"items": [out(entry) for entry in items], "next_cursor": next_cursor})
