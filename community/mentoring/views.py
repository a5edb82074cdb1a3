"""Mentoring's pages (the offer form, the request form, a person's mentoring page, a mentorship's
page and the forms on it) and its API; each handler reads the request, runs one service or read,
and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId

from community import actions, api, confirmations, keys, policy
from community.accounts import people
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import gettext as _, lazy_gettext
from community.mentoring import reads, service
from community.mentoring.schemas import (
    MAX_SLOTS,
    SLOT_MINUTES,
    AnswerIn,
    MentoringFeedbackIn,
    OfferIn,
    RequestIn,
    SessionIn,
    SessionMoveIn,
)
from community.profiles import queries as profile_queries
from community.competencies import queries as dictionary
from community.timezones import IST
from community.requests import actor_of, db_of, read_form, read_json, signed_in, url_for
from community.validation import form_values, number_or_text, validate

SLOT_ROWS = 3
"""Empty slot rows the offer form adds below those already kept."""

OFFER_SAVED = confirmations.register("mentoring_offer_saved", lazy_gettext("Your mentoring offer is saved."))
REQUESTED = confirmations.register("mentoring_requested", lazy_gettext("Your request for mentoring was sent."))
DONE = {
    "accept": confirmations.register("mentoring_accepted", lazy_gettext("You accepted the request; your conversation is open.")),
    "decline": confirmations.register("mentoring_declined", lazy_gettext("You declined the request.")),
    "withdraw": confirmations.register("mentoring_withdrawn", lazy_gettext("Your request was withdrawn.")),
    "session": confirmations.register("mentoring_session_added", lazy_gettext("The session is scheduled.")),
    "end": confirmations.register("mentoring_ended", lazy_gettext("The mentorship has ended.")),
    "feedback": confirmations.register("mentoring_feedback_given", lazy_gettext("Thank you for your feedback.")),
}


def now_of(request: web.Request) -> Any:
    return request.app[keys.CLOCK]()


def mentorship_of(request: web.Request) -> ObjectId:
    return reads.object_id(request.match_info["mentorship_id"], _("There is no such mentorship."))


def person_of(request: web.Request) -> ObjectId:
    return reads.object_id(request.match_info["user_id"], _("There is no such member."))


# --- the offer ------------------------------------------------------------------------------


def _offer_form(form: Any) -> dict[str, Any]:
    """The offer form's fields as ``OfferIn`` takes them; an empty slot row is no slot."""
    slots = []
    for index in range(MAX_SLOTS):
        weekday, start = str(form.get(f"slot-{index}-weekday", "")), str(form.get(f"slot-{index}-start", "")).strip()
        if not weekday and not start:
            continue
        minutes = str(form.get(f"slot-{index}-minutes", "60"))
        slots.append({"weekday": number_or_text(weekday), "start": start, "minutes": number_or_text(minutes)})
    values = form_values(OfferIn, {"offer": form.get("offer", ""), "monthly_cap": form.get("monthly_cap", "")})
    return {**values, "competencies": [str(value) for value in form.getall("competencies", [])], "slots": slots,
            "open": form.get("open") == "on"}


async def _offer_context(request: web.Request, values: dict[str, Any] | None = None,
                         errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to offer mentoring."))
    db = db_of(request)
    if values is None:
        kept = await reads.offer_view(db, me.user_id, now_of(request))
        values = {"competencies": [item["id"] for item in kept["competencies"]], "offer": kept["offer"],
                  "slots": kept["slots"], "monthly_cap": kept["monthly_cap"], "open": kept["open"]} if kept else \
            {"competencies": [], "offer": "", "slots": [], "monthly_cap": 3, "open": True}
    listed = [row["competency_id"] for row in (await profile_queries.profile(db, me.user_id)).get("competencies", [])]
    names = await dictionary.names_of(db, listed)
    slots = list(values["slots"])
    rows = slots + [{"weekday": "", "start": "", "minutes": 60}] * min(SLOT_ROWS, MAX_SLOTS - len(slots))
    errors = errors or {}
    topics_error = next((text for key, text in errors.items() if key.split(".")[0] == "competencies"), None)
    return {"values": values, "errors": errors, "topics_error": topics_error, "topics": [(cid, names.get(cid, cid)) for cid in listed],
            "slot_rows": rows, "weekdays": reads.weekday_names(), "minutes": SLOT_MINUTES,
            "can_offer": policy.can_offer_mentoring(me)}


async def offer_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("mentoring/offer.html", request, await _offer_context(request))


async def offer_submit(request: web.Request) -> web.Response:
    me = signed_in(request, _("Sign in to offer mentoring."))
    form = await read_form(request)
    values = _offer_form(form)
    try:
        await actions.run(request.app, me, service.save_offer, validate(OfferIn, values))
    except Invalid as error:
        return aiohttp_jinja2.render_template("mentoring/offer.html", request,
                                              await _offer_context(request, values, error.errors), status=422)
    return confirmations.confirmed(request, url_for(request, "person", user_id=str(me.user_id)) + "#mentoring",
                                   OFFER_SAVED)


# --- a request ------------------------------------------------------------------------------


async def _request_context(request: web.Request, values: dict[str, Any] | None = None,
                           errors: dict[str, str] | None = None) -> dict[str, Any]:
    actor = signed_in(request, _("Sign in to ask for mentoring."))
    mentor_id = person_of(request)
    db = db_of(request)
    mentor = await people.person_by_id(db, mentor_id)
    if mentor is None or mentor["deleted"]:
        raise NotFound(_("There is no such member."))
    card = await reads.profile_card(db, actor, mentor_id, now_of(request))
    return {"mentor": {"id": str(mentor_id), "name": mentor["name"]}, "card": card, "errors": errors or {},
            "values": values or {"competency_id": request.query.get("competency", ""), "goal": ""},
            "weekdays": reads.weekday_names()}


async def request_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("mentoring/request.html", request, await _request_context(request))


async def request_submit(request: web.Request) -> web.Response:
    mentor_id = person_of(request)
    form = await read_form(request)
    values = {"competency_id": str(form.get("competency_id", "")), "goal": str(form.get("goal", ""))}
    try:
        asked = validate(RequestIn, values)
        mentorship_id = await actions.run_once_more_after_a_conflict(request.app, actor_of(request),
                                                                     service.request_mentoring, mentor_id, asked)
    except Invalid as error:
        return aiohttp_jinja2.render_template("mentoring/request.html", request,
                                              await _request_context(request, values, error.errors), status=422)
    return confirmations.confirmed(request, url_for(request, "mentorship", mentorship_id=str(mentorship_id)), REQUESTED)


# --- a person's mentoring and one mentorship ------------------------------------------------


@aiohttp_jinja2.template("mentoring/home.html")
async def home_page(request: web.Request) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see your mentoring."))
    return {**await reads.mentoring_home(db_of(request), me, now_of(request)), "weekdays": reads.weekday_names()}


async def _mentorship_context(request: web.Request, errors: dict[str, str] | None = None,
                              values: dict[str, Any] | None = None) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see your mentoring."))
    shown = await reads.mentorship_page(db_of(request), me, mentorship_of(request), now_of(request))
    return {**shown, "errors": errors or {}, "values": values or {}}


async def mentorship_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("mentoring/mentorship.html", request, await _mentorship_context(request))


Step = Callable[[Action, ObjectId, Any], Awaitable[Any]]


def _in_ist(text: str) -> str:
    """A ``datetime-local`` field's time, which the form says is Indian Standard Time, with that
    zone; anything else as typed, for the validation to name."""
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (local if local.tzinfo else local.replace(tzinfo=IST)).isoformat()


def _times_of(form: Any) -> dict[str, str]:
    return {name: _in_ist(str(form.get(name, "")).strip()) for name in ("start", "end")}


def _echo(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in names}


def _form_step(action: str, form: Any) -> tuple[Step, dict[str, Any]]:
    """The service behind one of the mentorship page's forms, and the body it takes from the form."""
    if action in ("accept", "decline"):
        values = {"note": str(form.get("note", ""))}
        return (service.accept if action == "accept" else service.decline), values
    if action == "session":
        return service.schedule_session, {**_times_of(form), "place": str(form.get("place", ""))}
    if action == "feedback":
        values = form_values(MentoringFeedbackIn, {"rating": form.get("rating", ""), "comment": form.get("comment", ""),
                                          "endorse_level": form.get("endorse_level", "")})
        return service.give_feedback, values
    raise NotFound(_("There is no such action."))


BODIES: dict[str, type[Any]] = {"accept": AnswerIn, "decline": AnswerIn, "session": SessionIn, "feedback": MentoringFeedbackIn}


async def mentorship_submit(request: web.Request) -> web.Response:
    mentorship_id = mentorship_of(request)
    action = request.match_info["action"]
    form = await read_form(request)
    if action in ("withdraw", "end"):
        done = service.withdraw if action == "withdraw" else service.end
        await actions.run(request.app, actor_of(request), done, mentorship_id)
    else:
        step, values = _form_step(action, form)
        try:
            body = validate(BODIES[action], values)
            await actions.run(request.app, actor_of(request), step, mentorship_id, body)
        except Invalid as error:
            shown = _echo(form, ("start", "end", "place")) if action == "session" else values
            context = await _mentorship_context(request, {f"{action}.{key}": text for key, text in error.errors.items()},
                                                {action: shown})
            return aiohttp_jinja2.render_template("mentoring/mentorship.html", request, context, status=422)
    return confirmations.confirmed(request, url_for(request, "mentorship", mentorship_id=str(mentorship_id)),
                                   DONE[action])


SESSION_DONE = {
    "move": confirmations.register("mentoring_session_moved", lazy_gettext("The session is moved; you are both told.")),
    "cancel": confirmations.register("mentoring_session_cancelled", lazy_gettext("The session is cancelled.")),
}


def session_of(request: web.Request) -> ObjectId:
    return reads.object_id(request.match_info["session_id"], _("There is no such session."))


async def session_submit(request: web.Request) -> web.Response:
    """Move or cancel one session, from the mentorship's page."""
    mentorship_id, event_id, action = mentorship_of(request), session_of(request), request.match_info["action"]
    form = await read_form(request)
    try:
        if action == "move":
            moved = validate(SessionMoveIn, {**_times_of(form), **(
                {"place": str(form["place"])} if "place" in form else {})})
            await actions.run(request.app, actor_of(request), service.move_session, mentorship_id, event_id, moved)
        else:
            await actions.run(request.app, actor_of(request), service.cancel_session, mentorship_id, event_id)
    except Invalid as error:
        prefix = f"{action}-{event_id}"
        context = await _mentorship_context(request, {f"{prefix}.{key}": text for key, text in error.errors.items()},
                                            {prefix: _echo(form, ("start", "end", "place"))})
        return aiohttp_jinja2.render_template("mentoring/mentorship.html", request, context, status=422)
    return confirmations.confirmed(request, url_for(request, "mentorship", mentorship_id=str(mentorship_id)),
                                   SESSION_DONE[action])


# --- API ------------------------------------------------------------------------------------


async def api_offer(request: web.Request) -> web.Response:
    signed_in(request)
    shown = await reads.offer_view(db_of(request), person_of(request), now_of(request))
    if shown is None:
        raise NotFound(_("This member does not offer mentoring."))
    return api.json_response(shown)


async def api_save_offer(request: web.Request) -> web.Response:
    me = signed_in(request)
    offer = validate(OfferIn, await read_json(request))
    await actions.run(request.app, me, service.save_offer, offer)
    return api.json_response(await reads.offer_view(db_of(request), me.user_id, now_of(request)))


async def api_request(request: web.Request) -> web.Response:
    me = signed_in(request)
    asked = validate(RequestIn, await read_json(request))
    mentorship_id = await actions.run_once_more_after_a_conflict(request.app, me, service.request_mentoring,
                                                                 person_of(request), asked)
    return api.json_response(await reads.mentorship_api(db_of(request), me, mentorship_id), status=201)


async def api_list(request: web.Request) -> web.Response:
    me = signed_in(request)
    return api.json_response(await reads.mentorships_api(db_of(request), me.user_id))


async def api_mentorship(request: web.Request) -> web.Response:
    me = signed_in(request)
    return api.json_response(await reads.mentorship_api(db_of(request), me, mentorship_of(request)))


def _api_step(step: Callable[..., Awaitable[Any]], body: type[Any] | None) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        me = signed_in(request)
        mentorship_id = mentorship_of(request)
        args = (validate(body, await read_json(request, optional=True)),) if body is not None else ()
        await actions.run(request.app, me, step, mentorship_id, *args)
        return api.json_response(await reads.mentorship_api(db_of(request), me, mentorship_id))
    return handler


api_accept = _api_step(service.accept, AnswerIn)
api_decline = _api_step(service.decline, AnswerIn)
api_withdraw = _api_step(service.withdraw, None)
api_session = _api_step(service.schedule_session, SessionIn)
api_end = _api_step(service.end, None)
api_feedback = _api_step(service.give_feedback, MentoringFeedbackIn)


async def api_move_session(request: web.Request) -> web.Response:
    me = signed_in(request)
    mentorship_id, event_id = mentorship_of(request), session_of(request)
    moved = validate(SessionMoveIn, await read_json(request))
    await actions.run(request.app, me, service.move_session, mentorship_id, event_id, moved)
    return api.json_response(await reads.mentorship_api(db_of(request), me, mentorship_id))


async def api_cancel_session(request: web.Request) -> web.Response:
    me = signed_in(request)
    mentorship_id, event_id = mentorship_of(request), session_of(request)
    await actions.run(request.app, me, service.cancel_session, mentorship_id, event_id)
    return api.json_response(await reads.mentorship_api(db_of(request), me, mentorship_id))
