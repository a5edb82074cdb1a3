"""The Socket.IO server on the aiohttp application, and the cleanup context that stops it.

Both transports are served: WebSocket, and long-polling for networks whose proxies block
WebSockets (Socket.IO's client starts with polling and upgrades when it can). Behind several
processes polling needs sticky sessions, since a polling session lives in one process
(``deploy/nginx.conf`` hashes the client's address). A socket authenticates itself with the
session cookie or a token when it connects (``community.realtime.sockets``), so its requests
skip the session lookup and the CSRF token (``community.accounts.sessions``, ``community.csrf``).
The Origin of every request is checked by Engine.IO with the same rule as the CSRF check, so
another site's page cannot open a socket with a member's cookie. Every packet a client sends,
in a WebSocket frame or a polling POST, is checked before it is decoded
(``community.realtime.frames``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from community import csrf, keys
from community.config import Settings
from community.logs import Throttled
from community.realtime.emitter import Emitter
from community.realtime.fanout import DirectFanOut, DirectFanOutRedis
from community.realtime.frames import CheckedWebSocket, checked_request
from community.realtime.guard import SocketLimits
from community.realtime.presence import Presence, SharedPresence
from community.realtime.sockets import Handler, RealtimeNamespace

log = logging.getLogger("community.realtime")

REFUSED_REQUESTS = Throttled(log, "socket request refused")


class EngineRefusalFilter(logging.Filter):
    """python-engineio logs a request it refuses (an unknown or closed session, another site's
    Origin, an unknown transport) at ERROR the first time. Any client can cause one, and after a
    process stops every polling client it served sends one to the survivor, so such a record
    becomes a throttled warning; an error with a traceback stays one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or record.exc_info:
            return True
        REFUSED_REQUESTS(detail=record.getMessage()[:200])
        return False

LIMITS: web.AppKey[SocketLimits] = web.AppKey("socket_limits")
PRESENCE: web.AppKey[Presence] = web.AppKey("presence")
NAMESPACE: web.AppKey[RealtimeNamespace] = web.AppKey("realtime_namespace")
HANDLERS: web.AppKey[dict[str, Handler]] = web.AppKey("socket_handlers")
"""The events this app's sockets answer, by name; filled by ``add_handler`` from each ``setup``."""


def add_handler(app: web.Application, event: str, handler: Handler) -> None:
    """Answer ``event`` on this app's sockets with ``handler``. Called from a feature's ``setup``,
    after this module's (``community.app.FEATURES`` lists it before every feature with socket
    events); an event has one handler, and ``connect``/``disconnect`` are the namespace's own."""
    if event in ("connect", "disconnect"):
        raise ValueError(f"{event!r} is answered by the namespace itself")
    handlers = app[HANDLERS]
    if event in handlers:
        raise ValueError(f"socket event {event!r} already has a handler")
    handlers[event] = handler


def _origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
    request: web.Request | None = environ.get("aiohttp.request")
    return request is not None and csrf.origin_allowed(request)


def create_server(settings: Settings, limits: SocketLimits) -> socketio.AsyncServer:
    manager = DirectFanOutRedis(settings.redis_url) if settings.redis_url else DirectFanOut()
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=_origin_allowed,
        max_http_buffer_size=limits.engine_max_bytes,
        logger=False,
        engineio_logger=False,
    )
    # python-engineio takes its WebSocket class and its reading of a request from the async mode's
    # driver table; ours check each packet before Engine.IO decodes it (community.realtime.frames).
    sio.eio._async = {**sio.eio._async, "websocket": CheckedWebSocket,
                      "translate_request": checked_request(sio.eio)}
    if not any(isinstance(existing, EngineRefusalFilter) for existing in sio.eio.logger.filters):
        sio.eio.logger.addFilter(EngineRefusalFilter())
    return sio


async def hang_up(app: web.Application) -> None:
    """When the server stops (SIGTERM), after it has stopped listening: drop every socket's
    connection, so that its client reconnects now, through the proxy to another process, rather
    than when the shutdown time-out cuts it off. Dropped, not closed with Engine.IO's close
    packet, which python-socketio's client takes for being sent away and does not reconnect
    after: each
    session ends (the namespace hears the disconnect), then its WebSocket is closed or its
    waiting long poll answered empty, so that the client's next request finds no session."""
    engine = app[keys.SIO].eio
    for socket in list(engine.sockets.values()):
        await socket.close(wait=False, abort=True, reason=engine.reason.SERVER_DISCONNECT)
        socket.queue.put_nowait(None)


def _redis_readiness(url: str) -> tuple[aioredis.Redis, Callable[[], Awaitable[dict[str, Any]]]]:
    client = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def check() -> dict[str, Any]:
        try:
            await client.ping()
        except (aioredis.RedisError, OSError) as error:
            log.warning("redis not ready", extra={"error": repr(error)})
            return {"name": "realtime", "ok": False}
        return {"name": "realtime", "ok": True}

    return client, check


async def realtime_context(app: web.Application) -> AsyncIterator[None]:
    sio: socketio.AsyncServer = app[keys.SIO]
    redis_client = None
    if isinstance(sio.manager, socketio.AsyncRedisManager):
        # Subscribe at start-up rather than at the first connection (python-socketio's default),
        # so an event another process publishes is never missed by this one's first sockets.
        sio.manager_initialized = True
        sio.manager.initialize()
        redis_client, check = _redis_readiness(sio.manager.redis_url)
        app[keys.READINESS_CHECKS].append(check)
    await app[PRESENCE].start()
    app[NAMESPACE].start(app)
    yield
    await app[NAMESPACE].close()
    await app[PRESENCE].close()
    await sio.shutdown()
    listener = getattr(sio.manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
    if isinstance(sio.manager, socketio.AsyncRedisManager):
        # python-socketio leaves its publishing client and its subscription open at shutdown.
        if sio.manager.pubsub is not None:
            await sio.manager.pubsub.aclose()
        if sio.manager.redis is not None:
            await sio.manager.redis.aclose()
    if redis_client is not None:
        await redis_client.aclose()


def setup(app: web.Application) -> None:
    limits = SocketLimits()
    sio = create_server(app[keys.SETTINGS], limits)
    settings = app[keys.SETTINGS]
    presence = SharedPresence(settings.redis_url) if settings.redis_url else Presence()
    handlers: dict[str, Handler] = {}
    namespace = RealtimeNamespace(presence, limits, handlers)
    sio.register_namespace(namespace)
    sio.attach(app)
    app[HANDLERS] = handlers
    add_handler(app, "join", RealtimeNamespace.join)
    add_handler(app, "leave", RealtimeNamespace.leave)
    add_handler(app, "presence", RealtimeNamespace.present)
    app[NAMESPACE] = namespace
    app[LIMITS] = limits
    app[PRESENCE] = presence
    app[keys.SIO] = sio
    app[keys.EMITTER] = Emitter(sio)
    app.cleanup_ctx.append(realtime_context)
    app.on_shutdown.append(hang_up)
