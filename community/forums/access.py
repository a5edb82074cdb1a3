"""Load a category, thread or post and check that the actor may see it, in one step.

Something the actor may not read is reported as not found, so a private space's threads do
not even reveal that they exist.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import policy
from community.errors import NotFound
from community.forums import cache, queries
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database

Doc = dict[str, Any]


async def cached_category(db: Database, category_id: ObjectId) -> Doc | None:
    """Categories are read on every page, so they come from a cache of a few seconds (``cache``)."""
    found = cache.of_store(db).categories.get(category_id)
    if found is None:
        found = await queries.category(db, category_id)
        if found is not None:
            cache.of_store(db).categories.put(category_id, found)
    return found


async def access_category(db: Database, actor: Actor, category_id: ObjectId) -> Doc:
    category = await cached_category(db, category_id)
    if category is None or not policy.can_read_category(actor, category):
        raise NotFound(_("We could not find that category."))
    return category


async def access_thread(db: Database, actor: Actor, thread_id: ObjectId) -> tuple[Doc, Doc]:
    """The thread and its category. Deleted or hidden threads are visible only to moderators."""
    thread = await queries.thread(db, thread_id)
    if thread is None:
        raise NotFound(_("We could not find that thread."))
    category = await cached_category(db, thread["category_id"])
    if category is None or not policy.can_read_category(actor, category):
        raise NotFound(_("We could not find that thread."))
    if (thread["deleted"] or thread["hidden"]) and not policy.can_view_hidden_posts(actor, category):
        raise NotFound(_("We could not find that thread."))
    return thread, category


async def access_post(db: Database, actor: Actor, post_id: ObjectId) -> tuple[Doc, Doc, Doc]:
    """The post, its thread and its category."""
    post = await queries.post(db, post_id)
    if post is None:
        raise NotFound(_("We could not find that post."))
    thread, category = await access_thread(db, actor, post["thread_id"])
    if post["hidden"] and not policy.can_view_hidden_posts(actor, category) and post["author_id"] != actor.user_id:
        raise NotFound(_("We could not find that post."))
    return post, thread, category


async def access_post_by_number(db: Database, actor: Actor, thread_id: ObjectId, number: int) -> tuple[Doc, Doc, Doc]:
    thread, category = await access_thread(db, actor, thread_id)
    post = await queries.post_by_number(db, thread_id, number)
    if post is None or (post["hidden"] and not policy.can_view_hidden_posts(actor, category)
                        and post["author_id"] != actor.user_id):
        raise NotFound(_("We could not find that post."))
    return post, thread, category


async def access_history(db: Database, actor: Actor, post: Doc, category: Doc) -> None:
    """A post's earlier versions follow what may be seen of the post: once it is deleted or
    hidden, nobody but the category's moderators sees its text, so nobody else sees its history
    (not even its author, whose hidden post shows only a notice)."""
    if (post["deleted"] or post["hidden"]) and not policy.can_view_hidden_posts(actor, category):
        raise NotFound(_("We could not find that post."))
