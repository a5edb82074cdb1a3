"""``notify``: the one function every feature calls to tell a person something.

Called after the caller's write has committed. It honours the person's preference for the
kind, folds a notification about the same kind and subject into the unread one already there
(so ten replies to a thread are one entry with a count of ten), and pushes it to the person's
socket room with the new unread total for the header badge.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community.notifications import queries
from community.notifications.kinds import DEFAULT_DELIVERY, KIND_PATTERN, Delivery

log = logging.getLogger("community.notifications")

MAX_TEXT = 500
MAX_URL = 2000


async def delivery_for(db: Any, user_id: ObjectId, kind: str) -> Delivery:
    chosen = (await queries.preferences(db, user_id)).get(kind)
    return Delivery(chosen) if chosen in Delivery.__members__.values() else DEFAULT_DELIVERY


async def notify(db: Any, emitter: Any, *, user_id: ObjectId, kind: str, actor_id: ObjectId | None,
                 subject_type: str, subject_id: Any, text: str, url: str) -> None:
    """Notify ``user_id``. ``url`` is a site-relative link ("/forums/t/..."); ``text`` is plain text,
    already in the words the person should read. ``emitter`` may be None (no live push).
    Nobody is notified of their own action."""
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"notification kind must be a short snake_case word, got {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notification url must be site-relative, got {url!r}")
    if actor_id is not None and actor_id == user_id:
        return
    delivery = await delivery_for(db, user_id, kind)
    if delivery is Delivery.OFF:
        return
    now = datetime.now(UTC)
    set_fields: dict[str, Any] = {"text": text[:MAX_TEXT], "url": url[:MAX_URL], "actor_id": actor_id,
                                  "updated_at": now, "read": False}
    if delivery is Delivery.EMAIL_DIGEST:
        set_fields["digest_pending"] = True
    on_insert = {"user_id": user_id, "kind": kind, "subject_type": subject_type, "subject_id": subject_id,
                 "created_at": now}
    key = queries.open_key(user_id, kind, subject_type, subject_id)
    try:
        doc = await queries.fold_in(db, key, set_fields=set_fields, on_insert=on_insert)
    except DuplicateKeyError:  # a concurrent notify created the entry first: fold into it
        doc = await queries.fold_in(db, key, set_fields=set_fields, on_insert=on_insert)
    if emitter is None:
        return
    await emitter.emit("notification", {
        "id": str(doc["_id"]), "kind": kind, "text": doc["text"], "url": doc["url"], "count": doc["count"],
        "unread": await queries.unread_count(db, user_id),
    }, room=f"user:{user_id}")
