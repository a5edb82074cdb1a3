"""Mark notifications read, and tell the person's other tabs the new unread count."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web
from bson import ObjectId

from community import actions, keys, policy
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


async def mark_subjects_read(tx: Action, subjects: Sequence[tuple[str, ObjectId]]) -> tuple[int, int]:
    """Mark the actor's notifications about ``subjects`` read, because they are looking at them
    (a thread page reads its replies and mentions); returns how many were unread, and how many
    are unread now."""
    actor = policy.require_member(tx.actor)
    session = await tx.start()
    changed = await queries.mark_subjects_read(tx.db, actor.user_id, subjects, tx.now, session=session)
    if changed:
        return changed, await _announce(tx, actor.user_id)
    return 0, await queries.unread_count(tx.db, actor.user_id, session=session)


async def seen(request: web.Request, subjects: Sequence[tuple[str, ObjectId]]) -> None:
    """The page ``request`` shows holds ``subjects``: the signed-in reader's notifications about
    them are read, and the header's badge counts what is left. Costs nothing for a reader with
    no unread notification, and one read for a reader whose unread notifications are about
    other things (the write's transaction would hold every other write back meanwhile)."""
    if not request.get(keys.UNREAD_NOTIFICATIONS) or not subjects:
        return
    actor = policy.require_member(request[keys.ACTOR])
    if not await queries.any_unread_about(request.app[keys.DB], actor.user_id, subjects):
        return
    changed, unread = await actions.run(request.app, actor, mark_subjects_read, subjects)
    if changed:
        request[keys.UNREAD_NOTIFICATIONS] = unread


async def mark_all_read(tx: Action) -> tuple[int, int]:
    """Mark every unread notification of the actor read; returns how many were unread, and how
    many are unread now."""
    actor = policy.require_member(tx.actor)
    session = await tx.start()
    changed = await queries.mark_all_read(tx.db, actor.user_id, tx.now, session=session)
    if changed:
        return changed, await _announce(tx, actor.user_id)
    return 0, await queries.unread_count(tx.db, actor.user_id, session=session)
