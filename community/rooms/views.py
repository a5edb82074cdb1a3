"""The room page (complete without JavaScript), its forms, and the rooms API. Each handler reads
the request, calls one service or read, and renders, redirects or answers JSON. A form whose
input fails shows the room again with the message next to the field (422)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId

from community import actions, api, csrf, keys
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.polls import results, service as polls_service
from community.polls.schemas import poll_json
from community.polls.service import PollInput
from community.realtime.server import PRESENCE
from community.rooms import attendance, live, polls as room_polls, service
from community.rooms.schemas import HandIn, RoomPollIn
from community.rooms.storage import HANDS, MESSAGES, QUESTIONS, VOTES
from community.rooms.subjects import RoomAccess, socket_room, subject_id_of
from community.requests import actor_of, db_of, form_fields, read_json, see_other
from community.validation import validate

MESSAGES_SHOWN = 200


def _ref(request: web.Request) -> tuple[str, ObjectId]:
    return request.match_info["kind"], subject_id_of(request.match_info["subject_id"])


def _target(request: web.Request, name: str) -> ObjectId:
    return subject_id_of(request.match_info[name])


async def room_view(request: web.Request) -> dict[str, Any]:
    """Everything the page and the API show, for the viewer."""
    db, actor = db_of(request), actor_of(request)
    kind, subject_id = _ref(request)
    found = await service.room_for(db, actor, kind, subject_id, request.app[keys.CLOCK]())
    where = {"kind": found.kind, "subject_id": found.subject_id}
    messages = (await db[MESSAGES].find({**where, "deleted": False}).sort("_id", -1).limit(MESSAGES_SHOWN)
                .to_list(None))[::-1]
    questions = await db[QUESTIONS].find(where).sort([("votes", -1), ("_id", 1)]).to_list(None)
    voted = {row["question_id"] async for row in db[VOTES].find({"user_id": actor.user_id, **where})}
    named = await service.names(db, {row["user_id"] for row in messages + questions})
    shown = [service.message_json(row, named.get(row["user_id"], "")) for row in messages]
    pinned = next((row for row in shown if row["pinned"]), None)
    return {
        "kind": found.kind, "subject_id": str(found.subject_id), "title": found.title, "url": found.url,
        "open": found.is_open, "host": found.is_host, "slow_seconds": await service.slow_seconds(db, found),
        "present": await request.app[PRESENCE].count(found.room), "messages": shown, "pinned": pinned,
        "questions": [service.question_json(row, named.get(row["user_id"], ""), host=found.is_host,
                                            voted=row["_id"] in voted) for row in questions],
        "hands": await service.hands(db, found) if found.is_host else None,
        "hand_raised": await db[HANDS].find_one({**where, "user_id": actor.user_id}) is not None,
        "_access": found,
    }


async def _render(request: web.Request, *, errors: dict[str, str] | None = None, status: int = 200,
                  values: dict[str, str] | None = None, failed: str = "") -> web.Response:
    view = await room_view(request)
    found: RoomAccess = view.pop("_access")
    context = {"room": view, "socket_room": found.room, "csrf_token": csrf.token_for(request),
               "errors": errors or {}, "values": values or {}, "failed": failed,
               "polls": await room_polls.room_polls(db_of(request), actor_of(request), found.kind, found.subject_id,
                                                    request.app[keys.CLOCK]()),
               "attendance": await _attendance(request, found) if found.is_host else []}
    return aiohttp_jinja2.render_template("rooms/room.html", request, context, status=status)


async def _attendance(request: web.Request, found: RoomAccess) -> list[dict[str, Any]]:
    """Hosts' view: each person's present share and whether it counts as attended."""
    now = request.app[keys.CLOCK]()
    report = await attendance.report(db_of(request), found, request.app[keys.SETTINGS].room_attended_share, now=now)
    named = await service.names(db_of(request), set(report))
    rows = [{"user_id": str(person), "name": named.get(person, ""), "percent": round(100 * row.share),
             "attended": row.attended, "corrected": row.corrected} for person, row in report.items()]
    return sorted(rows, key=lambda row: row["name"])


async def room_page(request: web.Request) -> web.Response:
    return await _render(request)


def _back(request: web.Request, anchor: str) -> web.Response:
    kind, subject_id = _ref(request)
    return see_other(f"/rooms/{kind}/{subject_id}#{anchor}")


Form = Callable[[web.Request, dict[str, str]], Awaitable[Any]]


def _form(anchor: str, run: Form) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        fields = await form_fields(request)
        try:
            await run(request, fields)
        except Invalid as error:
            return await _render(request, errors=error.errors, status=422, values=fields, failed=anchor)
        return _back(request, anchor)
    return handler


def _act(request: web.Request, fn: Any, **kwargs: Any) -> Awaitable[Any]:
    kind, subject_id = _ref(request)
    return actions.run(request.app, actor_of(request), fn, kind=kind, subject_id=subject_id, **kwargs)


ask_form = _form("questions", lambda r, f: _act(r, service.ask, data={"body": f.get("body", ""),
                                                                        "anonymous": f.get("anonymous") == "on"}))
async def _upvote(request: web.Request) -> dict[str, Any]:
    question = await _act(request, service.upvote, question_id=_target(request, "question_id"))
    kind, subject_id = _ref(request)
    request.app[live.PUSHES].changed(socket_room(kind, subject_id), question["id"], question["votes"])
    return question


upvote_form = _form("questions", lambda r, f: _upvote(r))
message_form = _form("chat", lambda r, f: _act(r, service.post_message, data={"body": f.get("body", "")}))
hand_form = _form("hands", lambda r, f: _act(r, service.raise_hand, raised=f.get("raised") == "1"))
delete_form = _form("chat", lambda r, f: _act(r, service.delete_message, message_id=_target(r, "message_id")))
pin_form = _form("chat", lambda r, f: _act(r, service.pin_message, message_id=_target(r, "message_id")))
mark_form = _form("questions", lambda r, f: _act(r, service.mark_question, question_id=_target(r, "question_id"),
                                                 data={"state": f.get("state", "")}))
clear_hand_form = _form("hands", lambda r, f: _act(
    r, service.clear_hand, user_id=subject_id_of(f["user_id"]) if f.get("user_id") else None))
mute_form = _form("chat", lambda r, f: _act(r, service.mute, data={"user_id": f.get("user_id", ""),
                                                                   "minutes": f.get("minutes", "")}))
remove_form = _form("chat", lambda r, f: _act(r, service.remove_person, user_id=subject_id_of(f.get("user_id", ""))))
slow_form = _form("chat", lambda r, f: _act(r, service.set_slow_mode, data={"seconds": f.get("seconds", "")}))
async def _create_poll(request: web.Request, data: PollInput) -> dict[str, Any]:
    kind, subject_id = _ref(request)
    return await actions.run(request.app, actor_of(request), polls_service.create, subject_type=kind,
                             subject_id=subject_id, data=data)


poll_form = _form("polls", lambda r, f: _create_poll(r, room_polls.form_input(f)))
attendance_form = _form("attendance", lambda r, f: _act(r, service.correct_attendance, data={
    "user_id": f.get("user_id", ""), "attended": f.get("attended") == "1", "reason": f.get("reason", "")}))


# --- API --------------------------------------------------------------------------------------


async def room_api(request: web.Request) -> web.Response:
    view = await room_view(request)
    view.pop("_access")
    return api.json_response(view)


async def polls_api(request: web.Request) -> web.Response:
    kind, subject_id = _ref(request)
    found = await room_polls.room_polls(db_of(request), actor_of(request), kind, subject_id, request.app[keys.CLOCK]())
    if found is None:
        raise NotFound(_("This room has no polls."))
    return api.json_response({"items": [poll_json(view) for view in found.items]})


async def create_poll_api(request: web.Request) -> web.Response:
    body = validate(RoomPollIn, await read_json(request))
    poll = await _create_poll(request, PollInput(question=body.question, kind=body.type, options=body.options,
                                                 low=body.min, high=body.max, results=body.results,
                                                 public=body.public))
    view = await results.poll_view(db_of(request), actor_of(request), poll["_id"], request.app[keys.CLOCK]())
    return api.json_response({"poll": poll_json(view)}, status=201)


async def ask_api(request: web.Request) -> web.Response:
    question = await _act(request, service.ask, data=await read_json(request))
    return api.json_response({"question": question}, status=201)


async def upvote_api(request: web.Request) -> web.Response:
    return api.json_response({"question": await _upvote(request)})


async def message_api(request: web.Request) -> web.Response:
    message = await _act(request, service.post_message, data=await read_json(request))
    return api.json_response({"message": message}, status=201)


async def hand_api(request: web.Request) -> web.Response:
    raised = validate(HandIn, await read_json(request)).raised
    return api.json_response({"raised": await _act(request, service.raise_hand, raised=raised)})
