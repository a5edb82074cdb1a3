"""Jinja2 set-up: autoescaping, gettext, the ``url()`` helper and the context every page gets."""

from __future__ import annotations

import re
import weakref
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import jinja2.runtime
from aiohttp import web
from markupsafe import Markup

from community import csrf, keys
from community.accounts.external import local_accounts_open
from community.i18n import LOCALES, gettext, language_name, ngettext
from community.policy import ANONYMOUS
from community.timezones import as_utc, local_time

ROOT = Path(__file__).resolve().parent.parent

# The characters a URL's path and query leave unquoted everywhere (RFC 3986's unreserved set).
_unreserved = re.compile(r"[A-Za-z0-9._~-]*\Z").match


async def base_context(request: web.Request) -> dict[str, Any]:
    """What every page's template may use besides its own context.

    aiohttp_jinja2 keeps this under the request, so the request is held as a weak proxy: the
    request holding a context that holds the request would make every request a reference
    cycle that only the garbage collector frees, whose collections then stall the loop
    (``docs/performance.md`` §7.2)."""
    return {
        "request": weakref.proxy(request),
        "actor": request.get(keys.ACTOR, ANONYMOUS),
        "csrf_token": csrf.token_for(request) if keys.CSRF_COOKIE in request else "",
        "locale": request.get(keys.LOCALE, "en"),
        "locales": LOCALES,
        "nav": request.app[keys.NAV],
        "user_menu": request.app[keys.USER_MENU],
        "confirmation": request.get(keys.CONFIRMATION),
        "local_accounts": local_accounts_open(request.app[keys.SETTINGS]),
    }


@jinja2.pass_context
def template_gettext(context: jinja2.runtime.Context, message: str, **variables: Any) -> str:
    """Jinja's new-style ``gettext`` (``_()`` and ``{% trans %}`` call it), which treats every
    message as a format string even without variables; a message without a ``%`` formats to
    itself, so it skips the formatting of a ``Markup``, a page's costliest string operation
    (about 30 messages a page)."""
    text = gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


_DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(jinja2.Environment):
    """Jinja's environment, with ``a.b`` on a plain dict looked up as the key straight away.

    Jinja tries the attribute first, and a dict has none but its methods, so each ``post.number``
    raised and caught an ``AttributeError`` first (some two hundred a page). A plain dict's
    attributes are exactly ``dir(dict)``, so the answer is Jinja's own: the method for those
    names, the key otherwise, and undefined for a missing key."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def setup_templates(app: web.Application) -> None:
    env = Environment(
        loader=jinja2.FileSystemLoader(ROOT / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code, so a changed one needs a restart, like a code change;
        # Jinja's default checks each template file's time on every use (a dozen a page).
        auto_reload=False,
    )
    # What aiohttp_jinja2.setup does with an environment it builds itself (a plain Jinja one).
    app[aiohttp_jinja2.APP_KEY] = env
    app[aiohttp_jinja2.APP_CONTEXT_PROCESSORS_KEY] = [base_context]
    app.middlewares.append(aiohttp_jinja2.context_processors_middleware)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = template_gettext
    # ``_`` straight to it: Jinja's own ``_`` is an alias that looks ``gettext`` up and calls it
    # through the context again, two calls for each of a page's some thirty messages.
    env.globals["_"] = template_gettext
    env.filters["local_time"] = local_time
    env.filters["language_name"] = language_name
    env.filters["iso"] = lambda value: as_utc(value).isoformat() if value is not None else ""

    fixed: dict[tuple[str, str], str] = {}
    formatters: dict[str, str] = {}

    def url(name: str, query: dict[str, str | int] | None = None, **parts: Any) -> str:
        strings = {key: str(value) for key, value in parts.items()}
        if not query and (not parts or (name == "static" and set(parts) == {"filename"})):
            # URLs that stay the same for the life of the process, built once each: a route
            # without parts (a page asks for some 25; the navigation asks for each link twice),
            # and a static file's, which carries a hash of its content that aiohttp computes by
            # reading the whole file on every call (five per page); the files ship with the code.
            key = (name, strings.get("filename", ""))
            found = fixed.get(key)
            if found is None:
                found = fixed[key] = str(app.router[name].url_for(**strings))
            return found
        # A route with parts (a page asks for some forty, most of them per post): when every
        # part and query value is made of characters that quoting leaves as they are (ids and
        # numbers), the route's own formatter gives aiohttp's and yarl's answer without either.
        formatter = formatters.get(name)
        if formatter is None:
            formatter = formatters[name] = app.router[name].get_info().get("formatter", "")
        if formatter and all(map(_unreserved, strings.values())):
            path = formatter.format_map(strings)
            if not query:
                return path
            pairs = [(key, value if type(value) is str else str(value) if type(value) is int else None)
                     for key, value in query.items()]
            if all(value is not None and _unreserved(key) and _unreserved(value) for key, value in pairs):
                return path + "?" + "&".join(f"{key}={value}" for key, value in pairs)
        built = app.router[name].url_for(**strings)
        return str(built.with_query(query) if query else built)

    env.globals["url"] = url
