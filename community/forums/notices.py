"""The forums' notifications: their kinds and renderers, recipient sets and who may see a subject.

A mention does not reach anyone in a block with the post's author (``community.network``).

Texts are rendered when shown, in the reader's language; the parameters stored are the thread's
title, an excerpt of the post and where it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.forums import mentions, queries
from community.forums.markdown import excerpt, render
from community.forums.queries import REVISIONS
from community.forums.urls import post_path, thread_path
from community.i18n import gettext as _, lazy_gettext, ngettext
from community.network import queries as network
from community.notifications import kinds
from community.notifications.intents import Recipients, recipient_set, recipients_together, subject_type
from community.storage.api import Database

EXCERPT = 120


def post_params(thread: Mapping[str, Any], post: Mapping[str, Any]) -> dict[str, Any]:
    return {"title": thread["title"], "excerpt": excerpt(post["html"], EXCERPT), "thread_id": str(thread["_id"]),
            "number": post["number"]}


def _post_url(params: Mapping[str, Any]) -> str:
    return post_path(params["thread_id"], params["number"])


def _replies_text(params: Mapping[str, Any], count: int, names: Sequence[str]) -> str:
    """Several unread replies in one thread, as one notification naming the latest repliers."""
    if not names:
        return ngettext("%(num)d new reply in \u201c%(title)s\u201d", "%(num)d new replies in \u201c%(title)s\u201d",
                        count, title=params["title"])
    return ngettext("%(num)d new reply in \u201c%(title)s\u201d, latest from %(names)s",
                    "%(num)d new replies in \u201c%(title)s\u201d, latest from %(names)s",
                    count, title=params["title"], names=", ".join(names))


kinds.register("reply", label=lazy_gettext("Replies to your posts and threads you follow"), url=_post_url,
               text=lambda p, _actor: _("New reply in \u201c%(title)s\u201d: %(excerpt)s", title=p["title"],
                                        excerpt=p["excerpt"]),
               text_many=_replies_text)
kinds.register("mention", label=lazy_gettext("Mentions of you"), url=_post_url,
               text=lambda p, _actor: _("You were mentioned in \u201c%(title)s\u201d: %(excerpt)s", title=p["title"],
                                        excerpt=p["excerpt"]))
kinds.register("accepted_answer", label=lazy_gettext("Your answer was accepted"), url=_post_url,
               text=lambda p, _actor: _("Your answer in \u201c%(title)s\u201d was accepted.", title=p["title"]))
kinds.register("new_thread", label=lazy_gettext("New threads in categories you follow"),
               url=lambda p: thread_path(p["thread_id"]),
               text=lambda p, _actor: _("New thread in %(category)s: \u201c%(title)s\u201d", category=p["category"],
                                        title=p["title"]))


def reply_audience(post_id: ObjectId, mentioned: Sequence[ObjectId]) -> Recipients:
    """The author of the post replied to, then those who followed the thread by the time of the
    reply (a later follower is not told of an earlier reply), less ``mentioned``, those the reply
    mentions (they are told of it as a mention)."""
    return Recipients("forum.reply_audience", {"post_id": post_id, "mentioned": list(mentioned)})


def mentioned(post_id: ObjectId, *, since_revision: int | None = None) -> Recipients:
    """Those the post mentions; after an edit, only those the revision before it did not."""
    return Recipients("forum.mentioned", {"post_id": post_id, "since_revision": since_revision})


def category_followers(category_id: ObjectId, *, as_of: datetime) -> Recipients:
    """Those who followed the category by ``as_of`` (the moment the thread was started)."""
    return Recipients("forum.category_followers", {"category_id": category_id, "as_of": as_of})


def author_followers(author_id: ObjectId, category_id: ObjectId, *, as_of: datetime) -> Recipients:
    """Those who followed the thread's author by ``as_of`` (``community.network``), less those who
    followed its category by then: they hear of it as a new thread in the category already."""
    return Recipients("forum.author_followers", {"author_id": author_id, "category_id": category_id, "as_of": as_of})


@recipient_set("forum.author_followers")
async def _author_followers(db: Database, *, author_id: ObjectId, category_id: ObjectId, as_of: datetime) -> list[ObjectId]:
    told = set(await queries.followers(db, "category", category_id, since_before=as_of))
    return [person for person in await network.followers_since(db, author_id, since_before=as_of) if person not in told]


@recipient_set("forum.mentioned")
async def _mentioned(db: Database, *, post_id: ObjectId, since_revision: int | None) -> list[ObjectId]:
    post = await queries.post(db, post_id)
    if post is None:
        return []
    now = render(post["body"]).mentions
    earlier: set[ObjectId] = set()
    if since_revision is not None:
        before = await db[REVISIONS].find_one({"post_id": post_id, "number": since_revision}, {"body": 1})
        earlier = set(render(before["body"]).mentions) if before else set()
    blocked = await network.blockers_among(db, post["author_id"], list(now))
    return [person for person in now if person not in earlier and person not in blocked]


@recipients_together("forum.reply_audience")
async def _reply_audiences(db: Database, many: Sequence[Mapping[str, Any]]) -> list[Sequence[ObjectId]]:
    """For each reply (``post_id``; ``mentioned``, those its mentions tell on their own): the
    author of the post it answers and the thread's followers who followed by the time it was
    posted, less the people it mentions. Replies in one thread share one read of its followers."""
    posts = await queries.posts_by_id(db, [args["post_id"] for args in many])
    answered = await queries.posts_by_id(db, [post["reply_to_post_id"] for post in posts.values()
                                              if post.get("reply_to_post_id") is not None])
    latest: dict[ObjectId, datetime] = {}
    for post in posts.values():
        latest[post["thread_id"]] = max(post["created_at"], latest.get(post["thread_id"], post["created_at"]))
    follows = {thread_id: await queries.follows_by(db, "thread", thread_id, by) for thread_id, by in latest.items()}
    audiences: list[Sequence[ObjectId]] = []
    for args in many:
        reply = posts.get(args["post_id"])
        if reply is None:
            audiences.append([])
            continue
        target = answered.get(reply["reply_to_post_id"]) if reply.get("reply_to_post_id") is not None else None
        people = [target["author_id"]] if target is not None else []
        people += [person for person, since in follows[reply["thread_id"]] if since <= reply["created_at"]]
        mentioned = args.get("mentioned")
        skip = set(render(reply["body"]).mentions if mentioned is None else mentioned)  # None: an intent older than the argument
        audiences.append([person for person in dict.fromkeys(people) if person not in skip])
    return audiences


@recipient_set("forum.category_followers")
async def _category_followers(db: Database, *, category_id: ObjectId, as_of: datetime) -> list[ObjectId]:
    return await queries.followers(db, "category", category_id, since_before=as_of)


async def _readers_of(db: Database, category_id: ObjectId, people: Sequence[ObjectId]) -> list[ObjectId]:
    category = await queries.category(db, category_id)
    return [] if category is None else await mentions.readers(db, people, category, exclude=None)


@subject_type("forum_post")
async def _who_sees_post(db: Database, post_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    post = await queries.post(db, post_id)
    if post is None or post["deleted"] or post["hidden"]:
        return []
    return await _readers_of(db, post["category_id"], people)


@subject_type("forum_thread")
async def _who_sees_thread(db: Database, thread_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    thread = await queries.thread(db, thread_id)
    if thread is None or thread["deleted"] or thread["hidden"]:
        return []
    return await _readers_of(db, thread["category_id"], people)
