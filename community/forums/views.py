"""Forum pages: each handler reads the request, calls one service and renders or redirects.

A form that fails validation is shown again with a message next to each bad field (422). A
fetch from ``static/js/forums.js`` (header ``HX-Request: true``) gets the fragment from
``partials/`` instead of a page.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from markupsafe import Markup

from community import actions, api, confirmations, csrf, keys, policy
from community.accounts.people import shown_name
from community.competencies import queries as dictionary
from community.errors import Conflict, Invalid, NotFound, RateLimited
from community.forums import (accept, cache, categories, create_thread, edit, feeds, flag, follow, moderate, polls,
                              preview, queries, reads, reply, vote)
from community.forums.access import access_category, access_post_by_number, access_thread
from community.forums.markdown import quote
from community.forums.rendering import TOKEN_PLACEHOLDER, render_post
from community.forums.schemas import CategoryIn, FlagReason, ReplyIn, Sort, SuspendIn, ThreadIn, TopPeriod, object_id
from community.forums.urls import category_path, post_path, thread_path
from community.i18n import gettext as _
from community.i18n import lazy_gettext
from community.notifications import read as notifications_read
from community.organisations import queries as organisations
from community.policy import Actor
from community.requests import actor_of, db_of, form_fields, see_other, settings_of, url_for
from community.validation import form_values, whole_number
from community.storage.api import Database

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30

FLAGGED = confirmations.register("post_flagged", lazy_gettext("Thank you: the moderators will look at this post."))
POST_HIDDEN = confirmations.register("post_hidden", lazy_gettext("The post is hidden."))
POST_SHOWN = confirmations.register("post_shown", lazy_gettext("The post is shown again."))
POST_DELETED = confirmations.register("post_deleted", lazy_gettext("The post was deleted."))
THREAD_DONE = {
    "lock": confirmations.register("thread_locked", lazy_gettext("The thread is locked: nobody can reply.")),
    "unlock": confirmations.register("thread_unlocked", lazy_gettext("The thread is open for replies again.")),
    "pin": confirmations.register("thread_pinned", lazy_gettext("The thread is pinned to the top of its category.")),
    "unpin": confirmations.register("thread_unpinned", lazy_gettext("The thread is no longer pinned.")),
    "move": confirmations.register("thread_moved", lazy_gettext("The thread was moved.")),
}
FLAG_RESOLVED = confirmations.register("flag_resolved", lazy_gettext("The flag was dealt with and leaves the queue."))
SUSPENDED = confirmations.register("member_suspended", lazy_gettext("The member is suspended."))
CATEGORY_CREATED = confirmations.register("category_created", lazy_gettext("The category was created."))


def _fragment(request: web.Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _previewing(values: dict[str, str]) -> bool:
    """The composer's Preview button was pressed: show the draft rendered, write nothing."""
    return "preview" in values


async def _draft_preview(request: web.Request, values: dict[str, str]) -> dict[str, Any]:
    """What a composer page adds for its Preview button: the draft rendered, or, when previews
    come too fast, why not, beside the body."""
    try:
        rendered = await preview.render_draft(db_of(request), actor_of(request), values.get("body", ""))
    except RateLimited as error:
        return {"preview_html": "", "errors": {"body": error.detail}}
    return {"preview_html": Markup(rendered), "errors": {}}


async def index(request: web.Request) -> web.Response:
    actor = actor_of(request)
    shown = await reads.category_index(db_of(request), actor)
    return aiohttp_jinja2.render_template("forums/index.html", request, {
        "categories": shown.tree, "can_moderate": shown.can_moderate,
        "can_create_category": policy.can_manage_categories(actor, actor.org_id)})


async def category(request: web.Request) -> web.Response:
    listing = await reads.category_page(db_of(request), actor_of(request), request.match_info["slug"], request.query,
                                        cursor=request.query.get("cursor"), limit=THREADS_PER_PAGE)
    next_query = {"cursor": listing.next_cursor or "", "sort": listing.query.sort.value,
                  "period": listing.query.period.value}
    if listing.query.tag:
        next_query["tag"] = listing.query.tag
    return aiohttp_jinja2.render_template("forums/category.html", request, {
        "listing": listing, "sorts": list(Sort), "periods": list(TopPeriod), "next_query": next_query})


async def new_thread_form(request: web.Request) -> web.Response:
    found = await queries.category_by_slug(db_of(request), request.match_info["slug"])
    actor = actor_of(request)
    category_doc = await access_category(db_of(request), actor, found["_id"] if found else object_id("-"))
    policy.require(actor, policy.can_post(actor, category_doc))
    return await _thread_form(request, category_doc, {}, {})


async def _thread_form(request: web.Request, category_doc: dict[str, Any], values: dict[str, str],
                       errors: dict[str, str], status: int = 200, preview_html: str = "") -> web.Response:
    """The new-thread form, with ``errors`` beside their fields, or the draft rendered above it."""
    db = db_of(request)
    return aiohttp_jinja2.render_template("forums/new_thread.html", request, {
        "category": category_doc, "values": values, "errors": errors, "competencies": await dictionary.shown(db),
        "defaults": await dictionary.names_of(db, category_doc.get("competency_tags", [])),
        "preview_html": preview_html}, status=status)


async def new_thread(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    found = await queries.category_by_slug(db, request.match_info["slug"])
    if found is None:
        raise NotFound(_("We could not find that category."))
    values = await form_fields(request, lists=("competency_tags",))
    if _previewing(values):
        category_doc = await access_category(db, actor, found["_id"])
        policy.require(actor, policy.can_post(actor, category_doc))
        shown = await _draft_preview(request, values)
        return await _thread_form(request, category_doc, values, shown["errors"], preview_html=shown["preview_html"])
    try:
        thread = await actions.run(request.app, actor, create_thread.create_thread, category_id=found["_id"],
                                   data=form_values(ThreadIn, values))
    except Invalid as error:
        return await _thread_form(request, found, values, error.errors, 422)
    except (RateLimited, Conflict) as error:
        refused = await _thread_form(request, found, values, {"body": error.detail}, error.status)
        if isinstance(error, RateLimited):
            refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    return see_other(thread_path(thread["_id"]))


async def thread(request: web.Request) -> web.Response:
    """A thread page. Signed-out readers of one thread version all get the same page but for
    their CSRF token, so it is rendered once with a placeholder and kept (``cache.RENDERED``)."""
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    loaded = await access_thread(db, actor, thread_id)
    token = csrf.token_for(request) if keys.CSRF_COOKIE in request else ""
    key = (thread_id, loaded[0].get("version", 0), request.path_qs, request.get(keys.LOCALE, "en"))
    shared = not actor.is_authenticated and keys.CONFIRMATION not in request
    html = request.app[cache.RENDERED].pages.get(key) if shared else None
    if html is None:
        page = await reads.thread_page(db, actor, thread_id, cursor=request.query.get("cursor"), limit=POSTS_PER_PAGE,
                                       loaded=loaded)
        values: dict[str, str] = {}
        quoted = request.query.get("quote", "")
        quoted_number = whole_number(quoted)
        if quoted_number is not None and quoted_number >= 1 and page.can_reply:
            source, _thread, _category = await access_post_by_number(db, actor, thread_id, quoted_number)
            people = await queries.people(db, [source["author_id"]])
            name = shown_name(people.get(source["author_id"])) or "?"
            values = {"body": quote(name, source["number"], source["body"]), "reply_to": quoted}
        elif (whole_number(request.query.get("reply_to", "")) or 0) >= 1:
            values = {"reply_to": request.query["reply_to"]}
        if actor.is_authenticated:
            await notifications_read.seen(request, [("forum_thread", thread_id),
                                                    *(("forum_post", post["_id"]) for post in page.shown)])
        _render_posts(request, page.shown)
        html = aiohttp_jinja2.render_string("forums/thread.html", request, {
            "page": page, "values": values, "errors": {}, "csrf_token": TOKEN_PLACEHOLDER})
        if shared:
            request.app[cache.RENDERED].pages.put(key, html)
    return web.Response(text=await polls.fill(request, html.replace(TOKEN_PLACEHOLDER, token), token),
                        content_type="text/html")


async def post_reply(request: web.Request) -> web.Response:
    actor = actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    values = await form_fields(request)
    if _previewing(values):
        shown = await _draft_preview(request, values)
        return await _thread_with_draft(request, thread_id, values, shown["errors"], 200, shown["preview_html"])
    try:
        post = (await actions.run(request.app, actor, reply.reply, thread_id=thread_id,
                                  data=form_values(ReplyIn, values))).post
    except Invalid as error:
        return await _thread_with_draft(request, thread_id, values, error.errors, 422)
    except (RateLimited, Conflict) as error:
        # Flood control and a repeated post answer on the thread, beside the draft they keep.
        refused = await _thread_with_draft(request, thread_id, values, {"body": error.detail}, error.status)
        if isinstance(error, RateLimited):
            refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    if _fragment(request):
        return await _post_fragment(request, thread_id, post["number"])
    return see_other(post_path(thread_id, post["number"]))


async def _thread_with_draft(request: web.Request, thread_id: ObjectId, values: dict[str, str],
                             errors: dict[str, str], status: int, preview_html: str = "") -> web.Response:
    """The thread again with the reply's draft in its form: refused, with what was wrong beside
    it, or previewed, rendered above it."""
    db, actor = db_of(request), actor_of(request)
    page = await reads.thread_page(db, actor, thread_id, cursor=None, limit=POSTS_PER_PAGE, mark_read=False)
    token = csrf.token_for(request) if keys.CSRF_COOKIE in request else ""
    _render_posts(request, page.shown, token)
    html = aiohttp_jinja2.render_string("forums/thread.html", request, {"page": page, "values": values, "errors": errors,
                                                                        "preview_html": preview_html})
    return web.Response(text=await polls.fill(request, html, token), content_type="text/html", status=status)


async def permalink(request: web.Request) -> web.Response:
    """Redirect to the page of the thread that shows post ``number``, scrolled to it."""
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    number = _number(request)
    post, thread_doc, _category = await access_post_by_number(db, actor, thread_id, number)
    if post["_id"] == thread_doc.get("accepted_post_id") or number == 1:
        return see_other(f"{thread_path(thread_id)}#post-{number}")
    anchor = await queries.page_anchor(db, thread_id, number, POSTS_PER_PAGE)
    if anchor is None:
        return see_other(f"{thread_path(thread_id)}#post-{number}")
    cursor = api.encode_cursor({"n": anchor})
    return see_other(f"{thread_path(thread_id)}?cursor={cursor}#post-{number}")


def _number(request: web.Request) -> int:
    number = whole_number(request.match_info["number"])
    if number is None or not 1 <= number <= 10_000_000:
        raise NotFound(_("We could not find that."))
    return number


def _render_posts(request: web.Request, posts: list[dict[str, Any]], token: str = TOKEN_PLACEHOLDER) -> None:
    """Put each post's rendered HTML in ``post["rendered"]`` (see ``community.forums.rendering``);
    the CSRF token stays a placeholder unless ``token`` is given."""
    env = aiohttp_jinja2.get_env(request.app)
    rendered, locale = request.app[cache.RENDERED].posts, request.get(keys.LOCALE, "en")
    for post in posts:
        post["rendered"] = render_post(env, rendered, post, post["viewer"], locale=locale, csrf_token=token)


async def _post_fragment(request: web.Request, thread_id: Any, number: int) -> web.Response:
    shown = await reads.post_by_number(db_of(request), actor_of(request), thread_id, number)
    token = csrf.token_for(request) if keys.CSRF_COOKIE in request else ""
    _render_posts(request, [shown.post], token)
    return web.Response(text=await polls.fill(request, str(shown.post["rendered"]), token), content_type="text/html")


async def post_fragment(request: web.Request) -> web.Response:
    return await _post_fragment(request, object_id(request.match_info["thread_id"]), _number(request))


async def edit_form(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    post, thread_doc, category_doc = await access_post_by_number(db, actor, object_id(request.match_info["thread_id"]),
                                                                 _number(request))
    policy.require(actor, policy.can_edit_post(actor, category_doc, thread_doc, post))
    values = {"body": post["body"], "title": thread_doc["title"] if post["number"] == 1 else ""}
    return aiohttp_jinja2.render_template("forums/edit.html", request,
                                          {"post": post, "thread": thread_doc, "values": values, "errors": {}})


async def edit_post(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, thread_doc, category_doc = await access_post_by_number(db, actor, thread_id, _number(request))
    values = await form_fields(request)
    if _previewing(values):
        policy.require(actor, policy.can_edit_post(actor, category_doc, thread_doc, post))
        return aiohttp_jinja2.render_template("forums/edit.html", request, {
            "post": post, "thread": thread_doc, "values": values, **await _draft_preview(request, values)})
    try:
        await actions.run(request.app, actor, edit.edit_post, post_id=post["_id"], data=values)
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/edit.html", request, {
            "post": post, "thread": thread_doc, "values": values, "errors": error.errors}, status=422)
    return see_other(post_path(thread_id, post["number"]))


async def history(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    shown = await reads.post_history(db, actor, await access_post_by_number(
        db, actor, object_id(request.match_info["thread_id"]), _number(request)))
    return aiohttp_jinja2.render_template("forums/history.html", request, {
        "post": shown.post, "thread": shown.thread, "revisions": shown.revisions, "people": shown.people})


async def _post_action(request: web.Request, action: Any, done: str | None = None) -> web.Response:
    """Run ``action(db, actor, post, values)`` for the post in the URL, then go back to it (and say
    ``done`` there, when given)."""
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, _thread, _category = await access_post_by_number(db, actor, thread_id, _number(request))
    values = await form_fields(request)
    await action(db, actor, post, values)
    if _fragment(request):
        return await _post_fragment(request, thread_id, post["number"])
    if done is not None:
        return confirmations.confirmed(request, post_path(thread_id, post["number"]), done)
    return see_other(post_path(thread_id, post["number"]))


async def vote_post(request: web.Request) -> web.Response:
    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, vote.set_vote, post_id=post["_id"], up=values.get("up") != "0")
    return await _post_action(request, act)


async def delete_post(request: web.Request) -> web.Response:
    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, moderate.delete_post, post_id=post["_id"], data=values)
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    response = await _post_action(request, act, POST_DELETED)
    if _number(request) == 1 and response.status == 303:
        found = await queries.thread(db, thread_id)
        category_doc = await queries.category(db, found["category_id"]) if found else None
        if category_doc is not None and not policy.can_view_hidden_posts(actor, category_doc):
            return confirmations.confirmed(request, category_path(category_doc["slug"]), POST_DELETED)
    return response


async def flag_form(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    post, thread_doc, category_doc = await access_post_by_number(db, actor, object_id(request.match_info["thread_id"]),
                                                                 _number(request))
    policy.require(actor, policy.can_flag(actor, category_doc))
    return aiohttp_jinja2.render_template("forums/flag.html", request, {
        "post": post, "thread": thread_doc, "reasons": list(FlagReason), "values": {}, "errors": {}})


async def flag_post(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    post, thread_doc, _category = await access_post_by_number(db, actor, thread_id, _number(request))
    values = await form_fields(request)
    try:
        await actions.run(request.app, actor, flag.flag_post, post_id=post["_id"], data=values)
    except Invalid as error:
        return aiohttp_jinja2.render_template("forums/flag.html", request, {
            "post": post, "thread": thread_doc, "reasons": list(FlagReason), "values": values,
            "errors": error.errors}, status=422)
    return confirmations.confirmed(request, post_path(thread_id, post["number"]), FLAGGED)


async def hide_post(request: web.Request) -> web.Response:
    hidden = request.match_info["action"] == "hide"

    async def act(db: Database, actor: Actor, post: dict[str, Any], values: dict[str, str]) -> None:
        await actions.run(request.app, actor, moderate.set_hidden, post_id=post["_id"], hidden=hidden, data=values)
    return await _post_action(request, act, POST_HIDDEN if hidden else POST_SHOWN)


async def accept_answer(request: web.Request) -> web.Response:
    thread_id = object_id(request.match_info["thread_id"])
    values = await form_fields(request)
    raw = values.get("number", "")
    number = whole_number(raw)
    if raw and (number is None or number < 1):
        raise Invalid({"number": _("Choose a reply in this thread.")})
    await actions.run(request.app, actor_of(request), accept.set_accepted, thread_id=thread_id, number=number)
    return see_other(thread_path(thread_id))


async def follow_thread(request: web.Request) -> web.Response:
    thread_id = object_id(request.match_info["thread_id"])
    values = await form_fields(request)
    await actions.run(request.app, actor_of(request), follow.set_following, "thread", thread_id,
                      values.get("following") != "0")
    return see_other(thread_path(thread_id))


async def follow_category(request: web.Request) -> web.Response:
    db = db_of(request)
    found = await queries.category_by_slug(db, request.match_info["slug"])
    values = await form_fields(request)
    await actions.run(request.app, actor_of(request), follow.set_following, "category",
                      found["_id"] if found else object_id("-"), values.get("following") != "0")
    return see_other(category_path(request.match_info["slug"]))


async def thread_moderation(request: web.Request) -> web.Response:
    """Lock, unlock, pin, unpin or move a thread (``action`` in the URL)."""
    app, actor = request.app, actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    action = request.match_info["action"]
    values = await form_fields(request)
    if action in ("lock", "unlock"):
        await actions.run(app, actor, moderate.set_locked, thread_id=thread_id, locked=action == "lock", data=values)
    elif action in ("pin", "unpin"):
        await actions.run(app, actor, moderate.set_pinned, thread_id=thread_id, pinned=action == "pin", data=values)
    else:
        await actions.run(app, actor, moderate.move_thread, thread_id=thread_id, data=values)
    return confirmations.confirmed(request, thread_path(thread_id), THREAD_DONE.get(action, THREAD_DONE["move"]))


async def moderation_queue(request: web.Request) -> web.Response:
    queue = await reads.moderation_queue(db_of(request), actor_of(request))
    return aiohttp_jinja2.render_template("forums/moderation.html", request, {"flags": queue.flags, "people": queue.people})


async def resolve_flag(request: web.Request) -> web.Response:
    await actions.run(request.app, actor_of(request), moderate.resolve_flag,
                      flag_id=object_id(request.match_info["flag_id"]), data=await form_fields(request))
    return confirmations.confirmed(request, url_for(request, "forums.moderation"), FLAG_RESOLVED)


async def suspend_form(request: web.Request) -> web.Response:
    actor = actor_of(request)
    policy.require(actor, policy.can_suspend_members(actor))
    user_id = object_id(request.match_info["user_id"])
    person = (await queries.people(db_of(request), [user_id])).get(user_id)
    if person is None:
        object_id("-")
    return aiohttp_jinja2.render_template("forums/suspend.html", request, {"person": person, "values": {}, "errors": {}})


async def suspend(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    user_id = object_id(request.match_info["user_id"])
    values = await form_fields(request)
    try:
        await actions.run(request.app, actor, moderate.suspend_member, user_id=user_id, data=form_values(SuspendIn, values))
    except Invalid as error:
        person = (await queries.people(db, [user_id])).get(user_id)
        return aiohttp_jinja2.render_template("forums/suspend.html", request,
                                              {"person": person, "values": values, "errors": error.errors}, status=422)
    return confirmations.confirmed(request, url_for(request, "forums.moderation"), SUSPENDED)


async def category_feed(request: web.Request) -> web.Response:
    return await feeds.category_feed(db_of(request), settings_of(request).base_url, request.match_info["slug"])


async def thread_feed(request: web.Request) -> web.Response:
    return await feeds.thread_feed(db_of(request), settings_of(request).base_url,
                                   object_id(request.match_info["thread_id"]))


async def _category_form(request: web.Request, values: dict[str, str], errors: dict[str, str],
                         status: int = 200) -> web.Response:
    """The new-category form: parents, organisations and competencies to choose from, moderators
    named by e-mail address, so nobody types an id."""
    db, actor = db_of(request), actor_of(request)
    orgs = [(str(org["_id"]), org["name"]) for org in await organisations.everything(db)
            if policy.can_manage_categories(actor, org["_id"])]
    return aiohttp_jinja2.render_template("forums/new_category.html", request, {
        "values": values, "errors": errors,
        "parent_options": [(str(c["_id"]), c["name"]) for c in (await reads.category_index(db, actor)).tree],
        "org_options": ([("", _("None: a public category"))] if policy.can_manage_categories(actor, None) else []) + orgs,
        "competencies": await dictionary.shown(db)}, status=status)


async def new_category_form(request: web.Request) -> web.Response:
    actor = actor_of(request)
    policy.require(actor, policy.can_manage_categories(actor, actor.org_id))
    return await _category_form(request, {}, {})


async def new_category(request: web.Request) -> web.Response:
    actor = actor_of(request)
    values = await form_fields(request, lists=("competency_tags",))
    try:
        data = form_values(CategoryIn, values)
        data["moderator_ids"] = await categories.moderators_by_email(db_of(request), values.get("moderators", ""))
        created = await actions.run(request.app, actor, categories.create_category, data)
    except Invalid as error:
        return await _category_form(request, values, error.errors, 422)
    return confirmations.confirmed(request, category_path(created["slug"]), CATEGORY_CREATED)
