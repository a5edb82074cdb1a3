"""The forums' JSON API (``/api/v1/forums/...``): the same services as the pages, JSON in and out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from community import actions, api, policy
from community.errors import NotFound
from community.forums import (accept, cache, categories, create_thread, edit, flag, follow, mentions, moderate, queries,
                              preview, reads, reply, vote)
from community.forums.access import access_category, access_post, access_thread
from community.forums.schemas import AcceptIn, MentionQuery, PreviewIn, ThreadListQuery, ThreadQuery, object_id
from community.forums.serialize import category_json, flag_json, post_json, revision_json, thread_json
from community.i18n import gettext as _
from community.requests import actor_of, db_of, read_json
from community.validation import validate


async def _run(request: web.Request, service: Any, /, *args: Any, **kwargs: Any) -> Any:
    """The write service in an action of the request's person."""
    return await actions.run(request.app, actor_of(request), service, *args, **kwargs)


async def _body(request: web.Request) -> dict[str, Any]:
    """The forum API's bodies are optional: a moderator's lock without a reason sends none."""
    return await read_json(request, optional=True)


async def _category_id(request: web.Request) -> Any:
    found = await queries.category_by_slug(db_of(request), request.match_info["slug"])
    if found is None:
        raise NotFound(_("We could not find that category."))
    return found["_id"]


async def list_categories(request: web.Request) -> web.Response:
    shown = await reads.category_index(db_of(request), actor_of(request))
    return api.json_response({"items": [category_json(c) for c in shown.flat]})


async def create_category(request: web.Request) -> web.Response:
    created = await _run(request, categories.create_category, await _body(request))
    return api.json_response(category_json(created), status=201)


async def list_threads(request: web.Request) -> web.Response:
    asked = api.query(request, ThreadListQuery)
    listing = await reads.category_page(db_of(request), actor_of(request), request.match_info["slug"], request.query,
                                        cursor=asked.cursor, limit=asked.limit)
    return api.json_response({"items": [thread_json(t) for t in listing.threads], "next_cursor": listing.next_cursor})


async def start_thread(request: web.Request) -> web.Response:
    thread = await _run(request, create_thread.create_thread, category_id=await _category_id(request),
                        data=await _body(request))
    page = await reads.thread_page(db_of(request), actor_of(request), thread["_id"], cursor=None, limit=1, mark_read=False)
    return api.json_response({"thread": thread_json(page.thread), "posts": [post_json(p) for p in page.posts],
                              "next_cursor": None}, status=201)


async def get_thread(request: web.Request) -> web.Response:
    """Signed-out readers all see the same JSON for a thread version, so it is kept ready (``cache``)."""
    db, actor = db_of(request), actor_of(request)
    thread_id = object_id(request.match_info["thread_id"])
    loaded = await access_thread(db, actor, thread_id)
    asked = api.query(request, ThreadQuery)
    cursor, limit = asked.cursor, asked.limit
    key = (thread_id, loaded[0].get("version", 0), cursor, limit)
    body = None if actor.is_authenticated else request.app[cache.RENDERED].api_pages.get(key)
    if body is None:
        page = await reads.thread_page(db, actor, thread_id, cursor=cursor, limit=limit, loaded=loaded)
        body = api.dumps({"thread": thread_json(page.thread), "posts": [post_json(p) for p in page.in_order],
                          "next_cursor": page.next_cursor})
        if not actor.is_authenticated:
            request.app[cache.RENDERED].api_pages.put(key, body)
    return web.Response(text=body, content_type="application/json")


async def _post_out(request: web.Request, post_id: Any) -> dict[str, Any]:
    return post_json((await reads.post_by_id(db_of(request), actor_of(request), post_id)).post)


async def post_reply(request: web.Request) -> web.Response:
    written = await _run(request, reply.reply, thread_id=object_id(request.match_info["thread_id"]),
                         data=await _body(request))
    shown = await reads.new_post(db_of(request), actor_of(request), written.post, written.thread, written.category)
    return api.json_response(post_json(shown.post), status=201)


async def edit_post(request: web.Request) -> web.Response:
    post_id = object_id(request.match_info["post_id"])
    await _run(request, edit.edit_post, post_id=post_id, data=await _body(request))
    return api.json_response(await _post_out(request, post_id))


async def delete_post(request: web.Request) -> web.Response:
    changed = await _run(request, moderate.delete_post, post_id=object_id(request.match_info["post_id"]),
                         data=await _body(request))
    return api.json_response({"ok": True, "changed": changed})


async def revisions(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    shown = await reads.post_history(db, actor, await access_post(db, actor, object_id(request.match_info["post_id"])))
    return api.json_response({"items": [revision_json(r, shown.editor(r)) for r in shown.revisions]})


async def set_vote(request: web.Request) -> web.Response:
    post_id = object_id(request.match_info["post_id"])
    up = request.method == "PUT"
    _changed, votes = await _run(request, vote.set_vote, post_id=post_id, up=up)
    return api.json_response({"post_id": str(post_id), "votes": votes, "voted": up})


async def flag_post(request: web.Request) -> web.Response:
    created = await _run(request, flag.flag_post, post_id=object_id(request.match_info["post_id"]),
                         data=await _body(request))
    return api.json_response(flag_json(created), status=201)


async def set_accepted(request: web.Request) -> web.Response:
    number = validate(AcceptIn, await _body(request)).number if request.method == "PUT" else None
    changed = await _run(request, accept.set_accepted, thread_id=object_id(request.match_info["thread_id"]),
                         number=number)
    return api.json_response({"ok": True, "changed": changed})


async def follow_thread(request: web.Request) -> web.Response:
    changed = await _run(request, follow.set_following, "thread", object_id(request.match_info["thread_id"]),
                         request.method == "PUT")
    return api.json_response({"ok": True, "changed": changed})


async def follow_category(request: web.Request) -> web.Response:
    changed = await _run(request, follow.set_following, "category", await _category_id(request),
                         request.method == "PUT")
    return api.json_response({"ok": True, "changed": changed})


async def hide_post(request: web.Request) -> web.Response:
    changed = await _run(request, moderate.set_hidden, post_id=object_id(request.match_info["post_id"]),
                         hidden=request.path.endswith("/hide"), data=await _body(request))
    return api.json_response({"ok": True, "changed": changed})


async def thread_action(request: web.Request) -> web.Response:
    thread_id = object_id(request.match_info["thread_id"])
    action = request.path.rsplit("/", 1)[1]
    data = await _body(request)
    if action in ("lock", "unlock"):
        changed = await _run(request, moderate.set_locked, thread_id=thread_id, locked=action == "lock", data=data)
    elif action in ("pin", "unpin"):
        changed = await _run(request, moderate.set_pinned, thread_id=thread_id, pinned=action == "pin", data=data)
    else:
        changed = await _run(request, moderate.move_thread, thread_id=thread_id, data=data)
    return api.json_response({"ok": True, "changed": changed})


async def list_flags(request: web.Request) -> web.Response:
    queue = await reads.moderation_queue(db_of(request), actor_of(request))
    return api.json_response({"items": [flag_json(f) for f in queue.flags]})


async def resolve_flag(request: web.Request) -> web.Response:
    changed = await _run(request, moderate.resolve_flag, flag_id=object_id(request.match_info["flag_id"]),
                         data=await _body(request))
    return api.json_response({"ok": True, "changed": changed})


async def suspend_member(request: web.Request) -> web.Response:
    until = await _run(request, moderate.suspend_member, user_id=object_id(request.match_info["user_id"]),
                       data=await _body(request))
    return api.json_response({"ok": True, "changed": True, "suspended_until": until})


async def lift_suspension(request: web.Request) -> web.Response:
    changed = await _run(request, moderate.lift_suspension, user_id=object_id(request.match_info["user_id"]),
                         data=await _body(request))
    return api.json_response({"ok": True, "changed": changed})


async def preview_post(request: web.Request) -> web.Response:
    draft = validate(PreviewIn, await read_json(request))
    return api.json_response({"html": await preview.render_draft(db_of(request), actor_of(request), draft.body)})


async def mention_candidates(request: web.Request) -> web.Response:
    db, actor = db_of(request), actor_of(request)
    policy.require(actor, actor.is_authenticated)
    asked = api.query(request, MentionQuery)
    category = await access_category(db, actor, object_id(asked.category)) if asked.category else None
    found = await mentions.candidates(db, actor, asked.q, category)
    avatar = request.app.router["avatar"]
    return api.json_response({"items": [{**item, "avatar": str(avatar.url_for(user_id=item["id"]))} for item in found]})
