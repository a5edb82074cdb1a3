"""Direct messages: one-to-one and group conversations, message requests, live delivery; their
pages, API, socket events, notifications and header badge."""

from __future__ import annotations

from aiohttp import web
import aiohttp_jinja2

from community import api
from community.messages import notices, queries, sockets, storage, views  # noqa: F401 - notices registers kinds
from community.messages.rules import RULES, MessageRules
from community.messages.schemas import (
    DmConversationPage,
    ConversationQuery,
    DmMessageOut,
    DmMessagePage,
    MessagesQuery,
    DmReadOut,
    SendIn,
    StartIn,
)
from community.middlewares import badge_middleware
from community.storage.facts import declare



def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.setdefault(RULES, MessageRules())
    app.middlewares.append(badge_middleware(views.UNREAD, queries.unread_total))
    aiohttp_jinja2.get_env(app).globals["unread_messages"] = lambda request: request.get(views.UNREAD)
    sockets.setup(app)
    add = app.router.add_route
    add("GET", "/messages", views.list_page, name="messages")
    add("POST", "/messages/settings", views.receipts_submit, name="messages_settings")
    add("GET", "/messages/new", views.new_page, name="messages_new")
    add("POST", "/messages/new", views.new_submit, name="messages_start")
    one = "/messages/{conversation_id:[0-9a-f]{24}}"
    add("GET", one, views.conversation_page, name="conversation")
    add("POST", f"{one}/send", views.send_submit, name="conversation_send")
    add("POST", f"{one}/accept", views.accept_submit, name="conversation_accept")
    add("POST", f"{one}/leave", views.leave_submit, name="conversation_leave")
    add("POST", one + "/m/{message_id:[0-9a-f]{24}}/edit", views.edit_submit, name="message_edit")
    add("POST", one + "/m/{message_id:[0-9a-f]{24}}/delete", views.delete_submit, name="message_delete")
    add("POST", one + "/m/{message_id:[0-9a-f]{24}}/report", views.report_submit, name="message_report")
    add("GET", "/admin/message-reports", views.reports_page, name="message_reports")
    add("GET", "/admin/message-reports/{report_id:[0-9a-f]{24}}", views.report_page, name="message_report_view")
    add("POST", "/admin/message-reports/{report_id:[0-9a-f]{24}}/close", views.report_close, name="message_report_close")

    tag = "messages"
    base = "/messages/conversations"
    api.route(app, "GET", base, views.api_list, tag=tag, response=DmConversationPage, query=ConversationQuery,
              summary="Your conversations (or message requests), latest activity first, with unread counts")
    api.route(app, "POST", base, views.api_start, tag=tag, body=StartIn, response=DmMessagePage, status=201,
              summary="Start a conversation with one person (reusing yours with them) or a group, with a first message")
    conversation = base + "/{conversation_id:[0-9a-f]{24}}"
    api.route(app, "GET", f"{conversation}/messages", views.api_messages, tag=tag, response=DmMessagePage,
              query=MessagesQuery, summary="A conversation's messages, newest first (participants only)")
    api.route(app, "POST", f"{conversation}/messages", views.api_send, tag=tag, body=SendIn, response=DmMessageOut,
              status=201, summary="Send a message in a conversation")
    api.route(app, "POST", f"{conversation}/read", views.api_read, tag=tag, body=None, response=DmReadOut,
              summary="Mark a conversation read (others who show read receipts see it)")
    api.route(app, "POST", f"{conversation}/accept", views.api_accept, tag=tag, body=None, response=DmMessagePage,
              summary="Accept a message request")
