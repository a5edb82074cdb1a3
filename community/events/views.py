"""The events' pages (lists, month view, the event page, its forms, calendar files) and API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import actions, api, confirmations, keys, policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.errors import Invalid, NotFound
from community.events import after, calendar, feeds, live, queries, reads, service
from community.events.access import access, actor_orgs, event_path, utc
from community.events.schemas import EventIn, EvidenceIn, FeedbackIn, ListQuery, RecordIn, RsvpIn
from community.i18n import gettext as _, lazy_gettext
from community.middlewares import content_security_policy
from community.timezones import zone_choices
from community.requests import actor_of, db_of, read_form, read_json, see_other, settings_of, signed_in, url_for
from community.validation import form_values, plausible_year, validate

PUBLISHED = confirmations.register("event_published", lazy_gettext("The event is published."))
SAVED = confirmations.register("event_saved", lazy_gettext("The event is saved."))
CANCELLED = confirmations.register("event_cancelled", lazy_gettext("The event is cancelled; everyone who answered is told."))
DUPLICATED = confirmations.register("event_duplicated", lazy_gettext("A copy was made as a draft, a week later."))
ANSWERED = {
    "going": confirmations.register("event_going", lazy_gettext("You are going.")),
    "waitlisted": confirmations.register("event_waitlisted", lazy_gettext("The event is full: you are on the waitlist.")),
    "interested": confirmations.register("event_interested", lazy_gettext("Marked as interested.")),
    "not_going": confirmations.register("event_not_going", lazy_gettext("Marked as not going.")),
}
RECORDED = confirmations.register("event_recorded", lazy_gettext("The recording and the summary are saved."))
EVIDENCE = confirmations.register("event_evidence", lazy_gettext(
    "Attendance now counts as evidence of the event's competencies for everyone who attended."))
FEEDBACK_GIVEN = confirmations.register("event_feedback", lazy_gettext("Thank you: your feedback is saved."))
FEED_MADE = confirmations.register("event_feed_made", lazy_gettext("Your calendar address is ready; the old one no longer works."))
FEED_REVOKED = confirmations.register("event_feed_revoked", lazy_gettext("Your calendar address no longer works."))
NO_LONGER_COHOST = confirmations.register("event_no_longer_cohost", lazy_gettext(
    "The event is saved, and you are no longer one of its co-hosts."))

LIST_TITLES = {"upcoming": lazy_gettext("Upcoming events"), "week": lazy_gettext("This week"),
               "past": lazy_gettext("Past events"), "mine": lazy_gettext("My events")}


def event_of(request: web.Request) -> ObjectId:
    try:
        return ObjectId(request.match_info["event_id"])
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such event.")) from None


def _zone(request: web.Request) -> str:
    return reads.viewer_zone(request.query.get("zone"))


def _now(request: web.Request) -> datetime:
    return request.app[keys.CLOCK]()


def _organisation(text: str | None) -> ObjectId | None:
    try:
        return ObjectId(text) if text else None
    except InvalidId:
        raise NotFound(_("There is no such organisation.")) from None


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("events/list.html")
async def list_page(request: web.Request) -> dict[str, Any]:
    asked = api.query(request, ListQuery)
    actor = actor_of(request)
    if asked.when == "mine":
        signed_in(request, _("Sign in to see your events."))
    shown = await reads.listing(db_of(request), actor, when=asked.when, now=_now(request),
                                competency=asked.competency, organisation=_organisation(asked.organisation))
    return {"listing": shown, "when": asked.when, "title": LIST_TITLES[asked.when], "zone": _zone(request),
            "zone_label": reads.zone_label(_zone(request)),
            "shown_time": reads.shown_time, "can_create": policy.can_create_event(actor),
            "competency": asked.competency, "feed_made": request.query.get("feed"),
            "competency_names": await dictionary.names_of(db_of(request), [asked.competency or "", *(
                competency for event in shown.events for competency in event["competencies"])]),
            "has_feed": actor.user_id is not None and await queries.calendar_token_exists(db_of(request), actor.user_id)}


@aiohttp_jinja2.template("events/month.html")
async def month_page(request: web.Request) -> dict[str, Any]:
    now, zone = _now(request), _zone(request)
    try:
        year, month = (int(part) for part in request.query.get("month", f"{now.year}-{now.month}").split("-"))
        first = plausible_year(datetime(year, month, 1))
    except ValueError:
        raise NotFound(_("There is no such month.")) from None
    events = await reads.month_events(db_of(request), actor_of(request), year, month, zone)
    before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1}"
    after = f"{year + 1}-1" if month == 12 else f"{year}-{month + 1}"
    return {"weeks": reads.month_grid(year, month, events, zone), "first": first, "before": before, "after": after,
            "zone": zone, "zone_label": reads.zone_label(zone)}


async def _after_context(request: web.Request, event: dict[str, Any], *, may_claim: bool) -> dict[str, Any]:
    """The "after the session" part of the event page: what the hosts may add and read, and the
    attendee's own feedback (``may_claim``: they attended an event that has ended)."""
    actor, db = actor_of(request), db_of(request)
    mine = await after.feedback_of(db, event["_id"], actor.user_id) if may_claim and actor.user_id is not None else None
    return {"can_record": policy.can_record_event(actor, event, _now(request)),
            "can_give_feedback": may_claim and policy.can_give_event_feedback(actor, attended=True, ended=True),
            "feedback": await after.feedback_summary(db, event["_id"]) if after.may_see_feedback(actor, event) else None,
            "mine": mine, "record_values": {"recording_url": event.get("recording_url") or "",
                                            "summary": event.get("summary", "")},
            "feedback_values": {"rating": str(mine["rating"]) if mine else "", "comment": mine["comment"] if mine else ""},
            "record_errors": {}, "feedback_errors": {}, "evidence_values": {"level": ""}, "evidence_errors": {}}


async def _event_context(request: web.Request, seen: Any) -> dict[str, Any]:
    actor, event, settings, db = actor_of(request), seen.event, settings_of(request), db_of(request)
    joining = None
    if actor.user_id is not None and (seen.is_host or seen.rsvp == "going"):
        joining = service.meeting_link(settings, event, name=await people.name_of(db, actor.user_id),
                                       user_id=actor.user_id, host=seen.is_host)
    hosts = await people.names_by_id(db, [event["host_id"], *event["cohost_ids"]])
    claim = actor.user_id is not None and await live.may_receive(db, actor.user_id, event["_id"], None)
    return {"seen": seen, "event": event, "zone": _zone(request), "shown_time": reads.shown_time,
            "competency_names": await dictionary.names_of(db, event["competencies"]),
            "hosts": [(host_id, hosts.get(host_id) or _("Deleted member")) for host_id in [event["host_id"], *event["cohost_ids"]]],
            "can_manage": policy.can_manage_event(actor, event),
            "can_rsvp": policy.can_rsvp(actor, event, await actor_orgs(db, actor), _now(request)),
            "rsvp_open": policy.rsvp_is_open(event, _now(request)), "joining": joining,
            "jitsi": joining if event["place"]["kind"] == "jitsi" else None, "bbb_missing":
                event["place"]["kind"] == "bbb" and not (settings.bbb_url and settings.bbb_secret),
            "room": await live.resolve_room(db, actor, event["_id"]) if actor.user_id is not None else None,
            "can_claim_certificate": claim, "after": await _after_context(request, event, may_claim=claim)}


async def event_page(request: web.Request, *, changes: dict[str, Any] | None = None, status: int = 200) -> web.Response:
    """The event page; ``changes`` puts a form sent back with its errors into the after-session part."""
    seen = await reads.visible_event(db_of(request), actor_of(request), event_of(request))
    context = await _event_context(request, seen)
    context["after"].update(changes or {})
    response = aiohttp_jinja2.render_template("events/event.html", request, context, status=status)
    if context["jitsi"]:
        response.headers["Content-Security-Policy"] = (content_security_policy(settings_of(request).base_url)
                                                       + f"; frame-src {settings_of(request).jitsi_url}")
    return response


FORM_FIELDS = tuple(EventIn.model_fields)
PICKED = ("uninvite", "invite_ids", "remove_cohost_ids", "add_cohost_ids")
"""The form's people, each a checkbox per person: the invited and co-hosts to remove, the ones the pickers add."""


def _form_input(form: Any) -> dict[str, Any]:
    values = {name: str(form.get(name, "")) for name in EventIn.model_fields if name in form}
    for name in ("invite", "cohosts", "dates"):
        values[name] = str(form.get(name, ""))
    values["competencies"] = _ticked(form, "competencies")
    for name in PICKED:
        values[name] = _ticked(form, name)
    for name in ("rsvp_closes", "repeat_count", "repeat_until"):
        if not values.get(name):
            values.pop(name, None)
    return form_values(EventIn, values)


def _form_values(event: dict[str, Any] | None) -> dict[str, Any]:
    if event is None:
        return {**{name: "" for name in FORM_FIELDS}, "zone": reads.DEFAULT_ZONE, "capacity": 50,
                "audience": "everyone", "place": "link", "language": "en", "repeat": "none"}
    zone = ZoneInfo(event["zone"])
    closes = event.get("rsvp_closes_at")
    return {**event, "start": utc(event["start_at"]).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "end": utc(event["end_at"]).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "rsvp_closes": utc(closes).astimezone(zone).strftime("%Y-%m-%dT%H:%M") if closes else "",
            "competencies": ",".join(event["competencies"]), "place": event["place"]["kind"],
            "link": event["place"].get("url", ""), "venue": event["place"].get("address", ""),
            "invite": "", "cohosts": "", **{name: "" for name in PICKED}, "repeat": "none", "repeat_count": "",
            "repeat_until": "", "dates": ""}


def _ticked(form: Any, name: str) -> str:
    """A list of checkboxes' ticked values, joined by commas as ``form_values`` reads a list."""
    return ",".join(str(value) for value in form.getall(name, []))


def _echo(form: Any) -> dict[str, str]:
    """The form as sent, to show again beside its errors."""
    return {**{name: str(form.get(name, "")) for name in FORM_FIELDS}, "competencies": _ticked(form, "competencies"),
            **{name: _ticked(form, name) for name in PICKED}}


async def _render_form(request: web.Request, values: dict[str, Any], errors: dict[str, str],
                       event: dict[str, Any] | None, status: int = 200) -> web.Response:
    """The event's form; editing, it lists the people invited and the co-hosts, each kept unless
    ticked for removal, and shown again, the people its pickers chose to invite and to co-host."""
    invited = event.get("invited_ids", []) if event is not None else []
    cohosts = [user_id for user_id in event["cohost_ids"] if user_id != event["host_id"]] if event is not None else []
    chosen, chosen_cohosts = (
        [ObjectId(text) for text in (values.get(name) or "").split(",") if ObjectId.is_valid(text)]
        for name in ("invite_ids", "add_cohost_ids"))
    names = await people.names_by_id(db_of(request), [*invited, *cohosts, *chosen, *chosen_cohosts])
    return aiohttp_jinja2.render_template("events/form.html", request, {
        "values": values, "errors": errors, "event_id": str(event["_id"]) if event is not None else None,
        "invitees": [(str(user_id), names.get(user_id) or _("Deleted member")) for user_id in invited],
        "cohosts": [(str(user_id), names.get(user_id) or _("Deleted member")) for user_id in cohosts],
        "chosen": [(str(user_id), names[user_id]) for user_id in chosen if user_id in names],
        "chosen_cohosts": [(str(user_id), names[user_id]) for user_id in chosen_cohosts if user_id in names],
        "zone_choices": zone_choices(_now(request), keep=reads.viewer_zone(values.get("zone"))),
        "language_choices": reads.language_choices(keep=str(values.get("language") or "")),
        "competency_rows": await dictionary.shown(db_of(request))}, status=status)


async def new_page(request: web.Request) -> web.Response:
    actor = signed_in(request, _("Sign in to create an event."))
    policy.require(actor, policy.can_create_event(actor), _("Experts and organisation administrators create events."))
    return await _render_form(request, _form_values(None), {}, None)


async def new_submit(request: web.Request) -> web.Response:
    signed_in(request)
    form = await read_form(request)
    try:
        event_id = await actions.run(request.app, actor_of(request), service.create, validate(EventIn, _form_input(form)))
    except Invalid as error:
        return await _render_form(request, _echo(form), dict(error.errors), None, status=422)
    return confirmations.confirmed(request, event_path(event_id), SAVED)


async def edit_page(request: web.Request) -> web.Response:
    seen = await reads.visible_event(db_of(request), actor_of(request), event_of(request))
    policy.require(actor_of(request), policy.can_manage_event(actor_of(request), seen.event),
                   _("Only the event's hosts may change it."))
    if seen.event.get("held_for"):  # changed only from the page that holds it, which the event page links
        return see_other(event_path(seen.event["_id"]))
    return await _render_form(request, _form_values(seen.event), {}, seen.event)


def _left_cohosts(request: web.Request, data: EventIn) -> bool:
    """Whether the change takes the actor off the event's co-hosts."""
    return str(actor_of(request).user_id) in data.remove_cohost_ids


async def _still_seen(request: web.Request, event_id: ObjectId) -> bool:
    """Whether the actor still sees the event after their change (a co-host who left a draft does not)."""
    seen = await access(db_of(request), actor_of(request), event_id)
    return seen is not None and seen.can_see


async def edit_submit(request: web.Request) -> web.Response:
    """A co-host who removed themselves is told so, on the event's page if they still see it, and
    otherwise among their events."""
    event_id = event_of(request)
    form = await read_form(request)
    try:
        data = validate(EventIn, _form_input(form))
        await actions.run(request.app, actor_of(request), service.update, event_id, data)
    except Invalid as error:
        seen = await reads.visible_event(db_of(request), actor_of(request), event_id)
        return await _render_form(request, _echo(form), dict(error.errors), seen.event, status=422)
    if not _left_cohosts(request, data):
        return confirmations.confirmed(request, event_path(event_id), SAVED)
    shown = event_path(event_id) if await _still_seen(request, event_id) else "/events?when=mine"
    return confirmations.confirmed(request, shown, NO_LONGER_COHOST)


async def _simple(request: web.Request, service_call: Any, done: str) -> web.Response:
    event_id = event_of(request)
    await read_form(request)
    result = await actions.run(request.app, actor_of(request), service_call, event_id)
    target = event_path(result if isinstance(result, ObjectId) else event_id)
    return confirmations.confirmed(request, target, done)


async def publish_submit(request: web.Request) -> web.Response:
    return await _simple(request, service.publish, PUBLISHED)


async def cancel_submit(request: web.Request) -> web.Response:
    return await _simple(request, service.cancel, CANCELLED)


async def duplicate_submit(request: web.Request) -> web.Response:
    return await _simple(request, service.duplicate, DUPLICATED)


async def rsvp_submit(request: web.Request) -> web.Response:
    event_id = event_of(request)
    form = await read_form(request)
    asked = validate(RsvpIn, {"status": str(form.get("status", ""))})
    status = await actions.run_once_more_after_a_conflict(request.app, actor_of(request), service.rsvp, event_id,
                                                          asked.status)
    return confirmations.confirmed(request, event_path(event_id), ANSWERED[status])


@aiohttp_jinja2.template("events/people.html")
async def people_page(request: web.Request) -> dict[str, Any]:
    seen, rows = await reads.people_list(db_of(request), actor_of(request), event_of(request))
    return {"seen": seen, "rows": rows}


async def people_csv(request: web.Request) -> web.Response:
    seen, text = await reads.people_csv(db_of(request), actor_of(request), event_of(request))
    return web.Response(text=text, content_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="event-{seen.event["_id"]}-people.csv"',
        "Cache-Control": "private, no-store"})


async def event_ics(request: web.Request) -> web.Response:
    seen = await reads.visible_event(db_of(request), actor_of(request), event_of(request))
    hosts = await people.names_by_id(db_of(request), [seen.event["host_id"]])
    if seen.event.get("series"):
        occurrences = await reads.series_of(db_of(request), actor_of(request), seen.event)
        body = calendar.series_ics(occurrences, settings_of(request).base_url, hosts, name=seen.title)
    else:
        body = calendar.ics([seen.event], settings_of(request).base_url, hosts, name=seen.title)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="event-{seen.event["_id"]}.ics"'})


async def atom_feed(request: web.Request) -> web.Response:
    body = await feeds.upcoming_feed(db_of(request), settings_of(request).base_url, _now(request),
                                     title=_("Upcoming events"))
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


async def feed_ics(request: web.Request) -> web.Response:
    found = await calendar.feed_events(db_of(request), request.match_info["token"])
    if found is None:
        raise NotFound(_("This calendar address no longer works."))
    _owner, events = found
    hosts = await people.names_by_id(db_of(request), [event["host_id"] for event in events])
    body = calendar.ics(events, settings_of(request).base_url, hosts, name=_("My events"))
    return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, no-store"})


async def feed_token_submit(request: web.Request) -> web.Response:
    signed_in(request)
    await read_form(request)
    token = await actions.run(request.app, actor_of(request), calendar.new_token)
    return confirmations.confirmed(request, "/events?" + urlencode({"when": "mine", "feed": token}), FEED_MADE)


async def feed_revoke_submit(request: web.Request) -> web.Response:
    signed_in(request)
    await read_form(request)
    await actions.run(request.app, actor_of(request), calendar.revoke_token)
    return confirmations.confirmed(request, "/events?when=mine", FEED_REVOKED)


# --- API ------------------------------------------------------------------------------------


async def _one(request: web.Request, event_id: ObjectId, status: int = 200) -> web.Response:
    seen = await reads.visible_event(db_of(request), actor_of(request), event_id)
    return api.json_response(reads.event_out(seen.event, seen.rsvp, _now(request), host=seen.is_host), status=status)


async def api_list(request: web.Request) -> web.Response:
    asked = api.query(request, ListQuery)
    actor = actor_of(request)
    if asked.when == "mine":
        signed_in(request)
    shown = await reads.listing(db_of(request), actor, when=asked.when, now=_now(request),
                                competency=asked.competency, organisation=_organisation(asked.organisation))
    return api.json_response({"items": [reads.event_out(event, shown.statuses.get(event["_id"], "none"), _now(request),
                                                        host=policy.is_event_host(actor, event))
                                        for event in shown.events]})


async def api_create(request: web.Request) -> web.Response:
    data = validate(EventIn, await read_json(request))
    event_id = await actions.run(request.app, actor_of(request), service.create, data)
    return await _one(request, event_id, status=201)


async def api_get(request: web.Request) -> web.Response:
    return await _one(request, event_of(request))


async def api_update(request: web.Request) -> web.Response:
    """The event as changed; no content when the change took the actor off an event they then no
    longer see (a co-host leaving a draft)."""
    event_id = event_of(request)
    data = validate(EventIn, await read_json(request))
    await actions.run(request.app, actor_of(request), service.update, event_id, data)
    if _left_cohosts(request, data) and not await _still_seen(request, event_id):
        return web.Response(status=204)
    return await _one(request, event_id)


def _api_action(service_call: Any) -> Any:
    async def handler(request: web.Request) -> web.Response:
        result = await actions.run(request.app, actor_of(request), service_call, event_of(request))
        return await _one(request, result if isinstance(result, ObjectId) else event_of(request),
                          status=201 if isinstance(result, ObjectId) else 200)
    return handler


api_publish = _api_action(service.publish)
api_cancel = _api_action(service.cancel)
api_duplicate = _api_action(service.duplicate)


async def api_rsvp(request: web.Request) -> web.Response:
    event_id = event_of(request)
    asked = validate(RsvpIn, await read_json(request))
    await actions.run_once_more_after_a_conflict(request.app, actor_of(request), service.rsvp, event_id, asked.status)
    return await _one(request, event_id)


async def _after_form(request: web.Request, service_call: Any, model: type[Any], names: tuple[str, ...], part: str,
                      done: str, missing: dict[str, str] | None = None) -> web.Response:
    """One of the event page's after-session forms: ``part`` names its values and errors there,
    and ``missing`` the message for a required choice left empty."""
    event_id = event_of(request)
    form = await read_form(request)
    values = {name: str(form.get(name, "")) for name in names}
    try:
        empty = {name: message for name, message in (missing or {}).items() if not values[name]}
        if empty:
            raise Invalid(empty)
        await actions.run(request.app, actor_of(request), service_call, event_id, validate(model, form_values(model, values)))
    except Invalid as error:
        return await event_page(request, changes={f"{part}_values": values, f"{part}_errors": dict(error.errors)},
                                status=422)
    return confirmations.confirmed(request, event_path(event_id), done)


async def record_submit(request: web.Request) -> web.Response:
    """The hosts' recording address and summary."""
    return await _after_form(request, after.record, RecordIn, ("recording_url", "summary"), "record", RECORDED)


async def evidence_submit(request: web.Request) -> web.Response:
    """A host's confirmation that attending counts as evidence."""
    return await _after_form(request, after.confirm_evidence, EvidenceIn, ("level",), "evidence", EVIDENCE,
                             {"level": _("Choose the level that attending shows.")})


async def feedback_submit(request: web.Request) -> web.Response:
    """An attendee's rating and comment."""
    return await _after_form(request, after.give_feedback, FeedbackIn, ("rating", "comment"), "feedback", FEEDBACK_GIVEN,
                             {"rating": _("Choose how useful the session was, from 1 to 5.")})


async def api_evidence(request: web.Request) -> web.Response:
    event_id = event_of(request)
    await actions.run(request.app, actor_of(request), after.confirm_evidence, event_id,
                      validate(EvidenceIn, await read_json(request)))
    return await _one(request, event_id)


async def api_record(request: web.Request) -> web.Response:
    event_id = event_of(request)
    await actions.run(request.app, actor_of(request), after.record, event_id, validate(RecordIn, await read_json(request)))
    return await _one(request, event_id)


async def api_feedback(request: web.Request) -> web.Response:
    event_id = event_of(request)
    await actions.run(request.app, actor_of(request), after.give_feedback, event_id,
                      validate(FeedbackIn, await read_json(request)))
    return web.Response(status=204)


async def api_feedback_summary(request: web.Request) -> web.Response:
    actor = actor_of(request)
    seen = await reads.visible_event(db_of(request), actor, event_of(request))
    policy.require(actor, after.may_see_feedback(actor, seen.event), _("Only the event's hosts read its feedback."))
    return api.json_response(await after.feedback_summary(db_of(request), seen.event["_id"]))


CERTIFICATE_READY = confirmations.register("event_certificate", lazy_gettext(
    "Your certificate of attendance is ready: download it below, or share its verification page."))


async def certificate_submit(request: web.Request) -> web.Response:
    """Whoever attended an event that has ended gets their certificate of attendance."""
    await actions.run(request.app, actor_of(request), live.claim_certificate, event_of(request))
    return confirmations.confirmed(request, url_for(request, "my_certificates"), CERTIFICATE_READY)
