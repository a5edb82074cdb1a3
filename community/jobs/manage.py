"""Administrators retry or discard a job; each is audited in the same transaction."""

from __future__ import annotations

from typing import Any

from community import audit, policy
from community.actions import Action
from community.errors import NotFound
from community.i18n import gettext as _
from community.jobs import queries
from community.jobs.schedule import JOBS


async def _job(tx: Action, key: str) -> dict[str, Any]:
    policy.require(tx.actor, policy.can_manage_jobs(tx.actor))
    found = await queries.job(tx.db, key)
    if found is None:
        raise NotFound(_("There is no such job."))
    return found


async def retry(tx: Action, key: str) -> None:
    """Run the job again now, its attempts counted afresh."""
    job = await _job(tx, key)
    session = await tx.start()
    await tx.db[JOBS].update_one({"_id": key}, {"$set": {
        "status": "due", "claimable_at": tx.now, "attempts": 0, "lease_until": None, "lease_token": None,
        "updated_at": tx.now}}, session=session)
    await audit.record(tx.db, actor=tx.actor, action="job.retry", target_type="job", target_id=key,
                       details={"kind": job["kind"], "status": job["status"], "last_error": job.get("last_error")},
                       session=session)


async def discard(tx: Action, key: str) -> None:
    job = await _job(tx, key)
    session = await tx.start()
    await tx.db[JOBS].delete_one({"_id": key}, session=session)
    await audit.record(tx.db, actor=tx.actor, action="job.discard", target_type="job", target_id=key,
                       details={"kind": job["kind"], "status": job["status"], "last_error": job.get("last_error")},
                       session=session)
