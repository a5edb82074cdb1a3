from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import api, background, keys
from community.i18n import lazy_gettext
from community.notifications import digest  # also registers the digest's recurring job
from community.notifications import intents, queries, storage, views
from community.notifications.notifier import Notifier
from community.notifications.schemas import ChangedOut, NotificationPage, NotificationQuery, PreferencesIn, UnreadOut
from community.middlewares import badge_middleware
from community.storage.facts import declare
from community.requests import add_form_page



NOTIFIER: web.AppKey[Notifier] = web.AppKey("notifier", Notifier)


async def notifier_context(app: web.Application) -> AsyncIterator[None]:
    """Run the notifier in the background for the app's lifetime (after storage and sockets)."""
    notifier = Notifier(app[keys.DB], app.get(keys.EMITTER), app[keys.CLOCK],
                        lease=timedelta(seconds=app[keys.SETTINGS].lease_seconds))
    app[NOTIFIER] = notifier
    app[keys.NOTIFIER_WAKE] = notifier.wake
    async with background.running(notifier.run(), name="notifier"):
        yield


def readiness(app: web.Application) -> Any:
    async def check() -> dict[str, Any]:
        limit = app[keys.SETTINGS].overdue_seconds
        behind = await intents.overdue(app[keys.DB], app[keys.CLOCK](), limit)
        return {"name": "notifications", "ok": behind.overdue == 0, "pending": behind.pending,
                "overdue": behind.overdue, "oldest_seconds": round(behind.oldest_seconds, 1)}
    return check


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app[digest.DIGEST_SECTIONS] = []
    app.middlewares.append(badge_middleware(keys.UNREAD_NOTIFICATIONS, queries.unread_count))
    app[keys.HOME_SECTIONS].append(keys.HomeSection("notifications/partials/home.html", views.home_section, weight=10))
    app[keys.USER_MENU].append(keys.NavItem("notification_preferences", lazy_gettext("Notification preferences"),
                                            weight=40))
    app.cleanup_ctx.append(notifier_context)
    app[keys.READINESS_CHECKS].append(readiness(app))
    aiohttp_jinja2.get_env(app).globals["unread_notifications"] = lambda request: request.get(keys.UNREAD_NOTIFICATIONS)
    router = app.router
    router.add_get("/notifications", views.list_page, name="notifications")
    router.add_post("/notifications/read-all", views.mark_all_read_form, name="notifications_read_all")
    add_form_page(router, "/notifications/preferences", views.preferences_page, name="notification_preferences")
    router.add_post("/notifications/{notification_id}/read", views.mark_read_form, name="notification_read")

    tag = "notifications"
    api.route(app, "GET", "/notifications", views.list_api, summary="Your notifications, newest activity first",
              tag=tag, response=NotificationPage,
              query=NotificationQuery)
    api.route(app, "GET", "/notifications/unread", views.unread_api, summary="How many notifications are unread",
              tag=tag, response=UnreadOut)
    api.route(app, "POST", "/notifications/read-all", views.mark_all_read_api, summary="Mark every notification read",
              tag=tag, body=None, response=ChangedOut)
    api.route(app, "POST", "/notifications/{notification_id}/read", views.mark_read_api,
              summary="Mark one notification read", tag=tag, body=None, response=ChangedOut)
    api.route(app, "GET", "/notifications/preferences", views.preferences_api,
              summary="How each kind of notification reaches you", tag=tag, response=PreferencesIn)
    api.route(app, "PUT", "/notifications/preferences", views.preferences_api,
              summary="Choose in_app, email_digest or off for each kind", tag=tag, body=PreferencesIn,
              response=PreferencesIn)
