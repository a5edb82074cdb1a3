"""The application factory: the one place the server is wired together."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from community import audit, confirmations, csrf, keys, overload, ratelimit
from community.accounts.sessions import session_middleware
from community.config import Settings
from community.middlewares import (
    error_middleware,
    forwarded_middleware,
    language_middleware,
    security_headers_middleware,
    throttle_malformed_requests,
)
from community.storage import connect
from community.storage.facts import declare
from community.storage.indexes import ensure_indexes
from community.templating import setup_templates

ROOT = Path(__file__).resolve().parent.parent

FEATURES: list[str] = [
    "community.site.routes",
    "community.accounts.routes",
    "community.sso.routes",
    "community.organisations.routes",
    "community.admin.routes",
    "community.competencies.routes",
    "community.profiles.routes",
    "community.network.routes",
    "community.privacy.routes",
    "community.realtime.server",
    "community.notifications.routes",
    "community.messages.routes",
    "community.mentoring.routes",  # after messages: an accepted mentorship opens a conversation
    "community.forums.routes",
    "community.polls.routes",
    "community.events.routes",
    "community.rooms.routes",
    "community.karma.routes",
    "community.certificates.routes",
    "community.search_pages.routes",
    "community.jobs.routes",
    "community.vacancies.routes",
    "community.foryou.routes",  # last: asks the forums, network, events and vacancies for suggestions
]
"""Feature modules, each with ``setup(app)`` adding its routes, middlewares and cleanup contexts,
and handing its ``storage.py`` facts to the shared registries (``community.storage.facts``)."""

SHARED_STORAGE = (audit.STORAGE, ratelimit.STORAGE)
"""Collections of the shared pieces beside the features, which have no ``setup`` of their own."""


async def storage_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    client = connect(settings.storage_url)
    db = client[settings.database_name]
    await ensure_indexes(db)
    app[keys.STORAGE_CLIENT] = client
    app[keys.DB] = db
    yield
    await client.close()


def utc_now() -> datetime:
    return datetime.now(UTC)


def declare_storage(settings: Settings) -> None:
    """Have every feature declare its storage facts, as building the app does, for tools that
    open storage without serving it (maintenance commands, tests and benchmarks)."""
    create_app(settings)


def create_app(settings: Settings) -> web.Application:
    # Security headers wrap everything, so error pages, problems and redirects carry them too. The
    # client's address is settled next, so everything after sees it; the language is set before
    # errors are rendered, so error pages and problems speak the request's language. The session
    # is known before the CSRF check, which binds its tokens to the session. Load shedding comes
    # once the language is known and before anything reads a session or a body, so a refusal in
    # the request's language costs nothing (``community.overload``).
    app = web.Application(
        middlewares=[security_headers_middleware, forwarded_middleware, language_middleware,
                     overload.shedding_middleware, error_middleware, session_middleware, csrf.csrf_middleware,
                     confirmations.confirmation_middleware],
        client_max_size=8 * 1024 * 1024,
    )
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = utc_now
    throttle_malformed_requests()
    app[keys.READINESS_CHECKS] = []
    app[keys.NAV] = []
    app[keys.USER_MENU] = []
    app[keys.HOME_SECTIONS] = []
    setup_templates(app)
    app.cleanup_ctx.append(storage_context)
    for facts in SHARED_STORAGE:
        declare(facts)
    for module in FEATURES:
        importlib.import_module(module).setup(app)
    app[keys.USER_MENU].sort(key=lambda item: item.weight)  # lighter first, once every feature has added its items
    app.router.add_static("/static/", ROOT / "static", name="static", append_version=True)
    answer_head_as_get(app.router)
    overload.setup(app)
    return app


def answer_head_as_get(router: web.UrlDispatcher) -> None:
    """Every address that answers GET answers HEAD too, with the same headers and no body (HTTP
    asks for it; link checkers and monitors send it); aiohttp adds HEAD only to the routes added
    with ``add_get``. Nothing but GET's own handler runs for it."""
    for resource in router.resources():
        handlers = {route.method: route.handler for route in resource}
        if isinstance(resource, web.Resource) and "GET" in handlers and "HEAD" not in handlers:
            resource.add_route("HEAD", handlers["GET"])
