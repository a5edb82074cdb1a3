from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import actions, api
from community.errors import Invalid, NotFound
from community.i18n import N_, gettext as _
from community.notifications import queries, read, render
from community.notifications.kinds import KINDS, Delivery
from community.notifications.preferences import preferences_of, set_preferences
from community.notifications.schemas import NotificationQuery
from community.requests import (actor_of, db_of, form_fields, local_target, read_form, read_json, see_other,
                                signed_in, url_for)

PAGE_SIZE = 30


def _notification_id(request: web.Request) -> ObjectId:
    try:
        return ObjectId(request.match_info["notification_id"])
    except (InvalidId, TypeError):
        raise NotFound(N_("We could not find that notification.")) from None


def _position(cursor: str | None) -> tuple[datetime, ObjectId] | None:
    position = api.decode_cursor(cursor)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(position["at"]), ObjectId(position["id"])
    except (KeyError, TypeError, ValueError, InvalidId):
        raise Invalid({"cursor": N_("This cursor is not valid; start again from the first page.")}) from None


async def _page(request: web.Request, *, unread_only: bool, cursor: str | None,
                limit: int) -> tuple[list[dict[str, Any]], str | None]:
    db = db_of(request)
    rows = await queries.page(db, signed_in(request).user_id, unread_only=unread_only, before=_position(cursor),
                              limit=limit + 1)
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = api.encode_cursor({"at": rows[-1]["updated_at"].isoformat(), "id": str(rows[-1]["_id"])})
    return await render.with_text(db, rows), following


HOME_ITEMS = 5


async def home_section(request: web.Request) -> dict[str, Any] | None:
    """The home page's unread notifications, newest first; nothing for visitors or when all are read."""
    if not actor_of(request).is_authenticated:
        return None
    rows, more = await _page(request, unread_only=True, cursor=None, limit=HOME_ITEMS)
    return {"items": rows, "more": more is not None} if rows else None


def _safe_next(request: web.Request, form: Any) -> str:
    return local_target(form.get("next"), url_for(request, "notifications"))


@aiohttp_jinja2.template("notifications/list.html")
async def list_page(request: web.Request) -> dict[str, Any]:
    unread_only = request.query.get("unread") in ("1", "true")
    rows, cursor = await _page(request, unread_only=unread_only, cursor=request.query.get("cursor"), limit=PAGE_SIZE)
    older = {"cursor": cursor, **({"unread": "1"} if unread_only else {})} if cursor else None
    return {"items": rows, "older_query": older, "unread_only": unread_only}


async def mark_read_form(request: web.Request) -> web.Response:
    await actions.run(request.app, signed_in(request), read.mark_read, _notification_id(request))
    return see_other(_safe_next(request, await read_form(request)))


async def mark_all_read_form(request: web.Request) -> web.Response:
    await actions.run(request.app, signed_in(request), read.mark_all_read)
    return see_other(_safe_next(request, await read_form(request)))


async def preferences_page(request: web.Request) -> web.Response:
    actor = signed_in(request)
    db = db_of(request)
    labels = {name: kind.label for name, kind in KINDS.items()}
    context: dict[str, Any] = {"kinds": labels, "deliveries": list(Delivery), "errors": {}, "saved": False}
    if request.method == "POST":
        form = await form_fields(request)
        try:
            await set_preferences(db, actor, form)
        except Invalid as error:
            context.update(chosen=form, errors={name: _(message) for name, message in error.errors.items()})
            return aiohttp_jinja2.render_template("notifications/preferences.html", request, context, status=422)
        return see_other(url_for(request, "notification_preferences", {"saved": "1"}))
    context.update(chosen=await preferences_of(db, actor), saved=request.query.get("saved") == "1")
    return aiohttp_jinja2.render_template("notifications/preferences.html", request, context)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(row["_id"]), "kind": row["kind"], "text": row["text"], "url": row["url"], "count": row["count"],
            "read": row["read"], "created_at": api.timestamp(row["created_at"]),
            "updated_at": api.timestamp(row["updated_at"])}


async def list_api(request: web.Request) -> web.Response:
    asked = api.query(request, NotificationQuery)
    rows, cursor = await _page(request, unread_only=asked.unread, cursor=asked.cursor, limit=asked.limit)
    unread = await queries.unread_count(db_of(request), signed_in(request).user_id)
    return api.json_response({"items": [_out(row) for row in rows], "unread": unread, "next_cursor": cursor})


async def unread_api(request: web.Request) -> web.Response:
    actor = signed_in(request)
    return api.json_response({"unread": await queries.unread_count(db_of(request), actor.user_id)})


async def mark_read_api(request: web.Request) -> web.Response:
    changed, unread = await actions.run(request.app, signed_in(request), read.mark_read, _notification_id(request))
    return api.json_response({"changed": int(changed), "unread": unread})


async def mark_all_read_api(request: web.Request) -> web.Response:
    changed, unread = await actions.run(request.app, signed_in(request), read.mark_all_read)
    return api.json_response({"changed": changed, "unread": unread})


async def preferences_api(request: web.Request) -> web.Response:
    actor, db = signed_in(request), db_of(request)
    if request.method == "PUT":
        return api.json_response(await set_preferences(db, actor, await read_json(request)))
    return api.json_response(await preferences_of(db, actor))
