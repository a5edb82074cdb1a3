"""The network: connections, follows and blocks between people; its pages, API and notifications."""

from __future__ import annotations

from aiohttp import web

from community import api, keys
from community.network import storage, views
from community.network.rules import RULES, rules_from
from community.network.schemas import (ConnectionRequestIn, ListQuery, NetworkListOut, RelationOut,
                                      SuggestionDismissalOut, SuggestionsOut)
from community.storage.facts import declare

def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app[RULES] = rules_from(app[keys.SETTINGS])
    add = app.router.add_route
    add("GET", "/network/lists/{which}", views.lists_page, name="network_list")
    add("GET", "/network/suggestions", views.suggestions_page, name="network_suggestions")
    add("POST", "/network/suggestions/{user_id}/dismiss", views.dismiss_submit, name="network_suggestion_dismiss")
    add("POST", "/people/{user_id}/network/connect", views.connect_submit, name="network_connect")
    add("POST", "/people/{user_id}/network/{action}", views.action_submit, name="network_action")

    tag = "network"
    person = "/network/people/{user_id}"
    api.route(app, "GET", "/network/lists/{which}", views.api_list, tag=tag, response=NetworkListOut, query=ListQuery,
              summary="One of your lists (connections, received, sent, followers, following, blocked) and every list's count")
    api.route(app, "GET", "/network/suggestions", views.api_suggestions, tag=tag, response=SuggestionsOut,
              summary="People you may know, each with why: shared connections and threads, organisation, state")
    api.route(app, "POST", "/network/suggestions/{user_id}/dismissal", views.api_dismiss_suggestion, tag=tag,
              body=None, response=SuggestionDismissalOut, status=201,
              summary="Dismiss a suggestion of people you may know: that member is not suggested to you again")
    api.route(app, "GET", person, views.api_relation, summary="Where you stand with a member", tag=tag,
              response=RelationOut)
    api.route(app, "POST", f"{person}/connection", views.api_connect, tag=tag, body=ConnectionRequestIn,
              response=RelationOut, summary="Ask a member to connect (or accept, if they had asked you)")
    api.route(app, "POST", f"{person}/connection/accept", views.api_accept, summary="Accept a member's request",
              tag=tag, body=None, response=RelationOut)
    api.route(app, "POST", f"{person}/connection/decline", views.api_decline, summary="Decline a member's request",
              tag=tag, body=None, response=RelationOut)
    api.route(app, "DELETE", f"{person}/connection", views.api_disconnect, tag=tag, response=RelationOut,
              summary="Withdraw your request to a member, or end your connection")
    api.route(app, "PUT", f"{person}/follow", views.api_follow, summary="Follow a member", tag=tag, body=None,
              response=RelationOut)
    api.route(app, "DELETE", f"{person}/follow", views.api_unfollow, summary="Stop following a member", tag=tag,
              response=RelationOut)
    api.route(app, "PUT", f"{person}/block", views.api_block, tag=tag, body=None, response=RelationOut,
              summary="Block a member: ends your connection and follows; they cannot ask, follow, mention or endorse you")
    api.route(app, "DELETE", f"{person}/block", views.api_unblock, summary="Lift a block", tag=tag,
              response=RelationOut)
