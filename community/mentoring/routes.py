"""Mentoring: experts' offers, requests and their answers, mentorships with a conversation,
sessions and feedback; its pages, API and notifications."""

from __future__ import annotations

from aiohttp import web

from community import api, keys
from community.i18n import lazy_gettext
from community.mentoring import notices, storage, views  # noqa: F401 - notices registers kinds
from community.mentoring.rules import RULES, MentoringRules
from community.mentoring.schemas import (
    AnswerIn,
    MentoringFeedbackIn,
    MentorshipListOut,
    MentorshipOut,
    OfferIn,
    OfferOut,
    RequestIn,
    SessionIn,
    SessionMoveIn,
)
from community.storage.facts import declare


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.setdefault(RULES, MentoringRules())
    app[keys.USER_MENU].append(keys.NavItem("mentoring", lazy_gettext("Mentoring"), weight=16))
    add = app.router.add_route
    add("GET", "/mentoring", views.home_page, name="mentoring")
    add("GET", "/mentoring/offer", views.offer_page, name="mentoring_offer")
    add("POST", "/mentoring/offer", views.offer_submit, name="mentoring_offer_save")
    add("GET", "/people/{user_id}/mentoring", views.request_page, name="mentoring_request")
    add("POST", "/people/{user_id}/mentoring", views.request_submit, name="mentoring_request_send")
    one = "/mentoring/{mentorship_id:[0-9a-f]{24}}"
    add("GET", one, views.mentorship_page, name="mentorship")
    add("POST", one + "/{action:[a-z]+}", views.mentorship_submit, name="mentorship_action")
    add("POST", one + "/sessions/{session_id:[0-9a-f]{24}}/{action:move|cancel}", views.session_submit,
        name="mentoring_session_action")

    tag = "mentoring"
    api.route(app, "GET", "/mentoring/offers/{user_id}", views.api_offer, tag=tag, response=OfferOut,
              summary="An expert's mentoring offer: topics, availability, the monthly cap and places left",
              name="api.mentoring.offer")
    api.route(app, "PUT", "/mentoring/offer", views.api_save_offer, tag=tag, body=OfferIn, response=OfferOut,
              summary="Publish or change your mentoring offer (experts)")
    base = "/mentoring/mentorships"
    api.route(app, "GET", base, views.api_list, tag=tag, response=MentorshipListOut,
              summary="Your mentorships and requests, as mentor and as mentee, newest first")
    one_api = base + "/{mentorship_id:[0-9a-f]{24}}"
    api.route(app, "GET", one_api, views.api_mentorship, tag=tag, response=MentorshipOut,
              summary="One of your mentorships (its mentor and mentee only)", name="api.mentoring.mentorship")
    api.route(app, "POST", "/mentoring/offers/{user_id}/requests", views.api_request, tag=tag, body=RequestIn,
              response=MentorshipOut, status=201, summary="Ask an expert for mentoring in one of their topics",
              links={"mentorship": api.Link("api.mentoring.mentorship", {"mentorship_id": "$response.body#/id"})})
    api.route(app, "POST", f"{one_api}/accept", views.api_accept, tag=tag, body=AnswerIn, response=MentorshipOut,
              summary="Accept a mentoring request (the mentor); opens your conversation with the note")
    api.route(app, "POST", f"{one_api}/decline", views.api_decline, tag=tag, body=AnswerIn, response=MentorshipOut,
              summary="Decline a mentoring request (the mentor), with a note")
    api.route(app, "POST", f"{one_api}/withdraw", views.api_withdraw, tag=tag, body=None, response=MentorshipOut,
              summary="Withdraw your mentoring request while it waits (the mentee)")
    api.route(app, "POST", f"{one_api}/sessions", views.api_session, tag=tag, body=SessionIn, response=MentorshipOut,
              summary="Schedule a session (the mentor): an invitation-only event for the two, at a meeting link or a place")
    one_session = f"{one_api}/sessions/{{session_id:[0-9a-f]{{24}}}}"
    api.route(app, "POST", f"{one_session}/move", views.api_move_session, tag=tag, body=SessionMoveIn,
              response=MentorshipOut,
              summary="Move a session still to begin, and change its place (the mentor or the mentee); the other is told")
    api.route(app, "POST", f"{one_session}/cancel", views.api_cancel_session, tag=tag, body=None,
              response=MentorshipOut, summary="Cancel a session still to begin (the mentor or the mentee); the other is told")
    api.route(app, "POST", f"{one_api}/end", views.api_end, tag=tag, body=None, response=MentorshipOut,
              summary="End a mentorship; after a session took place it counts as completed, with Karma Points")
    api.route(app, "POST", f"{one_api}/feedback", views.api_feedback, tag=tag, body=MentoringFeedbackIn, response=MentorshipOut,
              summary="Your feedback on an ended mentorship, once; it may endorse the other's competency when the rule allows")
