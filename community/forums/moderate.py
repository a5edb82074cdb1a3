"""Moderator actions: hide and unhide, lock, pin, move, delete, suspend, and the flag queue.

Each returns whether anything changed, and each change is written to the audit log, with who
did it, to what, when and why, in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from community import audit, policy
from community.accounts import people
from community.actions import Action
from community.errors import Conflict, Forbidden, NotFound
from community.forums import queries
from community.forums.accept import award_accepted, reverse_accepted
from community.forums.access import access_category, access_post, access_thread
from community.forums.limits import LIMITS, ForumLimits
from community.forums.queries import CATEGORIES, FLAGS, POSTS, REVISIONS, THREADS, VOTES
from community.forums.schemas import DeleteIn, MoveIn, ReasonIn, ResolveFlagIn, SuspendIn
from community.forums.vote import award_upvote, reverse_upvote
from community.forums.writes import category_room, reindex, reindex_whole_thread, thread_room
from community.i18n import gettext as _
from community.policy import Actor, Role
from community.realtime.emitter import user_room
from community.storage.api import Database
from community.validation import validate

Doc = dict[str, Any]


async def _reverse_karma(db: Database, post: Doc, session: Any) -> None:
    """Take back what a post earned (its accepted answer and upvotes), when it is hidden or deleted."""
    await reverse_accepted(db, post, session)
    async for vote in db[VOTES].find({"post_id": post["_id"]}, {"_id": 1}, session=session):
        await reverse_upvote(db, post["author_id"], vote["_id"], session)


async def _restore_karma(db: Database, limits: ForumLimits, post: Doc, thread: Doc, session: Any) -> None:
    if post.get("accepted"):
        await award_accepted(db, limits, post, thread, session)
    async for vote in db[VOTES].find({"post_id": post["_id"]}, {"_id": 1}, session=session):
        await award_upvote(db, limits, post["author_id"], vote["_id"], session)


async def _reindex_post(tx: Action, post: Doc, thread: Doc) -> None:
    """The opening post's visibility is the thread's, which every reply's document carries."""
    if post["number"] == 1:
        await reindex_whole_thread(tx, thread["_id"])
    else:
        await reindex(tx, post["_id"])


def _visible_change(post: Doc) -> dict[str, Any]:
    """Counter changes when a reply leaves (or returns to) the visible thread."""
    return {"reply_count": -1} if post["number"] > 1 else {}


def _require_moderator(actor: Actor, category: Doc) -> None:
    policy.require(actor, policy.can_moderate_category(actor, category), _("Only this category's moderators can do that."))


async def set_hidden(tx: Action, *, post_id: ObjectId, hidden: bool, data: Mapping[str, Any]) -> bool:
    """Hide a post from everyone but moderators and its author (reversing its Karma Points), or
    bring it back. Hiding the opening post hides the thread. Open flags on it are resolved."""
    db, actor, limits = tx.db, tx.actor, tx.app[LIMITS]
    post, thread, category = await access_post(db, actor, post_id)
    _require_moderator(actor, category)
    form = validate(ReasonIn, data)
    if post["hidden"] == hidden:
        return False
    now = tx.now
    change = _visible_change(post)

    async def write(session: Any) -> None:
        await db[POSTS].update_one({"_id": post_id}, {"$set": {
            "hidden": hidden, "hidden_reason": form.reason if hidden else None,
            "hidden_by": actor.user_id if hidden else None, "hidden_at": now if hidden else None}}, session=session)
        thread_update: dict[str, Any] = {"$inc": {"version": 1}}
        if post["number"] == 1:
            thread_update["$set"] = {"hidden": hidden}
        elif change and not post["deleted"]:
            thread_update["$inc"].update({key: value if hidden else -value for key, value in change.items()})
        await db[THREADS].update_one({"_id": thread["_id"]}, thread_update, session=session)
        if hidden:
            await _reverse_karma(db, post, session)
            await db[FLAGS].update_many({"post_id": post_id, "status": "open"}, {"$set": {
                "status": "resolved", "resolved_by": actor.user_id, "resolved_at": now, "outcome": "hidden"}},
                session=session)
        elif not post["deleted"]:
            await _restore_karma(db, limits, post, thread, session)
        await _reindex_post(tx, post, thread)
        await audit.record(db, actor=actor, action="forum.post.hide" if hidden else "forum.post.unhide",
                           target_type="forum_post", target_id=post_id, org_id=category.get("org_id"),
                           reason=form.reason, details={"thread_id": str(thread["_id"]), "number": post["number"],
                                                        "author_id": str(post["author_id"])}, session=session)

    await write(await tx.start())
    tx.emit("forum:post_edited", {"thread_id": str(thread["_id"]), "post_id": str(post_id), "number": post["number"]},
            room=thread_room(thread["_id"]))
    return True


async def delete_post(tx: Action, *, post_id: ObjectId, data: Mapping[str, Any]) -> bool:
    """Soft-delete: the post stays stored (and in its history) but shows as deleted. Authors delete
    their own posts without giving a reason; a moderator deleting someone else's must give one,
    and with the ``personal_data`` reason code the post's earlier versions are erased in the same
    transaction. Deleting the opening post deletes the thread."""
    db, actor = tx.db, tx.actor
    post, thread, category = await access_post(db, actor, post_id)
    policy.require(actor, policy.can_delete_post(actor, category, thread, post), _("You cannot delete this post."))
    if post["deleted"]:
        return False
    by_moderator = post["author_id"] != actor.user_id
    form = validate(DeleteIn, data) if by_moderator else None
    purge = form is not None and form.reason_code == "personal_data"
    now = tx.now

    async def write(session: Any) -> None:
        await db[POSTS].update_one({"_id": post_id}, {"$set": {"deleted": True, "deleted_by": actor.user_id,
                                                               "deleted_at": now}}, session=session)
        purged = (await db[REVISIONS].delete_many({"post_id": post_id}, session=session)).deleted_count if purge else 0
        if post["number"] == 1:
            await db[THREADS].update_one({"_id": thread["_id"]}, {"$set": {"deleted": True}, "$inc": {"version": 1}},
                                         session=session)
            await db[CATEGORIES].update_one({"_id": category["_id"]}, {"$inc": {"thread_count": -1}}, session=session)
        else:
            update: dict[str, Any] = {"$inc": {"version": 1} if post["hidden"] else {"version": 1, "reply_count": -1}}
            if thread["accepted_post_id"] == post_id:
                update["$set"] = {"accepted_post_id": None}
            await db[THREADS].update_one({"_id": thread["_id"]}, update, session=session)
        if not post["hidden"]:
            await _reverse_karma(db, post, session)
        await _reindex_post(tx, post, thread)
        if form is not None:
            await audit.record(db, actor=actor, action="forum.post.delete", target_type="forum_post", target_id=post_id,
                               org_id=category.get("org_id"), reason=form.reason,
                               details={"thread_id": str(thread["_id"]), "number": post["number"],
                                        "author_id": str(post["author_id"]), "reason_code": form.reason_code,
                                        "revisions_purged": purged}, session=session)

    await write(await tx.start())
    tx.emit("forum:post_edited", {"thread_id": str(thread["_id"]), "post_id": str(post_id), "number": post["number"]},
            room=thread_room(thread["_id"]))
    return True


async def _thread_flag(tx: Action, *, thread_id: ObjectId, field: str, value: bool, action: str,
                       data: Mapping[str, Any]) -> bool:
    db, actor = tx.db, tx.actor
    thread, category = await access_thread(db, actor, thread_id)
    _require_moderator(actor, category)
    form = validate(ReasonIn, data)
    if thread[field] == value:
        return False

    async def write(session: Any) -> None:
        await db[THREADS].update_one({"_id": thread_id}, {"$set": {field: value}, "$inc": {"version": 1}},
                                     session=session)
        await audit.record(db, actor=actor, action=action, target_type="forum_thread", target_id=thread_id,
                           org_id=category.get("org_id"), reason=form.reason, details={"title": thread["title"]},
                           session=session)

    await write(await tx.start())
    tx.emit("forum:thread_changed", {"thread_id": str(thread_id), field: value}, room=thread_room(thread_id))
    return True


async def set_locked(tx: Action, *, thread_id: ObjectId, locked: bool,
                     data: Mapping[str, Any]) -> bool:
    """A locked thread stays readable but takes no replies (except from its moderators)."""
    return await _thread_flag(tx, thread_id=thread_id, field="locked", value=locked,
                              action="forum.thread.lock" if locked else "forum.thread.unlock", data=data)


async def set_pinned(tx: Action, *, thread_id: ObjectId, pinned: bool,
                     data: Mapping[str, Any]) -> bool:
    """A pinned thread heads its category's list."""
    return await _thread_flag(tx, thread_id=thread_id, field="pinned", value=pinned,
                              action="forum.thread.pin" if pinned else "forum.thread.unpin", data=data)


async def move_thread(tx: Action, *, thread_id: ObjectId, data: Mapping[str, Any]) -> bool:
    """Move a thread (and its posts) to another category the actor also moderates."""
    db, actor = tx.db, tx.actor
    thread, source = await access_thread(db, actor, thread_id)
    _require_moderator(actor, source)
    form = validate(MoveIn, data)
    assert form.category_id is not None  # MoveIn's validator refuses a missing category
    target = await access_category(db, actor, form.category_id)
    _require_moderator(actor, target)
    if target["_id"] == source["_id"]:
        return False
    posts = await db[POSTS].count_documents({"thread_id": thread_id, "deleted": False})

    async def write(session: Any) -> None:
        where = {"category_id": target["_id"], "org_id": target.get("org_id")}
        await db[THREADS].update_one({"_id": thread_id}, {"$set": where, "$inc": {"version": 1}}, session=session)
        await db[POSTS].update_many({"thread_id": thread_id}, {"$set": where}, session=session)
        await db[FLAGS].update_many({"thread_id": thread_id}, {"$set": where}, session=session)
        await db[CATEGORIES].update_one({"_id": source["_id"]}, {"$inc": {"thread_count": -1, "post_count": -posts}},
                                        session=session)
        await db[CATEGORIES].update_one({"_id": target["_id"]}, {"$inc": {"thread_count": 1, "post_count": posts}},
                                        session=session)
        await reindex_whole_thread(tx, thread_id)
        await audit.record(db, actor=actor, action="forum.thread.move", target_type="forum_thread", target_id=thread_id,
                           org_id=source.get("org_id"), reason=form.reason,
                           details={"from": str(source["_id"]), "to": str(target["_id"])}, session=session)

    await write(await tx.start())
    tx.emit("forum:thread_changed", {"thread_id": str(thread_id), "category_id": str(target["_id"])},
            room=thread_room(thread_id))
    tx.emit("forum:thread_removed", {"thread_id": str(thread_id)}, room=category_room(source["_id"]))
    return True


async def suspend_member(tx: Action, *, user_id: ObjectId, data: Mapping[str, Any]) -> datetime:
    """Suspend a person for some days: they can still read, but cannot post anywhere. Once the
    suspension is committed their open sockets are closed, on every process, so each reconnects as
    the suspended person it now is."""
    db, actor = tx.db, tx.actor
    policy.require(actor, policy.can_suspend_members(actor), _("Only moderators can suspend members."))
    form = validate(SuspendIn, data)
    person = await people.person_by_id(db, user_id)
    if person is None:
        raise NotFound(_("We could not find that person."))
    if person["_id"] == actor.user_id or Role.ADMIN.value in person["roles"]:
        raise Forbidden(_("This person cannot be suspended."))
    until = tx.now + timedelta(days=form.days)

    async def write(session: Any) -> None:
        await people.set_suspension(db, user_id, until, session=session)
        await audit.record(db, actor=actor, action="member.suspend", target_type="user", target_id=user_id,
                           org_id=person["org_id"], reason=form.reason,
                           details={"days": form.days, "until": until.isoformat()}, session=session)

    await write(await tx.start())
    tx.hang_up(user_room(user_id))
    return until


async def lift_suspension(tx: Action, *, user_id: ObjectId, data: Mapping[str, Any]) -> bool:
    db, actor = tx.db, tx.actor
    policy.require(actor, policy.can_suspend_members(actor), _("Only moderators can suspend members."))
    form = validate(ReasonIn, data)
    person = await people.person_by_id(db, user_id)
    if person is None:
        raise NotFound(_("We could not find that person."))
    if person["suspended_until"] is None:
        return False

    async def write(session: Any) -> None:
        await people.set_suspension(db, user_id, None, session=session)
        await audit.record(db, actor=actor, action="member.unsuspend", target_type="user", target_id=user_id,
                           org_id=person["org_id"], reason=form.reason, session=session)

    await write(await tx.start())
    return True


async def moderation_queue(db: Database, actor: Actor) -> list[Doc]:
    """Open flags in the categories the actor moderates, oldest first, each with its post."""
    moderated = [c["_id"] for c in await queries.categories(db, None) if policy.can_moderate_category(actor, c)]
    policy.require(actor, bool(moderated), _("You do not moderate any category."))
    flags = await queries.open_flags(db, moderated)
    posts = {p["_id"]: p async for p in db[POSTS].find({"_id": {"$in": [f["post_id"] for f in flags]}})}
    threads = {t["_id"]: t async for t in db[THREADS].find({"_id": {"$in": [f["thread_id"] for f in flags]}},
                                                            {"title": 1})}
    return [{**flag, "post": posts.get(flag["post_id"]), "thread": threads.get(flag["thread_id"])} for flag in flags]


async def resolve_flag(tx: Action, *, flag_id: ObjectId, data: Mapping[str, Any]) -> bool:
    """Dismiss a flag, or act on it by hiding the post (which resolves every open flag on it)."""
    db, actor = tx.db, tx.actor
    flag = await db[FLAGS].find_one({"_id": flag_id})
    if flag is None:
        raise NotFound(_("We could not find that flag."))
    category = await access_category(db, actor, flag["category_id"])
    _require_moderator(actor, category)
    form = validate(ResolveFlagIn, data)
    if flag["status"] != "open":
        raise Conflict(_("This flag has already been dealt with."))
    if form.outcome == "hide":
        return await set_hidden(tx, post_id=flag["post_id"], hidden=True,
                                data={"reason": form.reason})

    async def write(session: Any) -> None:
        await db[FLAGS].update_one({"_id": flag_id}, {"$set": {
            "status": "dismissed", "resolved_by": actor.user_id, "resolved_at": tx.now,
            "outcome": "dismissed"}}, session=session)
        await audit.record(db, actor=actor, action="forum.flag.dismiss", target_type="forum_flag", target_id=flag_id,
                           org_id=category.get("org_id"), reason=form.reason,
                           details={"post_id": str(flag["post_id"])}, session=session)

    await write(await tx.start())
    return True
