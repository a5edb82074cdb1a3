"""Forum pages: each handler reads the request, calls one service and renders or redirects.

A form that fails validation is shown again with a message next to each bad field (422). An
htmx or fetch request (``HX-Request``) gets the fragment from ``partials/`` instead of a page.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from community import actions, api, csrf, keys, policy
from community.errors import Invalid
from community.forums import (accept, cache, categories, create_thread, edit, feeds, flag, follow, moderate, pages, queries,
                              reply, vote)
from community.forums.access import access_category, access_history, access_post_by_number, access_thread
from community.forums.markdown import quote
from community.forums.rendering import TOKEN_PLACEHOLDER, render_post
from community.forums.schemas import CategoryIn, FlagReason, ReplyIn, Sort, SuspendIn, ThreadIn, TopPeriod, object_id
from community.forums.urls import category_path, post_path, thread_path
from community.i18n import gettext as _
from community.policy import ANONYMOUS, Actor
from community.requests import read_form
from community.storage.api import Database
from community.validation import form_values

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30


def _actor(request: web.Request) -> Actor:
    return request.get(keys.ACTOR, ANONYMOUS)


def _db(request: web.Request) -> Any:
    return request.app[keys.DB]


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _form(data: MultiDictProxy[Any]) -> dict[str, str]:
    return {key: value for key, value in data.items() if isinstance(value, str) and key != "csrf_token"}


def _fragment(request: web.Request) -> bool:
    return request.headers.get("HX-Request") == "true"


async def index(request: web.Request) -> web.Response:
    actor = _actor(request)
    tree = await pages.index_page(_db(request), actor)
    return aiohttp_jinja2.render_template("forums/index.html", request, {
        "categories": tree, "can_moderate": bool(actor.is_authenticated and (
            policy.can_suspend_members(actor) or any(policy.can_moderate_category(actor, c) for c in tree)))})


async def category(request: web.Request) -> web.Response:
    listing = await pages.category_page(_db(request), _actor(request), request.match_info["slug"], request.query,
                                        cursor=request.query.get("cursor"), limit=THREADS_PER_PAGE)
    next_query = {"cursor": listing.next_cursor or "", "sort": listing.query.sort.value,
                  "period": listing.query.period.value}
    if listing.query.tag:
        next_query["tag"] = listing.query.tag
    return aiohttp_jinja2.render_template("forums/category.html", request, {
        "listing": listing, "sorts": list(Sort), "periods": list(TopPeriod), "next_query": next_query})


async def new_thread_form(request: web.Request) -> web.Response:
    found = await queries.category_by_slug(_db(request), request.match_info["slug"])
    actor = _actor(request)
    category_doc = await access_category(_db(request), actor, found["_id"] if found else object_id("-"))
    policy.require(actor, policy.can_post(actor, category_doc))
    return aiohttp_jinja2.render_template("forums/new_thread.html", request,
                                          {"category": category_doc, "values": {}, "errors": {}})


async def new_thread(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    found = await queries.category_by_slug(db, request.match_info["slug"])
    category_id = found["_id"] if found else object_id("-")
    values = _form(await read_form(request))
    try:
        thread = await actions.run(request.app, actor, create_thread.create_thread, category_id=category_id,
                                   data=form_values(ThreadIn, values))
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/new_thread.html", request,
                                              {"category": found, "values": values, "errors": error.errors}, status=422)
    return _see_other(thread_path(thread["_id"]))


async def thread(request: web.Request) -> web.Response:
    """A thread page. Signed-out readers of one thread version all get the same page but for
    their CSRF token, so it is rendered once with a placeholder and kept (``cache.PAGES``)."""
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    loaded = await access_thread(db, actor, thread_id)
    token = csrf.token_for(request) if keys.CSRF_COOKIE in request else ""
    key = (thread_id, loaded[0].get("version", 0), request.path_qs, request.get(keys.LOCALE, "en"))
    html = None if actor.is_authenticated else cache.PAGES.get(key)
    if html is None:
        page = await pages.thread_page(db, actor, thread_id, cursor=request.query.get("cursor"), limit=POSTS_PER_PAGE,
                                       loaded=loaded)
        values: dict[str, str] = {}
        quoted = request.query.get("quote", "")
        if quoted.isdigit() and page.can_reply:
            source, _thread, _category = await access_post_by_number(db, actor, thread_id, int(quoted))
            people = await queries.people(db, [source["author_id"]])
            name = people.get(source["author_id"], {}).get("name") or "?"
            values = {"body": quote(name, source["number"], source["body"]), "reply_to": quoted}
        elif request.query.get("reply_to", "").isdigit():
            values = {"reply_to": request.query["reply_to"]}
        _render_posts(request, page.posts + ([page.accepted] if page.accepted else []))
        html = aiohttp_jinja2.render_string("forums/thread.html", request, {
            "page": page, "values": values, "errors": {}, "csrf_token": TOKEN_PLACEHOLDER})
        if not actor.is_authenticated:
            cache.PAGES.put(key, html)
    return web.Response(text=html.replace(TOKEN_PLACEHOLDER, token), content_type="text/html")


async def post_reply(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    values = _form(await read_form(request))
    try:
        post = await actions.run(request.app, actor, reply.reply, thread_id=thread_id, data=form_values(ReplyIn, values))
    except Invalid as error:
        page = await pages.thread_page(db, actor, thread_id, cursor=None, limit=POSTS_PER_PAGE, mark_read=False)
        _render_posts(request, page.posts + ([page.accepted] if page.accepted else []),
                      csrf.token_for(request) if keys.CSRF_COOKIE in request else "")
        return aiohttp_jinja2.render_template("forums/thread.html", request, {
            "page": page, "values": values, "errors": error.errors}, status=422)
    if _fragment(request):
        return await _post_fragment(request, thread_id, post["number"])
    return _see_other(post_path(thread_id, post["number"]))


async def permalink(request: web.Request) -> web.Response:
    """Redirect to the page of the thread that shows post ``number``, scrolled to it."""
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    number = _number(request)
    post, thread_doc, _category = await access_post_by_number(db, actor, thread_id, number)
    if post["_id"] == thread_doc.get("accepted_post_id") or number == 1:
        return _see_other(f"{thread_path(thread_id)}#post-{number}")
    anchor = await queries.page_anchor(db, thread_id, number, POSTS_PER_PAGE)
    if anchor is None:
        return _see_other(f"{thread_path(thread_id)}#post-{number}")
    cursor = api.encode_cursor({"n": anchor})
    return _see_other(f"{thread_path(thread_id)}?cursor={cursor}#post-{number}")


def _number(request: web.Request) -> int:
    raw = request.match_info["number"]
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000_000:
        object_id("-")
    return int(raw)


def _render_posts(request: web.Request, posts: list[dict[str, Any]], token: str = TOKEN_PLACEHOLDER) -> None:
    """Put each post's rendered HTML in ``post["rendered"]`` (see ``community.forums.rendering``);
    the CSRF token stays a placeholder unless ``token`` is given."""
    env = aiohttp_jinja2.get_env(request.app)
    locale = request.get(keys.LOCALE, "en")
    for post in posts:
        post["rendered"] = render_post(env, post, post["viewer"], locale=locale, csrf_token=token)


async def _post_fragment(request: web.Request, thread_id: Any, number: int) -> web.Response:
    db, actor = _db(request), _actor(request)
    post, thread_doc, category_doc = await access_post_by_number(db, actor, thread_id, number)
    people = await queries.people(db, [post["author_id"]])
    voted = await queries.voted_posts(db, actor.user_id, [post["_id"]]) if actor.user_id is not None else set()
    pages.decorate_posts([post], people, voted, actor, thread_doc, category_doc)
    _render_posts(request, [post], csrf.token_for(request) if keys.CSRF_COOKIE in request else "")
    return web.Response(text=str(post["rendered"]), content_type="text/html")


async def post_fragment(request: web.Request) -> web.Response:
    return await _post_fragment(request, object_id(request.match_info["thread_id"]), _number(request))


async def edit_form(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    post, thread_doc, category_doc = await access_post_by_number(db, actor, object_id(request.match_info["thread_id"]),
                                                                 _number(request))
    policy.require(actor, policy.can_edit_post(actor, category_doc, thread_doc, post))
    values = {"body": post["body"], "title": thread_doc["title"] if post["number"] == 1 else ""}
    return aiohttp_jinja2.render_template("forums/edit.html", request,
                                          {"post": post, "thread": thread_doc, "values": values, "errors": {}})


async def edit_post(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, thread_doc, _category = await access_post_by_number(db, actor, thread_id, _number(request))
    values = _form(await read_form(request))
    try:
        await actions.run(request.app, actor, edit.edit_post, post_id=post["_id"], data=values)
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/edit.html", request, {
            "post": post, "thread": thread_doc, "values": values, "errors": error.errors}, status=422)
    return _see_other(post_path(thread_id, post["number"]))


async def history(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    post, thread_doc, category = await access_post_by_number(db, actor, object_id(request.match_info["thread_id"]),
                                                             _number(request))
    await access_history(db, actor, post, category)
    revisions = await queries.revisions(db, post["_id"])
    people = await queries.people(db, [r["editor_id"] for r in revisions] + [post["author_id"]])
    return aiohttp_jinja2.render_template("forums/history.html", request, {
        "post": post, "thread": thread_doc, "revisions": revisions, "people": people})


async def _post_action(request: web.Request, action: Any) -> web.Response:
    """Run ``action(db, actor, post, values)`` for the post in the URL, then go back to it."""
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, _thread, _category = await access_post_by_number(db, actor, thread_id, _number(request))
    values = _form(await read_form(request))
    await action(db, actor, post, values)
    if _fragment(request):
        return await _post_fragment(request, thread_id, post["number"])
    return _see_other(post_path(thread_id, post["number"]))


async def vote_post(request: web.Request) -> web.Response:
    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, vote.set_vote, post_id=post["_id"], up=values.get("up") != "0")
    return await _post_action(request, act)


async def delete_post(request: web.Request) -> web.Response:
    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, moderate.delete_post, post_id=post["_id"], data=values)
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    response = await _post_action(request, act)
    if _number(request) == 1 and response.status == 303:
        found = await queries.thread(db, thread_id)
        category_doc = await queries.category(db, found["category_id"]) if found else None
        if category_doc is not None and not policy.can_view_hidden_posts(actor, category_doc):
            return _see_other(category_path(category_doc["slug"]))
    return response


async def flag_form(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    post, thread_doc, category_doc = await access_post_by_number(db, actor, object_id(request.match_info["thread_id"]),
                                                                 _number(request))
    policy.require(actor, policy.can_flag(actor, category_doc))
    return aiohttp_jinja2.render_template("forums/flag.html", request, {
        "post": post, "thread": thread_doc, "reasons": list(FlagReason), "values": {}, "errors": {}})


async def flag_post(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, thread_doc, _category = await access_post_by_number(db, actor, thread_id, _number(request))
    values = _form(await read_form(request))
    try:
        await actions.run(request.app, actor, flag.flag_post, post_id=post["_id"], data=values)
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/flag.html", request, {
            "post": post, "thread": thread_doc, "reasons": list(FlagReason), "values": values,
            "errors": error.errors}, status=422)
    return _see_other(post_path(thread_id, post["number"]))


async def hide_post(request: web.Request) -> web.Response:
    hidden = request.match_info["action"] == "hide"

    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, moderate.set_hidden, post_id=post["_id"], hidden=hidden, data=values)
    return await _post_action(request, act)


async def accept_answer(request: web.Request) -> web.Response:
    thread_id = object_id(request.match_info["thread_id"])
    values = _form(await read_form(request))
    raw = values.get("number", "")
    number = int(raw) if raw.isdigit() else None
    if raw and number is None:
        raise Invalid({"number": _("Choose a reply in this thread.")})
    await actions.run(request.app, _actor(request), accept.set_accepted, thread_id=thread_id, number=number)
    return _see_other(thread_path(thread_id))


async def follow_thread(request: web.Request) -> web.Response:
    thread_id = object_id(request.match_info["thread_id"])
    values = _form(await read_form(request))
    await actions.run(request.app, _actor(request), follow.set_following, "thread", thread_id,
                      values.get("following") != "0")
    return _see_other(thread_path(thread_id))


async def follow_category(request: web.Request) -> web.Response:
    db = _db(request)
    found = await queries.category_by_slug(db, request.match_info["slug"])
    values = _form(await read_form(request))
    await actions.run(request.app, _actor(request), follow.set_following, "category",
                      found["_id"] if found else object_id("-"), values.get("following") != "0")
    return _see_other(category_path(request.match_info["slug"]))


async def thread_moderation(request: web.Request) -> web.Response:
    """Lock, unlock, pin, unpin or move a thread (``action`` in the URL)."""
    app, actor = request.app, _actor(request)
    thread_id = object_id(request.match_info["thread_id"])
    action = request.match_info["action"]
    values = _form(await read_form(request))
    if action in ("lock", "unlock"):
        await actions.run(app, actor, moderate.set_locked, thread_id=thread_id, locked=action == "lock", data=values)
    elif action in ("pin", "unpin"):
        await actions.run(app, actor, moderate.set_pinned, thread_id=thread_id, pinned=action == "pin", data=values)
    else:
        await actions.run(app, actor, moderate.move_thread, thread_id=thread_id, data=values)
    return _see_other(thread_path(thread_id))


async def moderation_queue(request: web.Request) -> web.Response:
    flags = await moderate.moderation_queue(_db(request), _actor(request))
    people = await queries.people(_db(request), [f["reporter_id"] for f in flags] +
                                  [f["post"]["author_id"] for f in flags if f["post"]])
    return aiohttp_jinja2.render_template("forums/moderation.html", request, {"flags": flags, "people": people})


async def resolve_flag(request: web.Request) -> web.Response:
    await actions.run(request.app, _actor(request), moderate.resolve_flag,
                      flag_id=object_id(request.match_info["flag_id"]), data=_form(await read_form(request)))
    return _see_other(str(request.app.router["forums.moderation"].url_for()))


async def suspend_form(request: web.Request) -> web.Response:
    actor = _actor(request)
    policy.require(actor, policy.can_suspend_members(actor))
    user_id = object_id(request.match_info["user_id"])
    person = (await queries.people(_db(request), [user_id])).get(user_id)
    if person is None:
        object_id("-")
    return aiohttp_jinja2.render_template("forums/suspend.html", request, {"person": person, "values": {}, "errors": {}})


async def suspend(request: web.Request) -> web.Response:
    db, actor = _db(request), _actor(request)
    user_id = object_id(request.match_info["user_id"])
    values = _form(await read_form(request))
    try:
        await actions.run(request.app, actor, moderate.suspend_member, user_id=user_id, data=form_values(SuspendIn, values))
    except Invalid as error:
        person = (await queries.people(db, [user_id])).get(user_id)
        return aiohttp_jinja2.render_template("forums/suspend.html", request,
                                              {"person": person, "values": values, "errors": error.errors}, status=422)
    return _see_other(str(request.app.router["forums.moderation"].url_for()))


async def category_feed(request: web.Request) -> web.Response:
    return await feeds.category_feed(_db(request), request.app[keys.SETTINGS].base_url, request.match_info["slug"])


async def thread_feed(request: web.Request) -> web.Response:
    return await feeds.thread_feed(_db(request), request.app[keys.SETTINGS].base_url,
                                   object_id(request.match_info["thread_id"]))


async def _parent_options(request: web.Request) -> list[tuple[str, str]]:
    return [(str(c["_id"]), c["name"]) for c in await pages.index_page(_db(request), _actor(request))]


async def new_category_form(request: web.Request) -> web.Response:
    actor = _actor(request)
    policy.require(actor, policy.can_manage_categories(actor, actor.org_id))
    return aiohttp_jinja2.render_template("forums/new_category.html", request, {
        "values": {}, "errors": {}, "parent_options": await _parent_options(request)})


async def new_category(request: web.Request) -> web.Response:
    actor = _actor(request)
    values = _form(await read_form(request))
    try:
        created = await actions.run(request.app, actor, categories.create_category, form_values(CategoryIn, values))
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/new_category.html", request, {
            "values": values, "errors": error.errors, "parent_options": await _parent_options(request)}, status=422)
    return _see_other(category_path(created["slug"]))
