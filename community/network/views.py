"""The network's pages (lists, people you may know, and the forms behind the profile page's
buttons) and its API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import actions, api, confirmations
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.i18n import lazy_gettext
from community.network import connections, lists, suggestions
from community.network.queries import LIST_NAMES, ListName
from community.network.schemas import ConnectionRequestIn, ListQuery
from community.profiles.views import person_page_with_errors
from community.requests import actor_of, db_of, read_form, read_json, signed_in, url_for
from community.validation import form_values, validate


def person_of(request: web.Request) -> ObjectId:
    try:
        return ObjectId(request.match_info["user_id"])
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such member.")) from None


def list_of(request: web.Request) -> ListName:
    name = request.match_info["which"]
    for known in LIST_NAMES:
        if known == name:
            return known
    raise NotFound(_("There is no such list."))


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("network/lists.html")
async def lists_page(request: web.Request) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see your network."))
    which = list_of(request)
    shown = await lists.network_list(db_of(request), me.user_id, which, cursor=request.query.get("cursor"))
    more = url_for(request, "network_list", which=which) + "?" + urlencode({"cursor": shown["next"]}) if shown["next"] else None
    return {"network": shown, "names": LIST_NAMES, "more_url": more}


@aiohttp_jinja2.template("network/suggestions.html")
async def suggestions_page(request: web.Request) -> dict[str, Any]:
    signed_in(request, _("Sign in to see people you may know."))
    return {"suggestions": await suggestions.people_you_may_know(db_of(request), actor_of(request)),
            "back": "suggestions"}


async def dismiss_submit(request: web.Request) -> web.Response:
    person_id = person_of(request)
    form = await read_form(request)
    await actions.run(request.app, actor_of(request), suggestions.dismiss, person_id)
    return _back(request, form, person_id, "dismiss")


Service = Callable[[Action, ObjectId], Awaitable[Any]]

FORM_ACTIONS: dict[str, Service] = {
    "accept": connections.accept,
    "decline": connections.decline,
    "withdraw": connections.withdraw,
    "remove": connections.remove,
    "follow": lambda tx, person_id: connections.set_following(tx, person_id, True),
    "unfollow": lambda tx, person_id: connections.set_following(tx, person_id, False),
    "block": lambda tx, person_id: connections.set_blocked(tx, person_id, True),
    "unblock": lambda tx, person_id: connections.set_blocked(tx, person_id, False),
}
"""The profile page's buttons other than Connect, each a form posting to its own address."""

CONNECTED = confirmations.register("connection_made", lazy_gettext("You are now connected."))
DONE = {
    "sent": confirmations.register("connection_sent", lazy_gettext("Your request to connect was sent.")),
    "connected": CONNECTED,
    "accept": CONNECTED,
    "decline": confirmations.register("connection_declined", lazy_gettext("The request was declined.")),
    "withdraw": confirmations.register("connection_withdrawn", lazy_gettext("Your request was withdrawn.")),
    "remove": confirmations.register("connection_removed", lazy_gettext("You are no longer connected.")),
    "follow": confirmations.register("person_followed", lazy_gettext("You follow this member: their new threads reach you.")),
    "unfollow": confirmations.register("person_unfollowed", lazy_gettext("You no longer follow this member.")),
    "block": confirmations.register("person_blocked", lazy_gettext("You blocked this member.")),
    "unblock": confirmations.register("person_unblocked", lazy_gettext("You no longer block this member.")),
    "dismiss": confirmations.register("person_suggestion_dismissed",
                                      lazy_gettext("Dismissed: this member will not be suggested to you again.")),
}
"""What each button did, said on the page it leads back to."""


SUGGESTION_PAGES = {"suggestions": "network_suggestions", "network": "network"}
"""The pages showing people you may know, whose buttons lead back to them."""


def _back(request: web.Request, form: Any, person_id: ObjectId, done: str) -> web.Response:
    """Back to the list or suggestions the button was on, or to the person's profile, saying what was ``done``."""
    back = str(form.get("back", ""))
    if back in SUGGESTION_PAGES:
        return confirmations.confirmed(request, url_for(request, SUGGESTION_PAGES[back]), DONE[done])
    if back in LIST_NAMES:
        return confirmations.confirmed(request, url_for(request, "network_list", which=back), DONE[done])
    return confirmations.confirmed(request, url_for(request, "person", user_id=str(person_id)) + "#network", DONE[done])


async def connect_submit(request: web.Request) -> web.Response:
    person_id = person_of(request)
    form = await read_form(request)
    try:
        asked = validate(ConnectionRequestIn, form_values(ConnectionRequestIn, {"note": form.get("note", "")}))
        state = await actions.run_once_more_after_a_conflict(request.app, actor_of(request),
                                                             connections.request_connection, person_id, asked)
    except Invalid as error:
        return await person_page_with_errors(request, {f"connect.{field}": message
                                                       for field, message in error.errors.items()})
    return _back(request, form, person_id, state)


async def action_submit(request: web.Request) -> web.Response:
    person_id = person_of(request)
    service = FORM_ACTIONS.get(request.match_info["action"])
    if service is None:
        raise NotFound(_("There is no such action."))
    form = await read_form(request)
    await actions.run(request.app, actor_of(request), service, person_id)
    return _back(request, form, person_id, request.match_info["action"])


# --- API ------------------------------------------------------------------------------------


async def _relation(request: web.Request, person_id: ObjectId) -> web.Response:
    return api.json_response(await connections.relation(db_of(request), actor_of(request), person_id))


async def api_list(request: web.Request) -> web.Response:
    me = signed_in(request)
    asked = api.query(request, ListQuery)
    return api.json_response(await lists.network_list(db_of(request), me.user_id, list_of(request),
                                                      cursor=asked.cursor, limit=asked.limit))


async def api_suggestions(request: web.Request) -> web.Response:
    signed_in(request, _("Sign in to see people you may know."))
    found = await suggestions.people_you_may_know(db_of(request), actor_of(request))
    return api.json_response({"items": [{"id": str(item.person_id), "name": item.name, "designation": item.designation,
                                         "reasons": item.reasons} for item in found]})


async def api_dismiss_suggestion(request: web.Request) -> web.Response:
    person_id = person_of(request)
    await actions.run(request.app, actor_of(request), suggestions.dismiss, person_id)
    return api.json_response({"id": str(person_id), "dismissed": True}, status=201)


async def api_relation(request: web.Request) -> web.Response:
    signed_in(request)
    return await _relation(request, person_of(request))


async def api_connect(request: web.Request) -> web.Response:
    person_id = person_of(request)
    asked = validate(ConnectionRequestIn, await read_json(request, optional=True))
    await actions.run_once_more_after_a_conflict(request.app, actor_of(request), connections.request_connection,
                                                 person_id, asked)
    return await _relation(request, person_id)


def _api_action(service: Service) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        person_id = person_of(request)
        await actions.run(request.app, actor_of(request), service, person_id)
        return await _relation(request, person_id)
    return handler


api_accept = _api_action(connections.accept)
api_decline = _api_action(connections.decline)
api_disconnect = _api_action(connections.disconnect)
api_follow = _api_action(FORM_ACTIONS["follow"])
api_unfollow = _api_action(FORM_ACTIONS["unfollow"])
api_block = _api_action(FORM_ACTIONS["block"])
api_unblock = _api_action(FORM_ACTIONS["unblock"])
