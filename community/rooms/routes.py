"""Live rooms: the page and its forms, the API and the socket events (``community.rooms.sockets``).
Subjects (live events) register themselves in ``community.rooms.subjects``."""

from __future__ import annotations

from aiohttp import web

from community import api
from community.rooms import live, sockets, storage, views
from community.polls.schemas import PollListOut
from community.rooms.schemas import (HandAnswer, HandIn, MessageAnswer, MessageIn, QuestionAnswer, QuestionIn,
                                     RoomOut, RoomPollAnswer, RoomPollIn)
from community.storage.facts import declare

T = "rooms"
ROOM = "/rooms/{kind}/{subject_id}"


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    sockets.setup(app)
    app[live.PUSHES] = live.VotePushes(app)
    app.cleanup_ctx.append(live.pushes_context)
    add = app.router.add_route
    add("GET", ROOM, views.room_page, name="rooms.room")
    add("POST", ROOM + "/questions", views.ask_form, name="rooms.ask")
    add("POST", ROOM + "/questions/{question_id}/upvote", views.upvote_form, name="rooms.upvote")
    add("POST", ROOM + "/questions/{question_id}/state", views.mark_form, name="rooms.mark")
    add("POST", ROOM + "/messages", views.message_form, name="rooms.message")
    add("POST", ROOM + "/messages/{message_id}/delete", views.delete_form, name="rooms.delete")
    add("POST", ROOM + "/messages/{message_id}/pin", views.pin_form, name="rooms.pin")
    add("POST", ROOM + "/hand", views.hand_form, name="rooms.hand")
    add("POST", ROOM + "/hands/clear", views.clear_hand_form, name="rooms.clear_hand")
    add("POST", ROOM + "/mute", views.mute_form, name="rooms.mute")
    add("POST", ROOM + "/remove", views.remove_form, name="rooms.remove")
    add("POST", ROOM + "/slow", views.slow_form, name="rooms.slow")
    add("POST", ROOM + "/attendance", views.attendance_form, name="rooms.attendance")
    add("POST", ROOM + "/polls", views.poll_form, name="rooms.poll")

    route = api.route
    route(app, "GET", ROOM, views.room_api, summary="A live room: chat, questions by votes, hands for hosts",
          tag=T, response=RoomOut)
    route(app, "GET", ROOM + "/polls", views.polls_api, summary="A live room's polls, newest first", tag=T,
          response=PollListOut)
    route(app, "POST", ROOM + "/polls", views.create_poll_api,
          summary="Add a poll to a live room (its hosts, while it is open)", tag=T, body=RoomPollIn,
          response=RoomPollAnswer, status=201)
    route(app, "POST", ROOM + "/questions", views.ask_api, summary="Ask a question while the room is open", tag=T,
          body=QuestionIn, response=QuestionAnswer, status=201)
    route(app, "POST", ROOM + "/questions/{question_id}/upvote", views.upvote_api,
          summary="Upvote a question (once)", tag=T, body=None, response=QuestionAnswer)
    route(app, "POST", ROOM + "/messages", views.message_api, summary="Post a chat message while the room is open",
          tag=T, body=MessageIn, response=MessageAnswer, status=201)
    route(app, "PUT", ROOM + "/hand", views.hand_api, summary="Raise or lower your hand", tag=T, body=HandIn,
          response=HandAnswer)
