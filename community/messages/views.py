"""Direct messages' pages (the list, a conversation, a new conversation) and API."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId

from community import actions, api, confirmations, keys
from community.accounts import people
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.i18n import lazy_gettext
from community.messages import queries, reads, reports, service
from community.messages.rules import RULES, MessageRules
from community.messages.schemas import ConversationQuery, MessagesQuery, SendIn, StartIn
from community.network import lists as network_lists
from community.requests import actor_of, db_of, read_form, read_json, see_other, signed_in, url_for
from community.validation import validate, whole_number

ACCEPTED = confirmations.register("message_request_accepted", lazy_gettext("You accepted the message request."))
LEFT = confirmations.register("conversation_left", lazy_gettext("You are no longer in that conversation."))
RECEIPTS = confirmations.register("read_receipts_saved", lazy_gettext("Your read receipts setting is saved."))
EDITED = confirmations.register("message_edited", lazy_gettext("Your message was changed."))
DELETED = confirmations.register("message_deleted", lazy_gettext("Your message was deleted for everyone."))
REPORTED = confirmations.register("message_reported", lazy_gettext("Thank you: the moderators will look at the message you reported."))
CLOSED = confirmations.register("message_report_closed", lazy_gettext("The report is closed."))


UNREAD: web.RequestKey[int] = web.RequestKey("messages_unread", int)
"""Unread messages for the header's badge (``community.middlewares.badge_middleware``; a conversation page
counts after marking itself read)."""


def rules_of(request: web.Request) -> MessageRules:
    return request.app.get(RULES) or MessageRules()


def _id(request: web.Request, name: str) -> ObjectId:
    found = reads.object_id(request.match_info[name])
    if found is None:
        raise NotFound(_("There is no such conversation."))
    return found


def _conversation_url(request: web.Request, conversation_id: ObjectId) -> str:
    return url_for(request, "conversation", conversation_id=str(conversation_id))


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("messages/list.html")
async def list_page(request: web.Request) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see your messages."))
    asked = api.query(request, ConversationQuery)
    shown = await reads.conversation_list(db_of(request), me.user_id, asked.tab, asked.cursor)
    receipts = (await queries.receipts_on(db_of(request), [me.user_id]))[me.user_id]
    return {"listing": shown, "receipts": receipts}


async def _conversation_context(request: web.Request, conversation_id: ObjectId,
                                errors: dict[str, str] | None = None, body: str = "") -> dict[str, Any]:
    actor = actor_of(request)
    cursor = request.query.get("cursor")
    shown = await reads.conversation_view(db_of(request), actor, conversation_id, cursor, rules_of(request),
                                          request.app[keys.CLOCK]())
    return {"view": shown, "errors": errors or {}, "body": body, "older": cursor is not None,
            "max_length": rules_of(request).max_length}


async def conversation_page(request: web.Request) -> web.Response:
    signed_in(request, _("Sign in to see your messages."))
    conversation_id = _id(request, "conversation_id")
    context = await _conversation_context(request, conversation_id)
    if context["view"]["conversation"]["unread"] and context["view"]["conversation"]["state"] == "active":
        request[UNREAD] = await actions.run(request.app, actor_of(request), service.mark_read, conversation_id)
    return aiohttp_jinja2.render_template("messages/conversation.html", request, context)


async def send_submit(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id = _id(request, "conversation_id")
    form = await read_form(request)
    body = str(form.get("body", ""))
    try:
        message = await actions.run(request.app, actor_of(request), service.send, conversation_id, body)
    except Invalid as error:
        return aiohttp_jinja2.render_template("messages/conversation.html", request,
                                              await _conversation_context(request, conversation_id, error.errors, body),
                                              status=422)
    return see_other(_conversation_url(request, conversation_id) + f"#m-{message['_id']}")


async def edit_submit(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id, message_id = _id(request, "conversation_id"), _id(request, "message_id")
    form = await read_form(request)
    try:
        await actions.run(request.app, actor_of(request), service.edit, conversation_id, message_id,
                          str(form.get("body", "")))
    except Invalid as error:
        errors = {f"edit-{message_id}": message for message in error.errors.values()}
        return aiohttp_jinja2.render_template("messages/conversation.html", request,
                                              await _conversation_context(request, conversation_id, errors), status=422)
    return confirmations.confirmed(request, _conversation_url(request, conversation_id) + f"#m-{message_id}", EDITED)


async def _form_action(request: web.Request, service_call: Any, *args: Any) -> None:
    """A conversation's plain form (CSRF checked by reading it) run as the signed-in person."""
    await read_form(request)
    await actions.run(request.app, actor_of(request), service_call, *args)


async def delete_submit(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id, message_id = _id(request, "conversation_id"), _id(request, "message_id")
    await _form_action(request, service.delete, conversation_id, message_id)
    return confirmations.confirmed(request, _conversation_url(request, conversation_id), DELETED)


async def accept_submit(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id = _id(request, "conversation_id")
    await _form_action(request, service.accept, conversation_id)
    return confirmations.confirmed(request, _conversation_url(request, conversation_id), ACCEPTED)


async def leave_submit(request: web.Request) -> web.Response:
    signed_in(request)
    await _form_action(request, service.leave, _id(request, "conversation_id"))
    return confirmations.confirmed(request, url_for(request, "messages"), LEFT)


async def receipts_submit(request: web.Request) -> web.Response:
    signed_in(request)
    form = await read_form(request)
    await actions.run(request.app, actor_of(request), service.set_read_receipts, form.get("read_receipts") == "on")
    return confirmations.confirmed(request, url_for(request, "messages"), RECEIPTS)


async def _new_context(request: web.Request, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to send messages."))
    db = db_of(request)
    connections = await network_lists.network_list(db, me.user_id, "connections", cursor=None, limit=100)
    choices = [(item["id"], item["name"]) for item in connections["items"] if item["name"]]
    chosen = [reads.object_id(text) for text in values.get("to", [])]
    named = await people.people_by_id(db, [uid for uid in chosen if uid is not None])
    known = {choice[0] for choice in choices}
    extra = [(str(uid), people.shown_name(person)) for uid, person in named.items()
             if str(uid) not in known and people.shown_name(person) and uid != me.user_id]
    return {"choices": extra + choices, "values": values, "errors": errors, "max_length": rules_of(request).max_length,
            "group_size": rules_of(request).group_size}


async def new_page(request: web.Request) -> web.Response:
    values = {"to": request.query.getall("to", []), "body": "", "title": ""}
    return aiohttp_jinja2.render_template("messages/new.html", request, await _new_context(request, values, {}))


async def new_submit(request: web.Request) -> web.Response:
    signed_in(request)
    form = await read_form(request)
    values = {"to": [str(value) for value in form.getall("to", [])], "body": str(form.get("body", "")),
              "title": str(form.get("title", ""))}
    try:
        to = [reads.object_id(text) for text in values["to"]]
        if not to or any(uid is None for uid in to):
            raise Invalid({"to": _("Choose at least one person other than yourself.")})
        conversation_id = await actions.run(request.app, actor_of(request), service.start,
                                            [uid for uid in to if uid is not None], values["body"], values["title"])
    except Invalid as error:
        return aiohttp_jinja2.render_template("messages/new.html", request,
                                              await _new_context(request, values, error.errors), status=422)
    return see_other(_conversation_url(request, conversation_id))


# --- API ------------------------------------------------------------------------------------


async def api_list(request: web.Request) -> web.Response:
    me = signed_in(request)
    asked = api.query(request, ConversationQuery)
    shown = await reads.conversation_list(db_of(request), me.user_id, asked.tab, asked.cursor)
    return api.json_response({key: shown[key] for key in ("items", "counts", "unread", "next")})


async def api_start(request: web.Request) -> web.Response:
    signed_in(request)
    asked = validate(StartIn, await read_json(request))
    conversation_id = await actions.run(request.app, actor_of(request), service.start,
                                        [ObjectId(text) for text in asked.to], asked.body, asked.title)
    return await _api_page(request, conversation_id, None, status=201)


async def _api_page(request: web.Request, conversation_id: ObjectId, cursor: str | None,
                    status: int = 200) -> web.Response:
    shown = await reads.conversation_view(db_of(request), actor_of(request), conversation_id, cursor,
                                          rules_of(request), request.app[keys.CLOCK]())
    return api.json_response({key: shown[key] for key in ("conversation", "items", "read_by", "next")}, status=status)


async def api_messages(request: web.Request) -> web.Response:
    signed_in(request)
    asked = api.query(request, MessagesQuery)
    return await _api_page(request, _id(request, "conversation_id"), asked.cursor)


async def api_send(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id = _id(request, "conversation_id")
    asked = validate(SendIn, await read_json(request))
    message = await actions.run(request.app, actor_of(request), service.send, conversation_id, asked.body)
    names = {message["author_id"]: await people.name_of(db_of(request), message["author_id"])}
    return api.json_response(service.shown_message(message, names, actor_of(request), request.app[keys.CLOCK](),
                                                   rules_of(request)), status=201)


async def api_read(request: web.Request) -> web.Response:
    signed_in(request)
    unread = await actions.run(request.app, actor_of(request), service.mark_read, _id(request, "conversation_id"))
    return api.json_response({"unread": unread})


async def api_accept(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id = _id(request, "conversation_id")
    await actions.run(request.app, actor_of(request), service.accept, conversation_id)
    return await _api_page(request, conversation_id, None)


# --- reports to the moderators -------------------------------------------------------------


async def report_submit(request: web.Request) -> web.Response:
    signed_in(request)
    conversation_id, message_id = _id(request, "conversation_id"), _id(request, "message_id")
    form = await read_form(request)
    context_text = str(form.get("context", "0"))
    context = max(0, whole_number(context_text) or 0)
    note = str(form.get("note", ""))[:500]
    await actions.run(request.app, actor_of(request), reports.report, conversation_id, message_id, context, note)
    return confirmations.confirmed(request, _conversation_url(request, conversation_id) + f"#m-{message_id}", REPORTED)


@aiohttp_jinja2.template("messages/reports.html")
async def reports_page(request: web.Request) -> dict[str, Any]:
    signed_in(request)
    return {"reports": await reports.open_reports(db_of(request), actor_of(request))}


@aiohttp_jinja2.template("messages/report.html")
async def report_page(request: web.Request) -> dict[str, Any]:
    signed_in(request)
    return {"report": await reports.shown_report(db_of(request), actor_of(request), _id(request, "report_id"))}


async def report_close(request: web.Request) -> web.Response:
    signed_in(request)
    report_id = _id(request, "report_id")
    await read_form(request)
    await actions.run(request.app, actor_of(request), reports.close, report_id)
    return confirmations.confirmed(request, url_for(request, "message_reports"), CLOSED)
