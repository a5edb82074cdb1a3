from __future__ import annotations

import functools

import aiohttp_jinja2
from aiohttp import web

from community import api, keys
from community.forums import api_views, cache, home, schemas, sockets, storage, views
from community.forums.limits import LIMITS, limits_from_env
from community.i18n import lazy_gettext
from community.realtime.server import add_handler
from community.storage.facts import declare

T = "forums"
POST = r"/forums/t/{thread_id}/p/{number:\d+}"


def setup(app: web.Application) -> None:
    app[LIMITS] = limits_from_env(app[keys.SETTINGS])
    app[cache.RENDERED] = cache.RenderedCaches()
    declare(storage.STORAGE)
    add_handler(app, "forum:reply", sockets.post_reply)
    env = aiohttp_jinja2.get_env(app)
    env.globals["forum_asset"] = functools.cache(
        lambda filename: str(app.router["static"].url_for(filename=filename)))
    app[keys.NAV].append(keys.NavItem("forums", lazy_gettext("Discussions")))
    app[keys.HOME_SECTIONS].append(keys.HomeSection("forums/partials/home.html", home.home_section, weight=20))
    add = app.router.add_route
    add("GET", "/forums", views.index, name="forums")
    add("GET", "/forums/new-category", views.new_category_form, name="forums.new_category")
    add("POST", "/forums/new-category", views.new_category)
    add("GET", "/forums/moderation", views.moderation_queue, name="forums.moderation")
    add("POST", "/forums/flags/{flag_id}/resolve", views.resolve_flag, name="forums.resolve_flag")
    add("GET", "/forums/members/{user_id}/suspend", views.suspend_form, name="forums.suspend")
    add("POST", "/forums/members/{user_id}/suspend", views.suspend)
    add("GET", "/forums/c/{slug}", views.category, name="forums.category")
    add("GET", "/forums/c/{slug}/feed.atom", views.category_feed, name="forums.category_feed")
    add("GET", "/forums/c/{slug}/new", views.new_thread_form, name="forums.new_thread")
    add("POST", "/forums/c/{slug}/new", views.new_thread)
    add("POST", "/forums/c/{slug}/follow", views.follow_category, name="forums.follow_category")
    add("GET", "/forums/t/{thread_id}", views.thread, name="forums.thread")
    add("GET", "/forums/t/{thread_id}/feed.atom", views.thread_feed, name="forums.thread_feed")
    add("POST", "/forums/t/{thread_id}/reply", views.post_reply, name="forums.reply")
    add("POST", "/forums/t/{thread_id}/accept", views.accept_answer, name="forums.accept")
    add("POST", "/forums/t/{thread_id}/follow", views.follow_thread, name="forums.follow_thread")
    add("POST", "/forums/t/{thread_id}/{action:lock|unlock|pin|unpin|move}", views.thread_moderation,
        name="forums.thread_action")
    add("GET", POST, views.permalink, name="forums.post")
    add("GET", POST + "/fragment", views.post_fragment, name="forums.post_fragment")
    add("GET", POST + "/edit", views.edit_form, name="forums.edit")
    add("POST", POST + "/edit", views.edit_post)
    add("GET", POST + "/history", views.history, name="forums.history")
    add("POST", POST + "/vote", views.vote_post, name="forums.vote")
    add("POST", POST + "/delete", views.delete_post, name="forums.delete")
    add("GET", POST + "/flag", views.flag_form, name="forums.flag")
    add("POST", POST + "/flag", views.flag_post)
    add("POST", POST + "/{action:hide|unhide}", views.hide_post, name="forums.hide")

    route, Link = api.route, api.Link
    route(app, "GET", "/forums/categories", api_views.list_categories, summary="Categories you may read", tag=T,
          response=schemas.CategoryListOut, auth=False)
    route(app, "POST", "/forums/categories", api_views.create_category, summary="Create a category", tag=T,
          body=schemas.CategoryIn, response=schemas.CategoryOut, status=201,
          links={"threads": Link("api.forums.threads", {"slug": "$response.body#/slug"})})
    route(app, "GET", "/forums/categories/{slug}/threads", api_views.list_threads, summary="Threads in a category",
          tag=T, response=schemas.ThreadListOut, auth=False, query=schemas.ThreadListQuery, name="api.forums.threads")
    route(app, "POST", "/forums/categories/{slug}/threads", api_views.start_thread, summary="Start a thread", tag=T,
          body=schemas.ThreadIn, response=schemas.ThreadPageOut, status=201,
          links={"thread": Link("api.forums.thread", {"thread_id": "$response.body#/thread/id"})})
    route(app, "PUT", "/forums/categories/{slug}/follow", api_views.follow_category, summary="Follow a category",
          tag=T, body=None, response=schemas.OkOut)
    route(app, "DELETE", "/forums/categories/{slug}/follow", api_views.follow_category,
          summary="Stop following a category", tag=T, response=schemas.OkOut)
    route(app, "GET", "/forums/threads/{thread_id}", api_views.get_thread,
          summary="A thread and one page of its posts (accepted answer first)", tag=T, response=schemas.ThreadPageOut,
          auth=False, query=schemas.ThreadQuery, name="api.forums.thread")
    route(app, "POST", "/forums/threads/{thread_id}/replies", api_views.post_reply, summary="Reply to a thread", tag=T,
          body=schemas.ReplyIn, response=schemas.PostOut, status=201,
          links={"thread": Link("api.forums.thread", {"thread_id": "$request.path.thread_id"},
                                "The thread, where the reply is on its last page"),
                 "revisions": Link("api.forums.revisions", {"post_id": "$response.body#/id"})})
    route(app, "PUT", "/forums/threads/{thread_id}/accepted", api_views.set_accepted, summary="Accept an answer",
          tag=T, body=schemas.AcceptIn, response=schemas.OkOut)
    route(app, "DELETE", "/forums/threads/{thread_id}/accepted", api_views.set_accepted,
          summary="Withdraw the accepted answer", tag=T, response=schemas.OkOut)
    route(app, "PUT", "/forums/threads/{thread_id}/follow", api_views.follow_thread, summary="Follow a thread", tag=T,
          body=None, response=schemas.OkOut)
    route(app, "DELETE", "/forums/threads/{thread_id}/follow", api_views.follow_thread,
          summary="Stop following a thread", tag=T, response=schemas.OkOut)
    for action, summary in (("lock", "Lock a thread"), ("unlock", "Unlock a thread"), ("pin", "Pin a thread"),
                            ("unpin", "Unpin a thread")):
        route(app, "POST", f"/forums/threads/{{thread_id}}/{action}", api_views.thread_action, summary=summary, tag=T,
              body=schemas.ReasonIn, response=schemas.OkOut)
    route(app, "POST", "/forums/threads/{thread_id}/move", api_views.thread_action,
          summary="Move a thread to another category", tag=T, body=schemas.MoveIn, response=schemas.OkOut)
    route(app, "PATCH", "/forums/posts/{post_id}", api_views.edit_post, summary="Edit a post", tag=T,
          body=schemas.EditIn, response=schemas.PostOut,
          links={"revisions": Link("api.forums.revisions", {"post_id": "$request.path.post_id"})})
    route(app, "DELETE", "/forums/posts/{post_id}", api_views.delete_post,
          summary="Delete a post (moderators give a reason)", tag=T, body=schemas.DeletePostIn, response=schemas.OkOut)
    route(app, "GET", "/forums/posts/{post_id}/revisions", api_views.revisions, summary="A post's edit history",
          tag=T, response=schemas.RevisionListOut, auth=False, name="api.forums.revisions")
    route(app, "PUT", "/forums/posts/{post_id}/vote", api_views.set_vote, summary="Upvote a post", tag=T,
          body=None, response=schemas.VoteOut)
    route(app, "DELETE", "/forums/posts/{post_id}/vote", api_views.set_vote, summary="Withdraw an upvote", tag=T,
          response=schemas.VoteOut)
    route(app, "POST", "/forums/posts/{post_id}/flags", api_views.flag_post, summary="Flag a post", tag=T,
          body=schemas.FlagIn, response=schemas.FlagOut, status=201,
          links={"queue": Link("api.forums.flags", {}, "The moderation queue (moderators)")})
    route(app, "POST", "/forums/posts/{post_id}/hide", api_views.hide_post, summary="Hide a post", tag=T,
          body=schemas.ReasonIn, response=schemas.OkOut)
    route(app, "POST", "/forums/posts/{post_id}/unhide", api_views.hide_post, summary="Unhide a post", tag=T,
          body=schemas.ReasonIn, response=schemas.OkOut)
    route(app, "GET", "/forums/flags", api_views.list_flags, summary="The moderation queue", tag=T,
          response=schemas.FlagListOut, name="api.forums.flags")
    route(app, "POST", "/forums/flags/{flag_id}/resolve", api_views.resolve_flag, summary="Dismiss or act on a flag",
          tag=T, body=schemas.ResolveFlagIn, response=schemas.OkOut)
    route(app, "POST", "/forums/members/{user_id}/suspend", api_views.suspend_member,
          summary="Suspend a member from posting", tag=T, body=schemas.SuspendIn, response=schemas.SuspendedOut)
    route(app, "DELETE", "/forums/members/{user_id}/suspend", api_views.lift_suspension,
          summary="Lift a member's suspension", tag=T, body=schemas.ReasonIn, response=schemas.OkOut)
    route(app, "POST", "/forums/preview", api_views.preview_post, summary="A draft post rendered as it would be shown",
          tag=T, body=schemas.PreviewIn, response=schemas.PreviewOut, name="api.forums.preview")
    route(app, "GET", "/forums/mentions", api_views.mention_candidates, summary="People to @mention", tag=T,
          response=schemas.MentionListOut, query=schemas.MentionQuery, name="api.forums.mentions")
