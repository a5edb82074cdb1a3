"""Paths of forum pages, for services (notifications, feeds, search documents) that have no router.

The routes in ``routes.py`` are declared with these same shapes.
"""

from __future__ import annotations

from bson import ObjectId


def category_path(slug: str) -> str:
    return f"/forums/c/{slug}"


def thread_path(thread_id: ObjectId | str) -> str:
    return f"/forums/t/{thread_id}"


def post_path(thread_id: ObjectId | str, number: int) -> str:
    """The permalink of a post; it redirects to the page of the thread that holds the post."""
    return f"/forums/t/{thread_id}/p/{number}"
