"""The application factory: the one place the server is wired together."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from community import csrf, keys
from community.accounts.sessions import session_middleware
from community.config import Settings
from community.i18n import LOCALES, gettext, ngettext
from community.middlewares import error_middleware, language_middleware, security_headers_middleware
from community.policy import ANONYMOUS
from community.storage import connect
from community.storage.indexes import ensure_indexes

ROOT = Path(__file__).resolve().parent.parent

FEATURES: list[str] = [
    "community.site.routes",
    "community.accounts.routes",
    "community.organisations.routes",
    "community.admin.routes",
    "community.competencies.routes",
    "community.profiles.routes",
    "community.privacy.routes",
    "community.realtime.server",
    "community.notifications.routes",
    "community.forums.routes",
]
"""Feature modules, each with ``setup(app)`` adding its routes, middlewares and cleanup contexts."""


async def storage_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    client = connect(settings.storage_url)
    db = client[settings.database_name]
    await ensure_indexes(db)
    app[keys.STORAGE_CLIENT] = client
    app[keys.DB] = db
    yield
    await client.close()


async def template_context(request: web.Request) -> dict[str, Any]:
    return {
        "request": request,
        "actor": request.get(keys.ACTOR, ANONYMOUS),
        "csrf_token": csrf.token_for(request) if keys.CSRF_COOKIE in request else "",
        "locale": request.get(keys.LOCALE, "en"),
        "locales": LOCALES,
        "nav": request.app[keys.NAV],
    }


def _template_env(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(ROOT / "templates"),
        context_processors=[template_context],
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]

    def url(name: str, query: dict[str, str] | None = None, **parts: Any) -> str:
        built = app.router[name].url_for(**{key: str(value) for key, value in parts.items()})
        return str(built.with_query(query) if query else built)

    env.globals["url"] = url


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware, language_middleware, security_headers_middleware, csrf.csrf_middleware,
                     session_middleware],
        client_max_size=8 * 1024 * 1024,
    )
    app[keys.SETTINGS] = settings
    app[keys.READINESS_CHECKS] = []
    app[keys.NAV] = []
    _template_env(app)
    app.cleanup_ctx.append(storage_context)
    for module in FEATURES:
        importlib.import_module(module).setup(app)
    app.router.add_static("/static/", ROOT / "static", name="static", append_version=True)
    return app
