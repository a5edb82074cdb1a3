"""Reporting a message to the moderators (platform administrators).

A participant reports a message of someone else's, choosing how many of the messages just before
it come along as context (at most ``CONTEXT_MAX``). The report names those messages by id and
nothing else of the conversation, so a moderator reads only them: never the conversation, which
stays closed to everyone but its participants. Each time a moderator opens a report the view is
written to the audit log first. A message its author has since deleted or whose author was erased
shows as deleted there too.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit, policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import Conflict, NotFound
from community.i18n import gettext as _
from community.messages import queries, service
from community.messages.queries import MESSAGES, REPORTS
from community.policy import Actor
from community.storage.api import Database

CONTEXT_MAX = 5
"""The most earlier messages a report may carry along with the reported one."""
REPORTS_PER_HOUR = 10


async def report(tx: Action, conversation_id: ObjectId, message_id: ObjectId, context: int, note: str) -> ObjectId:
    db, actor = tx.db, policy.require_member(tx.actor)
    await service.readable(db, actor, conversation_id)
    message = await queries.message(db, message_id)
    if message is None or message["conversation_id"] != conversation_id:
        raise NotFound(_("There is no such message."))
    policy.require(actor, policy.can_report_message(actor, message), _("You cannot report this message."))
    if await db[REPORTS].find_one({"message_id": message_id, "reporter_id": actor.user_id, "status": "open"},
                                  {"_id": 1}) is not None:
        raise Conflict(_("You have already reported this message; a moderator will look at it."))
    await ratelimit.hit(db, f"dm-report:{actor.user_id}", limit=REPORTS_PER_HOUR, window_seconds=3600)
    before = await queries.messages(db, conversation_id, before=(message["created_at"], message_id),
                                    limit=max(0, min(context, CONTEXT_MAX)))
    report_id = ObjectId()
    await db[REPORTS].insert_one({
        "_id": report_id, "conversation_id": conversation_id, "message_id": message_id,
        "message_ids": [row["_id"] for row in reversed(before)] + [message_id], "reporter_id": actor.user_id,
        "note": note.strip(), "status": "open", "created_at": tx.now}, session=await tx.start())
    return report_id


async def open_reports(db: Database, actor: Actor) -> list[dict[str, Any]]:
    policy.require(actor, policy.can_review_message_reports(actor))
    return [row async for row in db[REPORTS].find({"status": "open"}, sort=[("created_at", -1)], limit=100)]


async def shown_report(db: Database, actor: Actor, report_id: ObjectId) -> dict[str, Any]:
    """One report with its messages, for a moderator; the view is audited before anything is read."""
    policy.require(actor, policy.can_review_message_reports(actor))
    found = await db[REPORTS].find_one({"_id": report_id})
    if found is None:
        raise NotFound(_("There is no such report."))
    await audit.record(db, actor=actor, action="messages.view_report", target_type="message_report",
                       target_id=report_id)
    rows = {row["_id"]: row async for row in db[MESSAGES].find({"_id": {"$in": found["message_ids"]}})}
    names = await people.people_by_id(db, [row["author_id"] for row in rows.values()] + [found["reporter_id"]])
    shown = []
    for message_id in found["message_ids"]:
        row = rows.get(message_id)
        if row is None:
            continue
        author = names.get(row["author_id"]) if row["author_id"] else None
        shown.append({"id": str(message_id), "author": people.shown_name(author), "at": row["created_at"],
                      "html": row["html"], "deleted": bool(row.get("deleted")),
                      "reported": message_id == found["message_id"]})
    return {"id": str(found["_id"]), "note": found["note"], "status": found["status"], "at": found["created_at"],
            "reporter": people.shown_name(names.get(found["reporter_id"])) if found["reporter_id"] else None,
            "messages": shown}


async def close(tx: Action, report_id: ObjectId) -> None:
    policy.require(tx.actor, policy.can_review_message_reports(tx.actor))
    session = await tx.start()
    done = await tx.db[REPORTS].update_one({"_id": report_id, "status": "open"}, {"$set": {
        "status": "closed", "closed_at": tx.now, "closed_by": tx.actor.user_id}}, session=session)
    if done.matched_count == 0:
        raise NotFound(_("There is no such report."))
    await audit.record(tx.db, actor=tx.actor, action="messages.close_report", target_type="message_report",
                       target_id=report_id, session=session)
