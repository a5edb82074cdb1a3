"""Mark notifications read, and tell the person's other tabs the new unread count."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community import policy
from community.errors import NotFound
from community.i18n import N_
from community.notifications import queries
from community.policy import Actor
from community.storage.api import Database


async def _announce(db: Database, emitter: Any, user_id: ObjectId) -> None:
    if emitter is not None:
        await emitter.emit("notifications:unread", {"unread": await queries.unread_count(db, user_id)},
                           room=f"user:{user_id}")


async def mark_read(db: Database, emitter: Any, actor: Actor, notification_id: ObjectId) -> bool:
    """Mark one of the actor's notifications read; returns whether it was unread."""
    actor = policy.require_member(actor)
    changed = await queries.mark_read(db, actor.user_id, notification_id, datetime.now(UTC))
    if not changed and not await queries.exists(db, actor.user_id, notification_id):
        raise NotFound(N_("We could not find that notification."))
    if changed:
        await _announce(db, emitter, actor.user_id)
    return changed


async def mark_all_read(db: Database, emitter: Any, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    actor = policy.require_member(actor)
    changed = await queries.mark_all_read(db, actor.user_id, datetime.now(UTC))
    if changed:
        await _announce(db, emitter, actor.user_id)
    return changed
