"""The forums' storage facts: collections, indexes, personal data and search documents.

Erasure: posts and threads stay and show "a deleted member"; what only served the person
(follows, read positions, votes whose ids embed theirs) goes; flags and moderation keep their
record without saying who acted. Search re-indexes everything the person wrote
(``writes.reindex_authored``), so the name leaves the forum documents too.

Search: a thread's document holds its title and opening post; every later post has its own
document; both carry the author's name from ``users``, and the thread's id as their ``group``, so
a grouped search lists a thread once. Bodies are indexed as the words a reader sees (rendered,
then stripped of markup), so neither matches nor snippets show Markdown's marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import IndexModel

from community import policy
from community.accounts import people
from community.forums import markdown
from community.forums.queries import CATEGORIES, FLAGS, FOLLOWS, POSTS, READS, REVISIONS, THREADS, VOTES
from community.forums.writes import SEARCH_INDEX, reindex_authored
from community.i18n import N_
from community.storage.facts import Collection, Personal, SearchDocuments, StorageFacts
from search.documents import Changes, epoch, month, object_id, optional_str, words_of_markdown
from community.storage.api import Database


def _words(post: Mapping[str, Any] | None) -> str:
    """A post's words as a reader sees them, from the HTML stored when it was written, so indexing
    renders nothing again; a post stored without it (an import) is rendered from its body."""
    post = post or {}
    if post.get("html") is not None:
        return markdown.text(post["html"])
    return words_of_markdown(post.get("body", ""))


def thread_document(thread: Mapping[str, Any], opening: Mapping[str, Any] | None,
                    author: Mapping[str, Any] | None) -> dict[str, Any]:
    created = thread.get("created_at")
    return {
        "id": str(thread["_id"]), "kind": "thread", "title": thread.get("title", ""),
        "body": _words(opening), "author_name": (author or {}).get("name"),
        "category_id": optional_str(thread.get("category_id")), "thread_id": str(thread["_id"]),
        "group": str(thread["_id"]),
        "author_id": optional_str(thread.get("author_id")), "org_id": optional_str(thread.get("org_id")),
        "competencies": [str(c) for c in thread.get("competency_tags", [])], "month": month(created),
        "date": epoch(created), "votes": int(thread.get("votes", 0)),
        "access": policy.search_audience(thread.get("org_id")),
        "hidden": bool(thread.get("hidden") or thread.get("deleted")),
    }


def post_document(post: Mapping[str, Any], thread: Mapping[str, Any],
                  author: Mapping[str, Any] | None) -> dict[str, Any]:
    created = post.get("created_at")
    return {
        "id": str(post["_id"]), "kind": "post", "body": _words(post), "group": str(thread["_id"]),
        "author_name": (author or {}).get("name"), "thread_title": thread.get("title", ""),
        "number": int(post.get("number", 0)), "category_id": optional_str(post.get("category_id")),
        "thread_id": str(thread["_id"]), "author_id": optional_str(post.get("author_id")),
        "org_id": optional_str(thread.get("org_id")), "competencies": [str(c) for c in thread.get("competency_tags", [])],
        "month": month(created), "date": epoch(created), "votes": int(post.get("votes", 0)),
        "access": policy.search_audience(thread.get("org_id")),
        "hidden": bool(post.get("hidden") or post.get("deleted") or thread.get("hidden") or thread.get("deleted")),
    }


async def load_threads_posts(db: Database, doc_id: str) -> Changes:
    oid = object_id(doc_id)
    if oid is None:
        return Changes(deletes=[doc_id])
    thread = await db[THREADS].find_one({"_id": oid})
    post = None if thread is not None else await db[POSTS].find_one({"_id": oid})
    if post is not None:
        thread = await db[THREADS].find_one({"_id": post.get("thread_id")})
        if thread is None:
            return Changes(deletes=[doc_id])
        if post["_id"] != thread.get("first_post_id"):
            author = await people.person_by_id(db, post.get("author_id"))
            return Changes(upserts=[post_document(post, thread, author)])
    if thread is None:
        return Changes(deletes=[doc_id])
    opening = await db[POSTS].find_one({"_id": thread.get("first_post_id")}, {"body": 1, "html": 1})
    author = await people.person_by_id(db, thread.get("author_id"))
    changes = Changes(upserts=[thread_document(thread, opening, author)])
    if doc_id != str(thread["_id"]):
        changes.deletes.append(doc_id)
    return changes


STORAGE = StorageFacts(
    collections=(
        Collection(CATEGORIES, indexes=(
            IndexModel([("slug", 1)], unique=True),
            IndexModel([("org_id", 1), ("position", 1)]),  # the categories a reader may see, in order
        )),
        Collection(THREADS, label=N_("Forum threads and posts"), indexes=(
            IndexModel([("category_id", 1), ("last_activity_at", -1), ("_id", -1)]),  # sort: latest activity
            IndexModel([("category_id", 1), ("created_at", -1), ("_id", -1)]),  # sort: newest, unanswered
            IndexModel([("category_id", 1), ("votes", -1), ("_id", -1)]),  # sort: top
            IndexModel([("category_id", 1), ("pinned", 1)]),  # pinned threads head the first page
            IndexModel([("category_id", 1), ("tags", 1)]),
            IndexModel([("competency_tags", 1), ("last_activity_at", -1), ("_id", -1)]),  # threads on a competency
        ), personal=(
            Personal("author_id", "anonymise", purpose=N_("Threads you started.")),
            Personal("last_poster_id", "anonymise", purpose=N_("Threads where you posted last.")),
        )),
        Collection(POSTS, label=N_("Forum threads and posts"), indexes=(
            IndexModel([("thread_id", 1), ("number", 1)], unique=True),  # a thread's pages; permalinks
            IndexModel([("author_id", 1), ("body_hash", 1), ("created_at", -1)]),  # duplicate-post detection
            IndexModel([("author_id", 1), ("created_at", -1)]),  # a person's latest posts (people you may know)
        ), personal=(
            Personal("author_id", "anonymise", purpose=N_("Your forum posts, kept so discussions still make sense.")),
            Personal("hidden_by", "anonymise", replacements={"hidden_by": None}, purpose=N_("Posts you hid as a moderator.")),
            Personal("deleted_by", "anonymise", replacements={"deleted_by": None}, purpose=N_("Posts you deleted.")),
        )),
        Collection(REVISIONS, label=N_("Forum threads and posts"), indexes=(IndexModel([("post_id", 1), ("number", -1)], unique=True),), personal=(
            Personal("editor_id", "anonymise", purpose=N_("Earlier versions of posts you edited.")),
        )),
        Collection(VOTES, label=N_("Votes on forum posts"), indexes=(IndexModel([("post_id", 1)]), IndexModel([("user_id", 1), ("post_id", 1)])),
                   personal=(Personal("user_id", "delete", purpose=N_("Your votes on posts.")),)),
        Collection(FOLLOWS, label=N_("Followed threads and categories"), indexes=(IndexModel([("target_type", 1), ("target_id", 1)]),),
                   personal=(Personal("user_id", "delete", purpose=N_("Threads and categories you follow.")),)),
        Collection(READS, label=N_("What you have read in the forums"), indexes=(IndexModel([("user_id", 1), ("thread_id", 1)]),),
                   personal=(Personal("user_id", "delete", purpose=N_("How far you have read each thread.")),)),
        Collection(FLAGS, label=N_("Reports to moderators"), indexes=(
            IndexModel([("status", 1), ("category_id", 1), ("created_at", 1)]),  # the moderation queue
            IndexModel([("post_id", 1), ("reporter_id", 1), ("status", 1)]),
        ), personal=(
            Personal("reporter_id", "anonymise", replacements={"reporter_id": None},
                     purpose=N_("Posts you reported to moderators.")),
            Personal("resolved_by", "anonymise", replacements={"resolved_by": None},
                     purpose=N_("Reports you resolved as a moderator.")),
        )),
    ),
    search=(SearchDocuments(SEARCH_INDEX, load_threads_posts, sources=((THREADS, {}), (POSTS, {"number": {"$gt": 1}}))),),
    erasure_hooks=(reindex_authored,),
)
