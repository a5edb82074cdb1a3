"""Load shedding: under overload, answer at once with ``503`` and ``Retry-After`` instead of
queueing requests until clients time out (as Discourse and NodeBB do).

Two signals, each with its setting (``community.config``):

- **requests in flight** (``OVERLOAD_MAX_IN_FLIGHT``): requests this process has accepted and
  not yet answered. Past the limit a new one is refused before it reads a session or a body,
  so a refusal costs microseconds and writes nothing.
- **event loop lag** (``OVERLOAD_MAX_LAG_MS``): how late the loop runs a timer, measured by
  :class:`LagMonitor`. A loop that is late is busy with CPU work; more requests would only make
  every answer later. The highest lag of the last second counts, so one slow tick sheds for a
  second (what ``Retry-After: 1`` tells the client) rather than flapping.

Not counted: ``/healthz`` and ``/readyz`` (a load balancer must see an overloaded process as
alive and ready, or it would move its load onto the others and overload them in turn), static
files (nginx serves them in production; here they are a cheap file send), and ``/socket.io/``:
a WebSocket or a long poll stays open for minutes, so counting it would spend the limit on idle
connections; sockets have their own limits (``community.realtime``).
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field

import aiohttp_jinja2
from aiohttp import web

from community import api, keys
from community.i18n import current_locale, gettext as _
from community.middlewares import wants_json

RETRY_AFTER_SECONDS = 1
TICK_SECONDS = 0.05
WINDOW_TICKS = 20
"""The lag that counts is the highest of the last 20 ticks: at least one second of them."""
EXEMPT_PREFIXES = ("/healthz", "/readyz", "/static/", "/socket.io/")


class LagMonitor:
    """Schedules a timer every :data:`TICK_SECONDS` and records how late it fires."""

    def __init__(self) -> None:
        self.recent: collections.deque[float] = collections.deque([0.0], maxlen=WINDOW_TICKS)

    @property
    def lag(self) -> float:
        """Seconds: the worst lateness of the recent ticks."""
        return max(self.recent)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(TICK_SECONDS)
            self.recent.append(max(0.0, loop.time() - started - TICK_SECONDS))


@dataclass(slots=True)
class Shedder:
    max_in_flight: int
    max_lag: float
    """Seconds."""
    monitor: LagMonitor = field(default_factory=LagMonitor)
    in_flight: int = 0

    def overloaded(self) -> bool:
        return self.in_flight >= self.max_in_flight or self.monitor.lag > self.max_lag


SHEDDER: web.AppKey[Shedder] = web.AppKey("shedder", Shedder)


MONITOR_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("lag_monitor", asyncio.Task)


async def start_monitor(app: web.Application) -> None:
    """The last start-up step, so the lag of start-up itself (indexes, templates) is not counted."""
    app[MONITOR_TASK] = asyncio.create_task(app[SHEDDER].monitor.run())


async def stop_monitor(app: web.Application) -> None:
    app[MONITOR_TASK].cancel()


def _refusal(request: web.Request) -> web.Response:
    title, detail = _("Server busy"), _("The server is busy right now. Please try again in a moment.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json(request):
        return api.problem(503, title, detail, "server-busy", headers=headers, instance=request.path)
    page = aiohttp_jinja2.get_env(request.app).get_template("errors/busy.html").render(
        lang=current_locale.get(), title=title, detail=detail, again=_("Try again"), path=request.path_qs)
    return web.Response(status=503, text=page, content_type="text/html", headers=headers)


@web.middleware
async def shedding_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    """Refuse a request while the process is overloaded; count it in flight while it is served.
    Runs after the language is known (the refusal speaks it) and before sessions and CSRF, so a
    refused request reads nothing and writes nothing. The page is rendered without the base
    context, which would read the session."""
    if request.path.startswith(EXEMPT_PREFIXES):
        return await handler(request)
    shedder = request.app[SHEDDER]
    if shedder.overloaded():
        return _refusal(request)
    shedder.in_flight += 1
    try:
        return await handler(request)
    finally:
        shedder.in_flight -= 1


def setup(app: web.Application) -> None:
    """Called last in ``create_app``, after every feature has added its start-up steps."""
    settings = app[keys.SETTINGS]
    app[SHEDDER] = Shedder(max_in_flight=settings.overload_max_in_flight, max_lag=settings.overload_max_lag_ms / 1000)
    app.on_startup.append(start_monitor)
    app.on_cleanup.append(stop_monitor)
