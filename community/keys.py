"""Every typed key for application and request state, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    import socketio

    from community.accounts.mailer import Mailer
    from community.config import Settings
    from community.policy import Actor
    from community.realtime.emitter import Emitter
    from community.storage.api import Client, Database
    from search.engine import SearchEngine


@dataclass(frozen=True, slots=True)
class NavItem:
    route: str
    label: Any
    """A lazily translated string (``community.i18n.lazy_gettext``)."""
    weight: int = 50
    """Lighter items come first (the user menu puts the person's profile before their account)."""


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SOCKET_PREFIX = "/socket.io/"
"""Where Socket.IO answers (``community.realtime.server``): its requests authenticate themselves."""

PUBLIC_RESOURCES = frozenset({"static"})
"""Routes whose answers are the same for everyone: nobody is signed in for them (a page's every
asset would otherwise look its session up again), and caches may keep them."""


def public_resource(request: web.Request) -> bool:
    resource = request.match_info.route.resource
    return resource is not None and resource.name in PUBLIC_RESOURCES


@dataclass(frozen=True, slots=True)
class HomeSection:
    """A part of the home page that a feature fills: ``load`` gives the template's ``data``,
    or ``None`` when the section has nothing to show this person."""

    template: str
    load: Callable[[web.Request], Awaitable[Any]]
    weight: int = 50


SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
STORAGE_CLIENT: web.AppKey[Client] = web.AppKey("storage_client")
DB: web.AppKey[Database] = web.AppKey("db")
"""The database: ``pymongo.asynchronous.database.AsyncDatabase`` or the embedded engine's equivalent."""
SEARCH: web.AppKey[SearchEngine] = web.AppKey("search")
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
EMITTER: web.AppKey[Emitter] = web.AppKey("emitter")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
NAV: web.AppKey[list[NavItem]] = web.AppKey("nav")
USER_MENU: web.AppKey[list[NavItem]] = web.AppKey("user_menu")
HOME_SECTIONS: web.AppKey[list[HomeSection]] = web.AppKey("home_sections")
"""The signed-in person's menu under their name, in order: each feature adds its own pages."""
"""Header navigation; each feature appends its entry in ``setup``."""
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
"""The time now (aware, UTC) for session expiry, actions, the notifier and the job runner; tests
set their own before the app starts."""
NOTIFIER_WAKE: web.AppKey[Callable[[], None]] = web.AppKey("notifier_wake")
"""Start the notifier's next round now (called after a commit that recorded intents)."""
READINESS_CHECKS: web.AppKey[list[Callable[[], Awaitable[dict[str, Any]]]]] = web.AppKey("readiness_checks")

CSRF_COOKIE: web.RequestKey[str] = web.RequestKey("csrf_cookie")
LOCALE: web.RequestKey[str] = web.RequestKey("locale")
ACTOR: web.RequestKey[Actor] = web.RequestKey("actor")
SESSION_ID: web.RequestKey[str | None] = web.RequestKey("session_id")
CONFIRMATION: web.RequestKey[str] = web.RequestKey("confirmation")
"""What the form that led to this page did, in the reader's language (``community.confirmations``)."""
UNREAD_NOTIFICATIONS: web.RequestKey[int] = web.RequestKey("notifications_unread")
"""The signed-in person's unread notification count, for the header badge on every page (set by
``community.middlewares.badge_middleware``, set up by notifications; lowered when the page shown reads some)."""
