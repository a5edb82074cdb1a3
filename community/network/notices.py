"""The network's notifications: a connection request, its acceptance, and a new thread by
someone the reader follows (whose recipients the forums choose, ``forums.notices.author_followers``);
rendered with the actor's current name in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community.forums.urls import thread_path
from community.i18n import gettext as _, lazy_gettext
from community.network import queries
from community.notifications import kinds
from community.notifications.intents import subject_type
from community.storage.api import Database


REQUEST = "network_request"
"""The subject of a request's notifications: the request's own id, never a person's, so that
erasing either person leaves nothing that names them in the other's notifications."""


def _someone(name: str) -> str:
    return name or _("A member")


kinds.register("connection_request", label=lazy_gettext("Connection requests"),
               url=lambda p: "/network/lists/received",
               text=lambda p, actor: _("%(person)s asked to connect with you.", person=_someone(actor)))
kinds.register("connection_accepted", label=lazy_gettext("Your connection requests accepted"),
               url=lambda p: "/network/lists/connections",
               text=lambda p, actor: _("%(person)s accepted your connection request.", person=_someone(actor)))
kinds.register("followed_thread", label=lazy_gettext("New threads by people you follow"),
               url=lambda p: thread_path(p["thread_id"]),
               text=lambda p, actor: _("%(person)s started a thread: \u201c%(title)s\u201d", person=_someone(actor),
                                       title=p["title"]))


@subject_type(REQUEST)
async def _while_the_request_stands(db: Database, request_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Nobody is told of a request that was withdrawn, declined, expired or ended by a block
    (which deletes the pair's document) before the notifier reached it."""
    return people if await queries.request_exists(db, request_id) else []


def thread_params(thread: Mapping[str, Any]) -> dict[str, Any]:
    return {"title": thread["title"], "thread_id": str(thread["_id"])}
