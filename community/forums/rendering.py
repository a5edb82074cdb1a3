"""Rendering posts for pages and live fragments, with a cache of rendered posts.

A thread page shows twenty posts; rendering each through Jinja on every request would be most
of the page's cost. A rendered post depends only on what the template reads: the post's own
fields, its author's name, the viewer's permissions on it (a handful of flags), the language,
and the viewer's CSRF token. So the cache key is exactly those values (the token excepted: it is
rendered as a placeholder and put in afterwards), and nothing ever needs invalidating: a changed
post, a renamed author or another viewer simply makes another key. Old keys fall out of the LRU.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup


TOKEN_PLACEHOLDER = "\x00csrf\x00"
MAX_ENTRIES = 20_000


class Viewer(NamedTuple):
    """What the viewer may do with one post: the only per-person inputs of a rendered post."""

    signed_in: bool
    is_author: bool
    voted: bool
    can_edit: bool
    can_vote: bool
    can_reply: bool
    can_accept: bool
    can_moderate: bool


class PostCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], str] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> str | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], html: str) -> None:
        self._entries[key] = html
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def _key(post: dict[str, Any], viewer: Viewer, locale: str) -> tuple[Any, ...]:
    return (post["_id"], post["number"], post["author"]["name"], post["author"]["id"],
            post["author"].get("designation"), post["html"], post["votes"],
            post["edit_count"], post.get("reply_to"), post["accepted"], post["hidden"], post["deleted"],
            post.get("hidden_reason"), post["created_at"], locale, viewer)


def render_post(env: jinja2.Environment, cache: PostCache, post: dict[str, Any], viewer: Viewer, *, locale: str,
                csrf_token: str) -> Markup:
    """The post as ``env`` renders it, from the app's ``cache`` (``community.forums.cache.RENDERED``) when it is there."""
    key = _key(post, viewer, locale)
    html = cache.get(key)
    if html is None:
        html = env.get_template("forums/partials/post.html").render(post=post, viewer=viewer, csrf_token=TOKEN_PLACEHOLDER)
        cache.put(key, html)
    return Markup(html.replace(TOKEN_PLACEHOLDER, csrf_token) if viewer.signed_in and csrf_token != TOKEN_PLACEHOLDER
                  else html)
