"""Events: pages, calendar files, the API, the reminder jobs and the notification kinds."""

from __future__ import annotations

from aiohttp import web

from community import api, keys
from community.events import after, jobs, notices  # noqa: F401 - register the jobs, the notification kinds and the room's correction hook
from community.events import live, storage, views
from community.events.schemas import (EventIn, EventListOut, EventOut, EvidenceIn, FeedbackIn, FeedbackOut, ListQuery,
                                      RecordIn, RsvpIn)
from community.i18n import lazy_gettext
from community.storage.facts import declare

T = "events"
EVENT = "/events/{event_id:[0-9a-f]{24}}"
"""An event page's address (a pattern, so /events/new and /events/month stay pages of their own)."""
API_EVENT = "/events/{event_id}"


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    live.use_attended_share(app[keys.SETTINGS].room_attended_share)
    app[keys.NAV].append(keys.NavItem("events", lazy_gettext("Events")))
    add = app.router.add_route
    add("GET", "/events", views.list_page, name="events")
    add("GET", "/events/month", views.month_page, name="events.month")
    add("GET", "/events/feed.atom", views.atom_feed, name="events.atom")
    add("GET", "/events/new", views.new_page, name="events.new")
    add("POST", "/events/new", views.new_submit, name="events.create")
    add("POST", "/events/calendar-address", views.feed_token_submit, name="events.feed_token")
    add("POST", "/events/calendar-address/revoke", views.feed_revoke_submit, name="events.feed_revoke")
    add("GET", "/events/calendar/{token}.ics", views.feed_ics, name="events.feed")
    add("GET", EVENT, views.event_page, name="events.event")
    add("GET", EVENT + "/edit", views.edit_page, name="events.edit")
    add("POST", EVENT + "/edit", views.edit_submit, name="events.update")
    add("POST", EVENT + "/publish", views.publish_submit, name="events.publish")
    add("POST", EVENT + "/cancel", views.cancel_submit, name="events.cancel")
    add("POST", EVENT + "/duplicate", views.duplicate_submit, name="events.duplicate")
    add("POST", EVENT + "/rsvp", views.rsvp_submit, name="events.rsvp")
    add("GET", EVENT + "/people", views.people_page, name="events.people")
    add("GET", EVENT + "/people.csv", views.people_csv, name="events.people_csv")
    add("GET", EVENT + "/calendar.ics", views.event_ics, name="events.ics")
    add("POST", EVENT + "/certificate", views.certificate_submit, name="events.certificate")
    add("POST", EVENT + "/record", views.record_submit, name="events.record")
    add("POST", EVENT + "/feedback", views.feedback_submit, name="events.feedback")
    add("POST", EVENT + "/evidence", views.evidence_submit, name="events.evidence")

    route = api.route
    route(app, "GET", "/events", views.api_list, summary="Events you may see: upcoming, this week, past, or yours",
          tag=T, query=ListQuery, response=EventListOut, auth=False)
    route(app, "POST", "/events", views.api_create, summary="Create an event as a draft (experts, organisation administrators)",
          tag=T, body=EventIn, response=EventOut, status=201)
    route(app, "GET", API_EVENT, views.api_get, summary="An event, with your answer", tag=T, response=EventOut, auth=False)
    route(app, "PUT", API_EVENT, views.api_update, summary="Change an event (its hosts); people going are told of a new time or place",
          tag=T, body=EventIn, response=EventOut, also={204: None})
    route(app, "POST", API_EVENT + "/publish", views.api_publish, summary="Publish a draft (its hosts)", tag=T, body=None,
          response=EventOut)
    route(app, "POST", API_EVENT + "/cancel", views.api_cancel, summary="Cancel an event; everyone who answered is told",
          tag=T, body=None, response=EventOut)
    route(app, "POST", API_EVENT + "/duplicate", views.api_duplicate, summary="Copy an event as a new draft a week later",
          tag=T, body=None, response=EventOut, status=201)
    route(app, "PUT", API_EVENT + "/rsvp", views.api_rsvp, tag=T, body=RsvpIn, response=EventOut,
          summary="Answer going, interested or not going; going past capacity joins the waitlist")
    route(app, "PUT", API_EVENT + "/record", views.api_record, tag=T, body=RecordIn, response=EventOut,
          summary="Set the recording's address and the summary (its hosts, once the session has started)")
    route(app, "PUT", API_EVENT + "/feedback", views.api_feedback, tag=T, body=FeedbackIn, response=None, status=204,
          summary="Rate the session and comment (those who attended, after the end); again replaces it")
    route(app, "PUT", API_EVENT + "/evidence", views.api_evidence, tag=T, body=EvidenceIn, response=EventOut,
          summary="Count attending as evidence of the event's competencies at a level (its hosts, at most their own)")
    route(app, "GET", API_EVENT + "/feedback", views.api_feedback_summary, tag=T, response=FeedbackOut,
          summary="The feedback's count, average, ratings and comments without names (its hosts)")
    route(app, "GET", API_EVENT + "/people", views.people_csv, summary="Everyone who answered, as CSV (its hosts)", tag=T,
          response="text/csv")
