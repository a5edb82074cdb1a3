"""Poll pages and the polls API: each handler reads the request, calls one service or read, and
renders, redirects or answers JSON. A vote that commits is followed by a live push
(``community.polls.live``); closing and reopening send their own event from inside the action.

A form that fails (no choice, too many) shows the poll again with the message next to it (422).
A fetch from ``static/js/polls.js`` (header ``HX-Request: true``) gets the poll's fragment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from babel.dates import format_datetime

from community import actions, api, confirmations, csrf, keys
from community.errors import Invalid
from community.i18n import current_locale, gettext as _, lazy_gettext
from community.polls import live, results, service
from community.polls.schemas import SubjectQuery, VoteIn, VotersQuery, poll_json, voter_json
from community.polls.service import poll_id_of
from community.polls.subjects import Access, access
from community.requests import actor_of, db_of, local_target, read_form, read_json
from community.timezones import IST
from community.validation import validate

VOTERS_SHOWN = 50


def poll_time(value: datetime) -> str:
    """A closing time in Indian Standard Time, in the reader's language: ``31 Dec 2026, 18:00 IST``."""
    local = value.replace(tzinfo=value.tzinfo or UTC).astimezone(IST)
    return format_datetime(local, "d MMM y, HH:mm", locale=current_locale.get()) + " IST"


def _poll_id(request: web.Request) -> Any:
    return poll_id_of(request.match_info["poll_id"])


def _now(request: web.Request) -> Any:
    return request.app[keys.CLOCK]()


async def _vote(request: web.Request, choices: list[int]) -> tuple[dict[str, Any], Access]:
    poll, found = await actions.run(request.app, actor_of(request), service.vote, poll_id=_poll_id(request),
                                    choices=choices)
    live.changed(request.app, poll["_id"], found.room)
    return poll, found


async def _unvote(request: web.Request) -> tuple[dict[str, Any], Access]:
    poll, found = await actions.run(request.app, actor_of(request), service.unvote, poll_id=_poll_id(request))
    live.changed(request.app, poll["_id"], found.room)
    return poll, found


# --- pages ----------------------------------------------------------------------------------


async def _render(request: web.Request, *, errors: dict[str, str] | None = None, status: int = 200) -> web.Response:
    view = await results.poll_view(db_of(request), actor_of(request), _poll_id(request), _now(request))
    token = csrf.token_for(request) if keys.CSRF_COOKIE in request else ""
    context = {"poll": view, "csrf_token": token, "back": view.url, "errors": errors or {}}
    if request.headers.get("HX-Request") == "true":
        return aiohttp_jinja2.render_template("polls/partials/poll.html", request, context, status=status)
    return aiohttp_jinja2.render_template("polls/poll.html", request, context, status=status)


async def poll_page(request: web.Request) -> web.Response:
    return await _render(request)


async def _choices(request: web.Request) -> list[int]:
    form = await read_form(request)
    raw = [value for value in form.getall("choice", []) if isinstance(value, str)]
    if not raw:
        raise Invalid({"choices": _("Choose an option first.")})
    if any(not (value.isascii() and value.isdigit() and len(value) <= 3) for value in raw):
        raise Invalid({"choices": _("That option does not exist in this poll.")})
    return [int(value) for value in raw]


async def _back(request: web.Request) -> str:
    form = await read_form(request)
    view = await results.poll_view(db_of(request), actor_of(request), _poll_id(request), _now(request))
    return local_target(form.get("next"), view.url)


VOTED = confirmations.register("poll_voted", lazy_gettext("Your vote was recorded."))
UNVOTED = confirmations.register("poll_unvoted", lazy_gettext("Your vote was withdrawn."))
CLOSED = confirmations.register("poll_closed", lazy_gettext("The poll is closed."))
REOPENED = confirmations.register("poll_reopened", lazy_gettext("The poll is open again."))


async def _form_action(request: web.Request, act: Callable[[], Awaitable[Any]], done: str) -> web.Response:
    try:
        await act()
    except Invalid as error:
        return await _render(request, errors=error.errors, status=422)
    return confirmations.confirmed(request, f"{await _back(request)}#poll-{request.match_info['poll_id']}", done)


async def vote_form(request: web.Request) -> web.Response:
    async def act() -> None:
        await _vote(request, await _choices(request))
    return await _form_action(request, act, VOTED)


async def unvote_form(request: web.Request) -> web.Response:
    return await _form_action(request, lambda: _unvote(request), UNVOTED)


async def close_form(request: web.Request) -> web.Response:
    return await _form_action(request, lambda: actions.run(request.app, actor_of(request), service.close,
                                                           poll_id=_poll_id(request)), CLOSED)


async def reopen_form(request: web.Request) -> web.Response:
    return await _form_action(request, lambda: actions.run(request.app, actor_of(request), service.reopen,
                                                           poll_id=_poll_id(request)), REOPENED)


async def voters_page(request: web.Request) -> web.Response:
    query = api.query(request, VotersQuery)
    view, shown = await results.voters(db_of(request), actor_of(request), _poll_id(request), query.option,
                                       limit=VOTERS_SHOWN, now=_now(request))
    return aiohttp_jinja2.render_template("polls/voters.html", request, {
        "poll": view, "option": view.options[query.option], "voters": shown})


async def export_csv(request: web.Request) -> web.Response:
    poll, text = await results.export_csv(db_of(request), actor_of(request), _poll_id(request))
    return web.Response(text=text, content_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="poll-{poll["_id"]}.csv"'})


# --- API ------------------------------------------------------------------------------------


async def _answer(request: web.Request) -> web.Response:
    view = await results.poll_view(db_of(request), actor_of(request), _poll_id(request), _now(request))
    return api.json_response(poll_json(view))


async def poll_api(request: web.Request) -> web.Response:
    return await _answer(request)


async def subject_polls_api(request: web.Request) -> web.Response:
    query = api.query(request, SubjectQuery)
    db, actor = db_of(request), actor_of(request)
    subject_id = poll_id_of(query.subject_id)
    found = await access(db, actor, query.subject_type, subject_id)
    views = await results.subject_polls(db, actor, query.subject_type, subject_id, found, _now(request))
    return api.json_response({"items": [poll_json(view) for view in views.values()]})


async def _answer_after(request: web.Request, poll: dict[str, Any], found: Access, chosen: list[int]) -> web.Response:
    """The poll as the voter now sees it: a vote changes only its counts, so the poll and the
    access the vote was checked with still hold, and the voter's choices are those just written."""
    views = await results.views_of(db_of(request), actor_of(request), [poll], found, _now(request),
                                   mine={poll["_id"]: chosen})
    return api.json_response(poll_json(views[poll["_id"]]))


async def vote_api(request: web.Request) -> web.Response:
    body = validate(VoteIn, await read_json(request))
    poll, found = await _vote(request, body.choices)
    return await _answer_after(request, poll, found, body.choices)


async def unvote_api(request: web.Request) -> web.Response:
    return await _answer_after(request, *await _unvote(request), [])


async def close_api(request: web.Request) -> web.Response:
    await actions.run(request.app, actor_of(request), service.close, poll_id=_poll_id(request))
    return await _answer(request)


async def reopen_api(request: web.Request) -> web.Response:
    await actions.run(request.app, actor_of(request), service.reopen, poll_id=_poll_id(request))
    return await _answer(request)


async def voters_api(request: web.Request) -> web.Response:
    query = api.query(request, VotersQuery)
    view, shown = await results.voters(db_of(request), actor_of(request), _poll_id(request), query.option,
                                       limit=query.limit, now=_now(request))
    return api.json_response({"poll": poll_json(view), "option": query.option,
                              "items": [voter_json(voter) for voter in shown]})


async def export_api(request: web.Request) -> web.Response:
    return await export_csv(request)
