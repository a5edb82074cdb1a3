"""Polls: pages, API, the closing job and live result pushes."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from community import api
from community.polls import jobs  # noqa: F401 - registers the poll.close job
from community.polls import live, storage, views
from community.polls.schemas import PollListOut, PollOut, SubjectQuery, VoteIn, VotersOut, VotersQuery
from community.storage.facts import declare

T = "polls"
POLL = "/polls/{poll_id}"


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app[live.PUSHES] = live.ResultPushes(app)
    app.cleanup_ctx.append(live.pushes_context)
    aiohttp_jinja2.get_env(app).filters["poll_time"] = views.poll_time
    add = app.router.add_route
    add("GET", POLL, views.poll_page, name="polls.poll")
    add("POST", POLL + "/vote", views.vote_form, name="polls.vote")
    add("POST", POLL + "/unvote", views.unvote_form, name="polls.unvote")
    add("POST", POLL + "/close", views.close_form, name="polls.close")
    add("POST", POLL + "/reopen", views.reopen_form, name="polls.reopen")
    add("GET", POLL + "/voters", views.voters_page, name="polls.voters")
    add("GET", POLL + "/export.csv", views.export_csv, name="polls.export")

    route = api.route
    route(app, "GET", "/polls", views.subject_polls_api, summary="The polls of a subject (a forum post)", tag=T,
          query=SubjectQuery, response=PollListOut, auth=False)
    route(app, "GET", POLL, views.poll_api, summary="A poll, with its results if you may see them", tag=T,
          response=PollOut, auth=False)
    route(app, "PUT", POLL + "/vote", views.vote_api, summary="Vote, or change your vote, while the poll is open",
          tag=T, body=VoteIn, response=PollOut)
    route(app, "DELETE", POLL + "/vote", views.unvote_api, summary="Withdraw your vote while the poll is open",
          tag=T, body=None, response=PollOut)
    route(app, "POST", POLL + "/close", views.close_api, summary="Close the poll (its author or a moderator)",
          tag=T, body=None, response=PollOut)
    route(app, "POST", POLL + "/reopen", views.reopen_api, summary="Reopen a closed poll (its author or a moderator)",
          tag=T, body=None, response=PollOut)
    route(app, "GET", POLL + "/voters", views.voters_api, summary="Who chose an option of a public poll", tag=T,
          query=VotersQuery, response=VotersOut)
    route(app, "GET", POLL + "/export", views.export_api, summary="The votes as CSV (moderators)", tag=T,
          response="text/csv")
