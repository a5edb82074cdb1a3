"""The template helpers' fast paths answer exactly what Jinja's and aiohttp's own would."""

from __future__ import annotations

import aiohttp_jinja2
import jinja2
from aiohttp import web

from community.i18n import current_locale, gettext, ngettext
from community.templating import setup_templates, template_gettext


def jinja_own(source: str, **context: object) -> str:
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env.from_string(source).render(**context)


def ours(source: str, **context: object) -> str:
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = template_gettext
    return env.from_string(source).render(**context)


def test_messages_render_as_with_jinjas_new_style_gettext() -> None:
    sources = [
        '{{ _("Skip to main content") }}',
        '{{ _("100%% of members") }}',  # a message is a format string even without variables
        '{{ _("Posted by %(name)s", name=who) }}',
        '{% trans %}Plain words{% endtrans %}',
        '{% trans name=who %}Hello {{ name }}, 50% done{% endtrans %}',
        '{{ _("Menu") ~ "<b>" }}',
    ]
    token = current_locale.set("hi")
    try:
        for source in sources:
            assert ours(source, who="<script>") == jinja_own(source, who="<script>"), source
    finally:
        current_locale.reset(token)
    assert ours('{{ _("100%% of members") }}') == "100% of members"
    assert "&lt;script&gt;" in ours('{{ _("Posted by %(name)s", name=who) }}', who="<script>")


async def answer(request: web.Request) -> web.Response:
    return web.Response()


async def test_a_route_without_parts_is_built_once_and_as_aiohttp_builds_it() -> None:
    app = web.Application()
    app.router.add_get("/forums/", answer, name="forums")
    app.router.add_get("/forums/t/{thread_id}", answer, name="thread")
    setup_templates(app)
    url = aiohttp_jinja2.get_env(app).globals["url"]
    assert url("forums") == str(app.router["forums"].url_for()) == "/forums/"
    assert url("thread", thread_id="a b") == str(app.router["thread"].url_for(thread_id="a b"))
    assert url("forums", query={"tag": "x"}) == "/forums/?tag=x"
    assert url("forums") is url("forums")
