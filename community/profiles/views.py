"""Profile pages, the Network directory, and the profile API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import actions, api, confirmations, keys, policy
from community.accounts import people as accounts_people
from community.competencies import queries as dictionary
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.i18n import lazy_gettext
from community.organisations import queries as org_queries
from community.profiles import avatar as avatars
from community.mentoring import reads as mentoring
from community.network import connections
from community.network import queries as network
from community.network.suggestions import people_you_may_know
from community.profiles import directory, edit, fields, queries, show, verification
from community.profiles.verification import RULE, EndorsementRule
from community.profiles.schemas import (
    Endorsement,
    HeldCompetencies,
    HeldCompetency,
    PeopleQuery,
    Verification,
    profile_update_model,
)
from community.requests import actor_of, db_of, read_form, read_json, see_other, signed_in, url_for
from community.validation import form_values, parse_query, validate

SAVED = confirmations.register("profile_saved", lazy_gettext("Your profile was saved."))
COMPETENCY_ADDED = confirmations.register("competency_added", lazy_gettext("The competency is on your profile."))
COMPETENCY_REMOVED = confirmations.register("competency_removed", lazy_gettext("The competency was removed from your profile."))
PICTURE_SAVED = confirmations.register("picture_saved", lazy_gettext("Your picture was saved."))
PICTURE_REMOVED = confirmations.register("picture_removed", lazy_gettext("Your picture was removed."))
ENDORSED = confirmations.register("endorsed", lazy_gettext("Your endorsement was recorded."))
ENDORSEMENT_WITHDRAWN = confirmations.register("endorsement_withdrawn", lazy_gettext("Your endorsement was withdrawn."))
VERIFIED = confirmations.register("verification_recorded", lazy_gettext("The verified result was recorded."))
SUGGESTIONS_SHOWN = 4
"""People you may know on the Network page, before its filters are used; the rest on their own page."""


def user_id_of(request: web.Request) -> ObjectId:
    try:
        return ObjectId(request.match_info["user_id"])
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such member.")) from None


def rule_of(request: web.Request) -> EndorsementRule:
    return request.app[RULE]


def me(request: web.Request) -> ObjectId:
    actor = signed_in(request, _("Sign in to see your profile."))
    assert actor.user_id is not None
    return actor.user_id


def person_url(request: web.Request, user_id: ObjectId) -> str:
    return url_for(request, "person", user_id=str(user_id))


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("profiles/person.html")
async def person_page(request: web.Request) -> dict[str, Any]:
    return await _person_context(request)


async def _person_context(request: web.Request, errors: dict[str, str] | None = None) -> dict[str, Any]:
    user_id = user_id_of(request)
    actor = actor_of(request)
    db = db_of(request)
    person = await show.visible_profile(db, actor, user_id, rule_of(request))
    can_record = policy.can_record_verification(actor)
    can_endorse = policy.can_endorse(actor, user_id, await network.blocked_between(db, actor.user_id, user_id))
    endorsed = await queries.endorsements_given(db, actor.user_id, user_id) if actor.user_id is not None else {}
    just_endorsed = request.query.get("endorsed", "")
    undo = next((item for item in person.get("competencies", []) if item["competency_id"] == just_endorsed), None) \
        if keys.CONFIRMATION in request and just_endorsed in endorsed else None
    return {"person": person, "is_me": actor.user_id == user_id, "can_endorse": can_endorse, "undo_endorsement": undo,
            "endorse_up_to": await edit.own_levels(db, actor.user_id) if can_endorse else {}, "endorsed": endorsed,
            "rule": verification.describe(rule_of(request)), "can_record": can_record,
            "relation": await connections.relation(db, actor, user_id),
            "mentoring": await mentoring.profile_card(db, actor, user_id, request.app[keys.CLOCK]()),
            "weekdays": mentoring.weekday_names(), "can_view_data": policy.can_view_personal_data(actor, user_id),
            "competency_options": [(row["_id"], f"{row['name']} ({row['theme']})")
                                   for row in await dictionary.shown(db_of(request))] if can_record else [],
            "errors": errors or {}, "profile_fields": fields.FIELDS}


async def person_page_with_errors(request: web.Request, errors: dict[str, str]) -> web.Response:
    """The person page again, with a refused form's messages (keys prefixed by the form's name)."""
    return aiohttp_jinja2.render_template("profiles/person.html", request, await _person_context(request, errors),
                                          status=422)


async def my_profile(request: web.Request) -> web.Response:
    return see_other(person_url(request, me(request)))


async def _edit_context(request: web.Request, user_id: ObjectId, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None, section: str | None = None) -> dict[str, Any]:
    db = db_of(request)
    user = await accounts_people.member_by_id(db, user_id)
    if user is None:
        raise NotFound(_("There is no such member."))
    stored = await queries.profile(db, user_id)
    if values is None:
        values = {"name": user.get("name", ""), **fields.edit_values(user, stored), "privacy": fields.privacy_of(stored)}
    actor = actor_of(request)
    mine = await show.visible_profile(db, actor, user_id, rule_of(request))
    return {
        "values": values, "errors": errors or {}, "section": section, "person": mine,
        "profile_fields": fields.FIELDS, "fillable": {field.name for field in fields.FIELDS if fields.may_fill(field, actor)},
        "options": {item.key: await item.options(db) for _field, item in fields.inputs() if item.options is not None},
        "competency_options": [(row["_id"], f"{row['name']} ({row['theme']})") for row in await dictionary.shown(db)],
    }


async def edit_page(request: web.Request) -> web.Response:
    user_id = me(request)
    return aiohttp_jinja2.render_template("profiles/edit.html", request, await _edit_context(request, user_id))


def _form_update(form: Any) -> dict[str, Any]:
    return {"name": form.get("name", ""), **fields.from_form(form)}


async def _render_errors(request: web.Request, user_id: ObjectId, error: Invalid, section: str,
                         values: dict[str, Any] | None = None) -> web.Response:
    context = await _edit_context(request, user_id, values, error.errors, section)
    return aiohttp_jinja2.render_template("profiles/edit.html", request, context, status=422)


async def edit_submit(request: web.Request) -> web.Response:
    user_id = me(request)
    form = await read_form(request)
    data = _form_update(form)
    try:
        await actions.run(request.app, actor_of(request), edit.update_profile, user_id,
                          validate(profile_update_model(), data))
    except Invalid as error:
        values = fields.form_redisplay(form, data)
        return await _render_errors(request, user_id, error, "details", values)
    return confirmations.confirmed(request, person_url(request, user_id), SAVED)


async def competency_submit(request: web.Request) -> web.Response:
    user_id = me(request)
    form = await read_form(request)
    try:
        item = validate(HeldCompetency, form_values(HeldCompetency, {"competency_id": form.get("competency_id", ""),
                                                                        "level": form.get("level", "")}))
        await actions.run(request.app, actor_of(request), edit.declare_competency, user_id, item)
    except Invalid as error:
        return await _render_errors(request, user_id, error, "competencies")
    return confirmations.confirmed(request, url_for(request, "profile_edit") + "#competencies", COMPETENCY_ADDED)


async def competency_remove(request: web.Request) -> web.Response:
    user_id = me(request)
    await actions.run(request.app, actor_of(request), edit.withdraw_competency, user_id,
                      request.match_info["competency_id"])
    return confirmations.confirmed(request, url_for(request, "profile_edit") + "#competencies", COMPETENCY_REMOVED)


async def avatar_submit(request: web.Request) -> web.Response:
    user_id = me(request)
    policy.require(actor_of(request), policy.can_edit_profile(actor_of(request), user_id))
    form = await read_form(request)
    upload = form.get("avatar")
    try:
        if not isinstance(upload, web.FileField):
            raise Invalid({"avatar": _("Choose an image file to upload.")})
        await avatars.save(db_of(request), user_id, upload.file.read(avatars.MAX_UPLOAD_BYTES + 1), upload.content_type)
    except Invalid as error:
        return await _render_errors(request, user_id, error, "avatar")
    return confirmations.confirmed(request, person_url(request, user_id), PICTURE_SAVED)


async def avatar_remove(request: web.Request) -> web.Response:
    user_id = me(request)
    policy.require(actor_of(request), policy.can_edit_profile(actor_of(request), user_id))
    await avatars.remove(db_of(request), user_id)
    return confirmations.confirmed(request, person_url(request, user_id), PICTURE_REMOVED)


async def avatar_image(request: web.Request) -> web.Response:
    """The person's avatar as the viewer may see it, or their initials when they have none or
    the viewer may not see it (the two look alike, so the picture gives no hint it exists)."""
    db, user_id = db_of(request), user_id_of(request)
    try:
        stored = await show.avatar_for(db, actor_of(request), user_id)
    except NotFound:
        person = await accounts_people.person_by_id(db, user_id)
        if person is None:
            raise
        return web.Response(body=avatars.initials_svg(user_id, accounts_people.shown_name(person) or ""),
                            content_type="image/svg+xml",
                            headers={"Cache-Control": "private, max-age=300",
                                     "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
    return web.Response(body=bytes(stored["data"]), content_type=stored["content_type"],
                        headers={"Cache-Control": "private, max-age=300"})


async def endorse_submit(request: web.Request) -> web.Response:
    user_id = user_id_of(request)
    form = await read_form(request)
    try:
        endorsement = validate(Endorsement, form_values(Endorsement, {"competency_id": form.get("competency_id", ""),
                                                                       "level": form.get("level", "")}))
        await actions.run(request.app, actor_of(request), edit.endorse, user_id, endorsement)
    except Invalid as error:
        return await person_page_with_errors(request, {f"endorse.{field}": message
                                                       for field, message in error.errors.items()})
    just_endorsed = "?" + urlencode({"endorsed": endorsement.competency_id})
    return confirmations.confirmed(request, person_url(request, user_id) + just_endorsed + "#competencies", ENDORSED)


async def endorsement_withdraw(request: web.Request) -> web.Response:
    user_id = user_id_of(request)
    await actions.run(request.app, actor_of(request), edit.withdraw_endorsement, user_id,
                      request.match_info["competency_id"])
    return confirmations.confirmed(request, person_url(request, user_id) + "#competencies", ENDORSEMENT_WITHDRAWN)


async def verification_submit(request: web.Request) -> web.Response:
    user_id = user_id_of(request)
    form = await read_form(request)
    data = form_values(Verification, {key: form.get(key, "") for key in ("competency_id", "level", "source", "reference")})
    try:
        await actions.run(request.app, actor_of(request), edit.record_verification, user_id,
                          validate(Verification, data))
    except Invalid as error:
        return aiohttp_jinja2.render_template("profiles/person.html", request,
                                              await _person_context(request, error.errors), status=422)
    return confirmations.confirmed(request, person_url(request, user_id) + "#competencies", VERIFIED)


def _filters(asked: PeopleQuery) -> directory.Filters:
    return directory.Filters(
        competency=asked.competency or None, min_level=asked.min_level, basis=asked.basis,
        org_id=ObjectId(asked.org) if asked.org else None, state=asked.state or None,
        language=asked.language or None, role=asked.role or None, mentoring=asked.mentoring, text=asked.q)


async def _directory_page(request: web.Request, asked: PeopleQuery) -> tuple[list[dict[str, Any]], str | None]:
    return await directory.search(db_of(request), actor_of(request), _filters(asked), rule_of(request),
                                  engine=request.app[keys.SEARCH],
                                  after=asked.after, limit=asked.limit)


async def network_page(request: web.Request) -> web.Response:
    """The directory's form and one page of cards; a refused filter is named next to its field."""
    chosen = {key: value for key, value in request.query.items() if key in PeopleQuery.model_fields}
    people: list[dict[str, Any]] = []
    next_url = None
    errors: dict[str, str] = {}
    status = 200
    try:
        asked = parse_query(PeopleQuery, chosen)
        people, next_after = await _directory_page(request, asked)
    except Invalid as error:
        errors, status = error.errors, 422
    else:
        if next_after:
            kept = {key: value for key, value in chosen.items() if value and key != "after"}
            next_url = str(request.app.router["network"].url_for().with_query({**kept, "after": next_after}))
    db = db_of(request)
    options = {
        "competency": [("", _("Any competency")),
                       *((item["_id"], f"{item['name']} ({item['theme']})") for item in await dictionary.shown(db))],
        "min_level": [("", _("Any level")), *((str(n), _("Level %(n)s", n=n)) for n in range(1, 6))],
        "basis": [("any", _("Declared or verified levels")), ("verified", _("Verified levels only"))],
        "org": [("", _("Any organisation")), *((str(org["_id"]), org["name"]) for org in await org_queries.everything(db))],
        "state": [("", _("Any state")), *((state, _(state)) for state in fields.STATES)],
        "language": [("", _("Any language")), *((language, _(language)) for language in fields.LANGUAGES)],
        "role": [("", _("Anyone")), ("expert", _("Experts")), ("officer", _("Officers who are not experts"))],
    }
    shown = await people_you_may_know(db, actor_of(request), SUGGESTIONS_SHOWN) if not chosen else []
    # How levels are counted narrows nobody down by itself, nor does a page's cursor.
    filtered = any(value for key, value in chosen.items() if key not in ("basis", "after"))
    active = sum(1 for key, value in chosen.items()
                 if value and key not in ("q", "after") and not (key == "basis" and value == "any"))
    context = {"people": people, "next_url": next_url, "chosen": chosen, "errors": errors, "options": options,
               "suggestions": shown, "filtered": filtered, "active_filters": active,
               "open_filters": bool(active) or any(key != "q" for key in errors)}
    return aiohttp_jinja2.render_template("profiles/network.html", request, context, status=status)


# --- API ------------------------------------------------------------------------------------


async def api_people(request: web.Request) -> web.Response:
    people, next_after = await _directory_page(request, api.query(request, PeopleQuery))
    return api.json_response({"items": people, "next": next_after})


async def api_profile(request: web.Request) -> web.Response:
    return api.json_response(await show.visible_profile(db_of(request), actor_of(request), user_id_of(request), rule_of(request)))


async def api_my_profile(request: web.Request) -> web.Response:
    return api.json_response(await show.visible_profile(db_of(request), actor_of(request), me(request), rule_of(request)))


async def api_update_profile(request: web.Request) -> web.Response:
    user_id = me(request)
    change = validate(profile_update_model(), await read_json(request))
    await actions.run(request.app, actor_of(request), edit.update_profile, user_id, change)
    return api.json_response(await show.visible_profile(db_of(request), actor_of(request), user_id, rule_of(request)))


async def api_set_competencies(request: web.Request) -> web.Response:
    user_id = me(request)
    held = validate(HeldCompetencies, await read_json(request))
    await actions.run(request.app, actor_of(request), edit.set_competencies, user_id, held)
    return api.json_response(await show.visible_profile(db_of(request), actor_of(request), user_id, rule_of(request)))


async def api_declare_competency(request: web.Request) -> web.Response:
    user_id = me(request)
    item = validate(HeldCompetency, await read_json(request))
    await actions.run(request.app, actor_of(request), edit.declare_competency, user_id, item)
    return api.json_response(await show.visible_profile(db_of(request), actor_of(request), user_id, rule_of(request)))


async def api_withdraw_competency(request: web.Request) -> web.Response:
    user_id = me(request)
    if not await actions.run(request.app, actor_of(request), edit.withdraw_competency, user_id,
                             request.match_info["competency_id"]):
        raise NotFound(_("That competency is not on your profile."))
    return web.Response(status=204)


async def api_put_avatar(request: web.Request) -> web.Response:
    """The body is the image itself; its ``Content-Type`` must say what it is."""
    user_id = me(request)
    policy.require(actor_of(request), policy.can_edit_profile(actor_of(request), user_id))
    data = await request.read()
    await avatars.save(db_of(request), user_id, data, request.content_type)
    return web.Response(status=204)


async def api_delete_avatar(request: web.Request) -> web.Response:
    user_id = me(request)
    policy.require(actor_of(request), policy.can_edit_profile(actor_of(request), user_id))
    await avatars.remove(db_of(request), user_id)
    return web.Response(status=204)


async def api_endorse(request: web.Request) -> web.Response:
    endorsement = validate(Endorsement, await read_json(request))
    created = await actions.run(request.app, actor_of(request), edit.endorse, user_id_of(request), endorsement)
    return api.json_response({"created": created}, status=201 if created else 200)


async def api_withdraw_endorsement(request: web.Request) -> web.Response:
    if not await actions.run(request.app, actor_of(request), edit.withdraw_endorsement, user_id_of(request),
                             request.match_info["competency_id"]):
        raise NotFound(_("You have not endorsed that competency of this member."))
    return web.Response(status=204)


async def api_verify(request: web.Request) -> web.Response:
    verification = validate(Verification, await read_json(request))
    await actions.run(request.app, actor_of(request), edit.record_verification, user_id_of(request), verification)
    return api.json_response({"recorded": True}, status=201)
