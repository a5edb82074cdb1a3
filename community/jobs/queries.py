"""What the administrators' page and readiness read of the jobs, in MongoDB's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from community.jobs.schedule import JOBS
from community.storage.api import Database

STATUSES = ("due", "running", "failed")
PAGE = 200


async def listing(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Each status's jobs by kind, soonest first (at most ``PAGE`` of each)."""
    return {status: await db[JOBS].find({"status": status}, sort=[("kind", 1), ("due_at", 1)], limit=PAGE).to_list(None)
            for status in STATUSES}


async def job(db: Database, key: str) -> dict[str, Any] | None:
    return await db[JOBS].find_one({"_id": key})


@dataclass(frozen=True, slots=True)
class Lateness:
    overdue: int
    """Jobs not failed whose due time passed more than the allowed time ago."""
    failed: int


async def lateness(db: Database, now: datetime, limit_seconds: float) -> Lateness:
    late = await db[JOBS].count_documents({"status": {"$in": ["due", "running"]},
                                           "due_at": {"$lt": now - timedelta(seconds=limit_seconds)}})
    return Lateness(late, await db[JOBS].count_documents({"status": "failed"}))
