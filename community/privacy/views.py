"""Data-rights pages and API: see and download your data, erase your account; audited admin view."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import api, keys
from community.accounts.sessions import clear_session_cookie
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.accounts import people
from community.privacy import access, readable
from community.realtime.emitter import user_room
from community.requests import actor_of, read_form, read_json, signed_in
from community.privacy.schemas import PersonDataQuery


def me(request: web.Request) -> ObjectId:
    actor = signed_in(request, _("Sign in to see your data."))
    assert actor.user_id is not None
    return actor.user_id


def person_of(request: web.Request) -> ObjectId:
    try:
        return ObjectId(request.match_info["user_id"])
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such member.")) from None


def _download(data: dict[str, Any], filename: str = "my-data.json") -> web.Response:
    return web.Response(text=json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                        charset="utf-8", headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                  "Cache-Control": "no-store"})


@dataclass(frozen=True, slots=True)
class HeldKind:
    """One kind of record on "Your data": the collections that share a label, in the reader's language."""

    label: str
    records: int
    purposes: list[str]


def held(data: dict[str, Any]) -> list[HeldKind]:
    """The export's collections grouped by their plain-language label, in alphabetical order."""
    grouped: dict[str, tuple[int, list[str]]] = {}
    for section in data["collections"].values():
        records, purposes = grouped.get(section["label"], (0, []))
        grouped[section["label"]] = (records + len(section["documents"]),
                                     purposes + [purpose for purpose in section["purposes"] if purpose not in purposes])
    kinds = [HeldKind(_(label), records, [_(purpose) for purpose in purposes])
             for label, (records, purposes) in grouped.items()]
    return sorted(kinds, key=lambda kind: kind.label)


@aiohttp_jinja2.template("privacy/my_data.html")
async def my_data_page(request: web.Request) -> dict[str, Any]:
    user_id = me(request)
    data = await access.data_of(request.app[keys.DB], actor_of(request), user_id)
    return {"held": held(data), "errors": {}}


async def export_download(request: web.Request) -> web.Response:
    return _download(await access.data_of(request.app[keys.DB], actor_of(request), me(request)))


async def erase_submit(request: web.Request) -> web.Response:
    user_id = me(request)
    form = await read_form(request)
    try:
        await access.erase_own_account(request.app[keys.DB], actor_of(request), user_id, str(form.get("confirm", "")))
    except Invalid as error:
        data = await access.data_of(request.app[keys.DB], actor_of(request), user_id)
        return aiohttp_jinja2.render_template("privacy/my_data.html", request,
                                              {"held": held(data), "errors": error.errors}, status=422)
    await request.app[keys.EMITTER].hang_up(user_room(user_id))
    response = aiohttp_jinja2.render_template("privacy/erased.html", request, {})
    clear_session_cookie(request, response)
    return response


@aiohttp_jinja2.template("privacy/admin_view.html")
async def admin_view(request: web.Request) -> dict[str, Any]:
    person_id = person_of(request)
    db = request.app[keys.DB]
    reason = request.query.get("reason") or None
    data = await access.data_of(db, actor_of(request), person_id, reason=reason)
    return {"person_id": str(person_id), "name": await people.name_of(db, person_id),
            "kinds": await readable.readable(db, data), "reason": reason or ""}


async def admin_download(request: web.Request) -> web.Response:
    """The same data as the page, every field, as the JSON file a member downloads (and audited the same way)."""
    person_id = person_of(request)
    return _download(await access.data_of(request.app[keys.DB], actor_of(request), person_id,
                                          reason=request.query.get("reason") or None), f"member-{person_id}-data.json")


async def api_my_data(request: web.Request) -> web.Response:
    return api.json_response(await access.data_of(request.app[keys.DB], actor_of(request), me(request)))


async def api_erase(request: web.Request) -> web.Response:
    user_id = me(request)
    body = await read_json(request)
    if not isinstance(body.get("confirm"), str):
        raise Invalid({"confirm": _("Type your e-mail address exactly to confirm.")})
    changed = await access.erase_own_account(request.app[keys.DB], actor_of(request), user_id, body["confirm"])
    await request.app[keys.EMITTER].hang_up(user_room(user_id))
    return api.json_response({"erased": True, "changed": changed})


async def api_person_data(request: web.Request) -> web.Response:
    return api.json_response(await access.data_of(request.app[keys.DB], actor_of(request), person_of(request),
                                                  reason=api.query(request, PersonDataQuery).reason or None))
