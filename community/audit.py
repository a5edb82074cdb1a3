"""The audit log: every administrative action on a person or an organisation, append-only.

DPDP Act 2023 asks for a trail of administrative access; the log is written by the service
that makes the change, in the same transaction when one is given, and read only by platform
administrators (``policy.can_view_audit_log``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import IndexModel

from community.policy import Actor
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts
from community.storage.api import Database

STORAGE = StorageFacts(collections=(
    Collection("audit_log", label=N_("Administrative record"), indexes=(
        IndexModel([("target_type", 1), ("target_id", 1), ("_id", -1)]),  # one person's or organisation's history
        IndexModel([("actor_id", 1), ("_id", -1)]),
    ), personal=(
        Personal("target_id", "keep", purpose=N_("Administrative actions about you, kept as an accountability record "
                                                 "required of the platform.")),
        Personal("actor_id", "keep", purpose=N_("Administrative actions you took, kept as an accountability record "
                                                "required of the platform.")),
    )),
))


ACTIONS: dict[str, str] = {
    "forum.answer.accept": N_("Accepted an answer"),
    "forum.answer.unaccept": N_("Withdrew an accepted answer"),
    "forum.category.create": N_("Created a forum category"),
    "forum.flag.dismiss": N_("Dismissed a report on a post"),
    "forum.post.delete": N_("Deleted a post"),
    "event.evidence_confirmed": N_("Confirmed attendance at an event as competency evidence"),
    "forum.post.edit": N_("Edited a post"),
    "forum.post.hide": N_("Hid a post"),
    "forum.post.unhide": N_("Showed a hidden post again"),
    "forum.thread.lock": N_("Locked a thread"),
    "forum.thread.unlock": N_("Unlocked a thread"),
    "forum.thread.pin": N_("Pinned a thread"),
    "forum.thread.unpin": N_("Unpinned a thread"),
    "forum.thread.move": N_("Moved a thread"),
    "job.retry": N_("Retried a background job"),
    "job.discard": N_("Discarded a background job"),
    "member.suspend": N_("Suspended a member"),
    "member.unsuspend": N_("Lifted a suspension"),
    "membership.approve": N_("Approved a request to join an organisation"),
    "membership.reject": N_("Declined a request to join an organisation"),
    "membership.sso": N_("Set the organisation from single sign-on"),
    "messages.close_report": N_("Closed a report of a direct message"),
    "messages.view_report": N_("Read a reported direct message"),
    "organisation.create": N_("Created an organisation"),
    "organisation.update": N_("Changed an organisation"),
    "organisation.delete": N_("Deleted an organisation"),
    "organisation.domains": N_("Changed an organisation's e-mail domains"),
    "person.create": N_("Created an account"),
    "person.view": N_("Opened a member's page"),
    "privacy.erase": N_("Erased an account"),
    "privacy.view_personal_data": N_("Viewed a member's data"),
    "profile.verification.record": N_("Recorded a competency result"),
    "role.grant": N_("Granted a role"),
    "role.revoke": N_("Revoked a role"),
    "room.attendance_corrected": N_("Corrected attendance at a live event"),
    "vacancy.shortlist_export": N_("Downloaded a vacancy's shortlist"),
}
"""Every action the log records, as an administrator reads it (translated where shown)."""


async def record(db: Database, *, actor: Actor, action: str, target_type: str, target_id: ObjectId | str,
                 org_id: ObjectId | None = None, reason: str | None = None, details: dict[str, Any] | None = None,
                 session: Any = None) -> ObjectId:
    entry: dict[str, Any] = {
        "_id": ObjectId(),
        "at": datetime.now(UTC),
        "actor_id": actor.user_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "org_id": org_id,
        "reason": reason,
        "details": details or {},
    }
    await db.audit_log.insert_one(entry, session=session)
    return entry["_id"]


async def entries(db: Database, *, before: ObjectId | None = None, target_type: str | None = None,
                  target_id: ObjectId | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first; ``before`` is the last ``_id`` of the previous page."""
    conditions: dict[str, Any] = {}
    if before is not None:
        conditions["_id"] = {"$lt": before}
    if target_type:
        conditions["target_type"] = target_type
    if target_id is not None:
        conditions["target_id"] = target_id
    return await db.audit_log.find(conditions).sort("_id", -1).limit(limit).to_list(None)
