"""Scheduling and cancelling jobs inside a write's transaction.

A job is ``{_id: key, kind, due_at, payload, attempts, status, claimable_at, lease_until,
lease_token, last_error, created_at, updated_at}``. ``status`` is ``due``, ``running`` or
``failed``. ``claimable_at`` is when a runner may take it: the due time while due, the lease's
expiry while running (a killed process's job is taken over then), absent once failed, so one
index on it finds all claimable work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from community.jobs.registry import job_kind
from community.storage.api import Database

JOBS = "jobs"
EFFECTS = "job_effects"
"""Effects recorded under a job's key (``JobRun.once``); indexes in ``community.storage.indexes``."""


def check(kind: str, due_at: Any, payload: Any, key: Any) -> None:
    """Refuse a mistaken call by name before anything is written."""
    job_kind(kind)
    if not isinstance(due_at, datetime):
        raise TypeError(f"due_at must be a datetime, got {type(due_at).__name__}")
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise ValueError("due_at must carry a time zone (a naive datetime is ambiguous)")
    if not isinstance(payload, Mapping):
        raise TypeError(f"payload must be a document (a mapping), got {type(payload).__name__}")
    if not isinstance(key, str) or not key or len(key) > 200 or "/" in key:
        raise ValueError("key must be a non-empty string of at most 200 characters, without '/'")


async def schedule(db: Database, session: Any, kind: str, due_at: datetime, payload: Mapping[str, Any], *, key: str,
                   now: datetime) -> dict[str, Any]:
    """Create the job ``key``, or move it (new kind, time and payload; attempts start again)."""
    check(kind, due_at, payload, key)
    fields = {"kind": kind, "due_at": due_at, "payload": dict(payload), "attempts": 0, "status": "due",
              "claimable_at": due_at, "lease_until": None, "lease_token": None, "last_error": None, "updated_at": now}
    await db[JOBS].update_one({"_id": key}, {"$set": fields, "$setOnInsert": {"created_at": now}}, upsert=True,
                              session=session)
    return {"_id": key, **fields}


async def cancel(db: Database, session: Any, key: str) -> bool:
    return (await db[JOBS].delete_one({"_id": key}, session=session)).deleted_count == 1
