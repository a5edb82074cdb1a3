"""The template helpers' fast paths answer exactly what Jinja's and aiohttp's own would."""

from __future__ import annotations

import aiohttp_jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
import jinja2
import pytest
from aiohttp import web
from aiohttp.web_urldispatcher import DynamicResource

from community.i18n import current_locale, gettext, ngettext
from community.templating import Environment, setup_templates, template_gettext


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


@settings(max_examples=300, deadline=None)
@given(part=st.one_of(st.text(max_size=12), st.from_regex(r"[a-f0-9]{24}", fullmatch=True)),
       number=st.integers(min_value=0, max_value=10**6),
       value=st.one_of(st.text(max_size=12), st.integers(min_value=-5, max_value=10**6), st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True)))
def test_a_route_with_parts_is_built_as_aiohttp_and_yarl_build_it(part: str, number: int, value: str | int) -> None:
    app = web.Application()
    app.router.add_get("/forums/t/{thread_id}/{number:\\d+}", answer, name="post")
    app.router.add_get("/people/{user_id}", answer, name="person")
    setup_templates(app)
    url = aiohttp_jinja2.get_env(app).globals["url"]
    own = app.router["post"].url_for(thread_id=part, number=str(number))
    assert url("post", thread_id=part, number=number) == str(own)
    assert url("post", thread_id=part, number=number, query={"reply_to": value}) == str(own.with_query({"reply_to": value}))
    assert url("person", user_id=part, query={"a": value, "b-c": "x"}) == str(
        app.router["person"].url_for(user_id=part).with_query({"a": value, "b-c": "x"}))


def test_ids_and_numbers_are_built_without_aiohttp_or_yarl(monkeypatch: pytest.MonkeyPatch) -> None:
    app = web.Application()
    app.router.add_get("/forums/t/{thread_id}/{number:\\d+}", answer, name="post")
    setup_templates(app)
    url = aiohttp_jinja2.get_env(app).globals["url"]
    built: list[dict[str, str]] = []
    own = DynamicResource.url_for
    monkeypatch.setattr(DynamicResource, "url_for", lambda self, **parts: built.append(parts) or own(self, **parts))
    assert url("post", thread_id="65f0c0ffee", number=7, query={"quote": 7}) == "/forums/t/65f0c0ffee/7?quote=7"
    assert built == []
    assert url("post", thread_id="a b", number=7) == "/forums/t/a%20b/7"
    assert built == [{"thread_id": "a b", "number": "7"}]


@settings(max_examples=300, deadline=None)
@given(obj=st.one_of(st.dictionaries(st.sampled_from(["items", "get", "number", "author", "__class__", "keys", "x"]),
                                     st.integers(), max_size=4),
                     st.lists(st.integers(), max_size=2), st.integers(), st.none()),
       attribute=st.sampled_from(["items", "get", "number", "author", "__class__", "keys", "missing", "real"]))
def test_an_attribute_of_a_dict_is_what_jinja_would_give(obj: object, attribute: str) -> None:
    ours, theirs = Environment(undefined=jinja2.StrictUndefined), jinja2.Environment(undefined=jinja2.StrictUndefined)
    got, expected = ours.getattr(obj, attribute), theirs.getattr(obj, attribute)
    if isinstance(expected, jinja2.Undefined):
        assert isinstance(got, jinja2.StrictUndefined) and got._undefined_name == expected._undefined_name
        assert got._undefined_obj is expected._undefined_obj
    else:
        assert got == expected
    source = "{{ d.number }} {{ d.items()|list|length }}"
    assert ours.from_string(source).render(d={"number": 3, "items": 1}) == theirs.from_string(source).render(
        d={"number": 3, "items": 1}) == "3 2"
