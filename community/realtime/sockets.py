"""The default namespace: who may connect, which rooms they may join, and who is present.

A socket joins its person's room and its session's room (``sessions.socket_room``), so ending
the session or signing out everywhere disconnects it; a socket whose session runs out meanwhile
(idle or absolute) is disconnected by :meth:`RealtimeNamespace.close_expired`.

Every event except ``connect`` and ``disconnect`` passes through :meth:`trigger_event`, which
applies the connection's limits, validates the payload like HTTP input, runs the handler and
turns a domain error into an acknowledgement. The handlers are the app's own
(``community.realtime.server.add_handler``, called from each feature's ``setup``), so two apps in
one process answer only the events they registered. Per-connection state lives in the Socket.IO
session: the actor, how they signed in, their guard, and the rooms they joined.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import socketio
from aiohttp import web
from bson import ObjectId

from community import keys, policy
from community.accounts import sessions
from community.errors import DomainError, Invalid, NotFound, Unauthenticated
from community.i18n import LANGUAGE_COOKIE, N_, current_locale, gettext as _, negotiate
from community.policy import Actor, Member
from community.realtime import acks, queries
from community.realtime.emitter import user_room
from community.realtime.guard import ConnectionGuard, SocketLimits
from community.realtime.presence import Presence
from community.realtime.schemas import RoomRequest
from community.storage.api import Database
from community.validation import validate

log = logging.getLogger("community.realtime")

PRESENCE_ROOM_KINDS = frozenset({"event", "room"})
"""Rooms whose members are told when the number of people present changes."""
PRESENCE_INTERVAL_SECONDS = 1.0
"""At most one presence announcement per room per interval: when thousands join a live event
at once, telling everyone of every arrival would be quadratic traffic."""


EXPIRY_CHECK_SECONDS = 1.0
"""How often sockets whose sign-in may have run out (idle or absolute) are looked at."""


Handler = Callable[["RealtimeNamespace", str, dict[str, Any], dict[str, Any]], Awaitable[dict[str, Any]]]
PresenceHook = Callable[[dict[str, Any], str, Actor], Awaitable[None]]
"""``hook(session, room, actor)``: called when a person's first socket enters a room (``arrived``)
or their last leaves it, disconnects included (``gone``); a feature's attendance record."""
"""``handler(namespace, sid, session, data)`` answers one event: ``data`` is the JSON object the
client sent, and the dict it returns is the acknowledgement's body."""


def credential_of(request: web.Request, auth: Any) -> sessions.Credential | None:
    """A token given in the connect packet wins over the cookie, and is never mixed with it."""
    if isinstance(auth, dict) and "token" in auth:
        token = auth["token"]
        return ("token", token) if isinstance(token, str) and token else None
    bearer = sessions.bearer_of(request)
    if bearer:
        return ("token", bearer)
    cookie = request.cookies.get(sessions.SESSION_COOKIE)
    return ("cookie", cookie) if cookie else None


class RealtimeNamespace(socketio.AsyncNamespace):
    clock: Callable[[], datetime]
    idle: timedelta

    def __init__(self, presence: Presence, limits: SocketLimits, handlers: Mapping[str, Handler]) -> None:
        super().__init__("/")
        self.presence = presence
        self.limits = limits
        self.handlers = handlers
        self.arrived_hooks: list[PresenceHook] = []
        self.gone_hooks: list[PresenceHook] = []
        self._announced: dict[str, float] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._ends: dict[str, datetime] = {}
        self._deadlines: list[tuple[datetime, int, str]] = []
        self._order = itertools.count()
        self._expiry: asyncio.Task[None] | None = None

    def start(self, app: web.Application) -> None:
        """Read the clock and the idle limit, and start closing sockets whose sign-in has run out."""
        self.clock = app[keys.CLOCK]
        self.idle = sessions.idle_limit(app[keys.SETTINGS])
        self._expiry = asyncio.create_task(self._close_expired_forever())

    async def close(self) -> None:
        """Cancel announcements still waiting and the expiry checks (called when the server stops)."""
        tasks = [*self._pending.values(), *([self._expiry] if self._expiry else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _signed_in(self, db: Database, credential: sessions.Credential | None) -> sessions.SignedIn | None:
        if credential is None:
            return None
        return await sessions.signed_in(db, credential, now=self.clock(), idle=self.idle)

    def _watch(self, sid: str, ends_at: datetime) -> None:
        self._ends[sid] = ends_at
        heapq.heappush(self._deadlines, (ends_at, next(self._order), sid))

    async def _close_expired_forever(self) -> None:
        while True:
            await asyncio.sleep(EXPIRY_CHECK_SECONDS)
            try:
                await self.close_expired()
            except Exception:
                log.exception("socket expiry check failed")

    async def close_expired(self) -> None:
        """Disconnect every socket whose session or token has run out by now; a session that was
        used meanwhile (its idle limit moved on) is watched until its new end."""
        now = self.clock()
        while self._deadlines and self._deadlines[0][0] <= now:
            ends_at, _order, sid = heapq.heappop(self._deadlines)
            if self._ends.get(sid) != ends_at:  # disconnected, or watched until a later end
                continue
            session = await self.get_session(sid)
            found = await self._signed_in(session["db"], session["credential"])
            if found is not None and found.ends_at > now:
                self._watch(sid, found.ends_at)
                continue
            del self._ends[sid]
            await self._refuse(sid, Unauthenticated(N_("Please sign in to continue.")))

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        request: web.Request = environ["aiohttp.request"]
        credential = credential_of(request, auth)
        found = await self._signed_in(request.app[keys.DB], credential)
        actor = sessions.actor_for_user(found.user if found is not None else None)
        if found is None or credential is None or not isinstance(actor, Member):
            raise socketio.exceptions.ConnectionRefusedError({"message": _("Please sign in to continue.")})
        await self.save_session(sid, {
            "actor": actor,
            "app": request.app,
            "credential": credential,
            "db": request.app[keys.DB],
            "guard": ConnectionGuard(self.limits),
            "locale": negotiate(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language")),
            "rooms": set(),
        })
        await self.enter_room(sid, user_room(actor.user_id))
        await self.enter_room(sid, sessions.socket_room(credential[1]))
        self._watch(sid, found.ends_at)

    async def on_disconnect(self, sid: str, reason: str = "") -> None:
        self._ends.pop(sid, None)
        session = await self.get_session(sid)
        actor: Actor | None = session.get("actor")
        if actor is None:
            return
        for room in list(session["rooms"]):
            await self._left(room, actor, session)
        session["rooms"].clear()

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid, payload = args[0], args[1:]
        session = await self.get_session(sid)
        if "guard" not in session:  # a packet racing a refused or closing connection
            return None
        token = current_locale.set(session.get("locale", "en"))
        try:
            handler = self.handlers.get(event)
            session["guard"].admit(payload)
            if handler is None:
                raise Invalid({"event": N_("This kind of message is not understood.")})
            if len(payload) != 1 or not isinstance(payload[0], dict):
                raise Invalid({"data": N_("Send a JSON object.")})
            return acks.ok(**await handler(self, sid, session, payload[0]))
        except DomainError as error:
            if isinstance(error, Unauthenticated) or session["guard"].strike():
                await self._refuse(sid, error)
                return None
            return acks.refused(error)
        finally:
            current_locale.reset(token)

    async def _refuse(self, sid: str, error: DomainError) -> None:
        """End a connection that is signed out or keeps breaking the limits, saying why first."""
        log.warning("socket disconnected", extra={"reason": error.type_slug})
        problem = acks.refused(error)["error"]
        if not isinstance(error, Unauthenticated):
            problem["detail"] = _("Too many refused messages; this connection was closed.")
        await self.emit("refused", problem, to=sid)
        await self.disconnect(sid)

    async def fresh_actor(self, session: dict[str, Any]) -> Actor:
        """Re-read who is connected before granting a room: a session may have ended since connect."""
        found = await self._signed_in(session["db"], session["credential"])
        actor = sessions.actor_for_user(found.user if found is not None else None)
        if not actor.is_authenticated:
            raise Unauthenticated(N_("Please sign in to continue."))
        session["actor"] = actor
        return actor

    async def join(self, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        room = validate(RoomRequest, data).room
        actor = await self.fresh_actor(session)
        kind, ident = room.split(":", 1)
        resource = await queries.room_resource(session["db"], kind, ObjectId(ident))
        if resource is None or not policy.can_join_room(actor, kind, resource):
            raise NotFound(N_("We could not find that room."))
        return {"room": room, "present": await self.admit(sid, session, room, actor)}

    async def admit(self, sid: str, session: dict[str, Any], room: str, actor: Actor) -> int:
        """Put the socket in ``room`` (once), counted present; the room's count. The caller has
        asked the policy module."""
        if room not in session["rooms"]:
            await self.enter_room(sid, room)
            session["rooms"].add(room)
            if await self.presence.enter(room, str(actor.user_id)):
                for hook in self.arrived_hooks:
                    await hook(session, room, actor)
                await self._announce(room)
        return await self.presence.count(room)

    async def leave(self, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        room = validate(RoomRequest, data).room
        await self.depart(sid, session, room)
        return {"room": room}

    async def depart(self, sid: str, session: dict[str, Any], room: str) -> None:
        """Take the socket out of ``room`` if it is there, counted gone when it was the person's last."""
        if room in session["rooms"]:
            await self.leave_room(sid, room)
            session["rooms"].discard(room)
            await self._left(room, session["actor"], session)

    async def remove_here(self, person_room: str, room: str) -> None:
        """Take this process's sockets in ``person_room`` out of ``room`` and the rooms within it
        (``<room>:hosts``), counted gone, and tell each one that was in (``room:removed``), so its
        page says so; the socket stays connected, in every other room. Called by the client manager
        (``community.realtime.fanout``), on every process."""
        for sid, _eio_sid in list(self.server.manager.get_participants(self.namespace, person_room)):
            inside = [name for name in self.rooms(sid) if name == room or name.startswith(room + ":")]
            if not inside or not self.server.manager.is_connected(sid, self.namespace):
                continue
            session = await self.get_session(sid)
            for name in inside:
                if name in session["rooms"]:
                    await self.depart(sid, session, name)
                else:
                    await self.leave_room(sid, name)
            await self.emit("room:removed", {"room": room}, to=sid)

    async def present(self, sid: str, session: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        room = validate(RoomRequest, data).room
        if room not in session["rooms"]:
            raise NotFound(N_("Join the room first."))
        return {"room": room, "present": await self.presence.count(room)}

    async def _left(self, room: str, actor: Actor, session: dict[str, Any]) -> None:
        if await self.presence.leave(room, str(actor.user_id)):
            for hook in self.gone_hooks:
                try:
                    await hook(session, room, actor)
                except Exception:  # a disconnect must finish whatever a feature's record does
                    log.exception("presence hook failed", extra={"room_kind": room.partition(":")[0]})
            await self._announce(room)

    async def _announce(self, room: str) -> None:
        """Tell the room how many people are present: now if the last announcement is older than
        the interval, else once at the end of it (with the count as it is then)."""
        if room.split(":", 1)[0] not in PRESENCE_ROOM_KINDS or room in self._pending:
            return
        wait = self._announced.get(room, -PRESENCE_INTERVAL_SECONDS) + PRESENCE_INTERVAL_SECONDS - time.monotonic()
        if wait <= 0:
            await self._send_presence(room)
        else:
            self._pending[room] = asyncio.create_task(self._send_presence(room, after=wait))

    async def _send_presence(self, room: str, after: float = 0) -> None:
        if after:
            await asyncio.sleep(after)
            del self._pending[room]
        count = await self.presence.count(room, fresh=True)  # never raises: falls back to this process's count
        if count:
            self._announced[room] = time.monotonic()
        else:
            self._announced.pop(room, None)
        await self.emit("presence", {"room": room, "present": count}, room=room)

