"""Mark notifications read, and tell the person's other tabs the new unread count."""

from __future__ import annotations

from bson import ObjectId

from community import policy
from community.actions import Action
from community.errors import NotFound
from community.i18n import N_
from community.notifications import queries
from community.realtime.emitter import user_room


async def _announce(tx: Action, user_id: ObjectId) -> int:
    """The unread count as the transaction leaves it, sent to the person's tabs once it commits."""
    unread = await queries.unread_count(tx.db, user_id, session=tx.session)
    tx.emit("notifications:unread", {"unread": unread}, room=user_room(user_id))
    return unread


async def mark_read(tx: Action, notification_id: ObjectId) -> tuple[bool, int]:
    """Mark one of the actor's notifications read; returns whether it was unread, and how many
    are unread now."""
    actor = policy.require_member(tx.actor)
    session = await tx.start()
    changed = await queries.mark_read(tx.db, actor.user_id, notification_id, tx.now, session=session)
    if not changed and not await queries.exists(tx.db, actor.user_id, notification_id):
        raise NotFound(N_("We could not find that notification."))
    if changed:
        return True, await _announce(tx, actor.user_id)
    return False, await queries.unread_count(tx.db, actor.user_id, session=session)


async def mark_all_read(tx: Action) -> tuple[int, int]:
    """Mark every unread notification of the actor read; returns how many were unread, and how
    many are unread now."""
    actor = policy.require_member(tx.actor)
    session = await tx.start()
    changed = await queries.mark_all_read(tx.db, actor.user_id, tx.now, session=session)
    if changed:
        return changed, await _announce(tx, actor.user_id)
    return 0, await queries.unread_count(tx.db, actor.user_id, session=session)
