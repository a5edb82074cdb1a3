"""Stored forum documents as the JSON API shows them."""

from __future__ import annotations

from typing import Any

from community.forums.urls import category_path, post_path, thread_path

Doc = dict[str, Any]


def post_json(post: Doc) -> dict[str, Any]:
    gone = post["deleted"] or post["hidden"]
    return {
        "id": str(post["_id"]), "number": post["number"], "author": post["author"],
        "html": "" if gone else post["html"], "body": post["body"] if post.get("can_edit") and not post["deleted"] else None,
        "reply_to": post.get("reply_to"), "created_at": post["created_at"], "edited_at": post.get("edited_at"),
        "edit_count": post["edit_count"], "votes": post["votes"], "voted": post.get("voted", False),
        "accepted": post["accepted"], "hidden": post["hidden"], "deleted": post["deleted"],
        "url": post_path(post["thread_id"], post["number"]),
    }


def thread_json(thread: Doc) -> dict[str, Any]:
    accepted = thread.get("accepted_post_id")
    return {
        "id": str(thread["_id"]), "category_id": str(thread["category_id"]), "title": thread["title"],
        "kind": thread["kind"], "tags": thread["tags"], "competency_tags": thread["competency_tags"],
        "author": thread.get("author", {"id": None, "name": None}), "created_at": thread["created_at"],
        "last_activity_at": thread["last_activity_at"], "reply_count": thread["reply_count"], "votes": thread["votes"],
        "accepted_post_id": str(accepted) if accepted else None, "pinned": thread["pinned"], "locked": thread["locked"],
        "unread": thread.get("unread"), "url": thread_path(thread["_id"]),
    }


def category_json(category: Doc) -> dict[str, Any]:
    return {
        "id": str(category["_id"]), "slug": category["slug"], "name": category["name"],
        "description": category.get("description", ""),
        "parent_id": str(category["parent_id"]) if category.get("parent_id") else None,
        "private": category.get("org_id") is not None, "competency_tags": category.get("competency_tags", []),
        "thread_count": category.get("thread_count", 0), "post_count": category.get("post_count", 0),
        "last_activity_at": category.get("last_activity_at"), "url": category_path(category["slug"]),
    }


def revision_json(revision: Doc, editor: dict[str, Any]) -> dict[str, Any]:
    return {"number": revision["number"], "body": revision["body"], "html": revision["html"], "title": revision.get("title"),
            "edited_at": revision["edited_at"], "editor": editor, "reason": revision.get("reason", "")}


def flag_json(flag: Doc) -> dict[str, Any]:
    return {"id": str(flag["_id"]), "post_id": str(flag["post_id"]), "thread_id": str(flag["thread_id"]),
            "reason": flag["reason"], "note": flag["note"], "status": flag["status"], "created_at": flag["created_at"]}
