"""Administrators see due, running and failed jobs, retry or discard them (audited); /readyz reports lateness."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.jobs import registry
from community.jobs.schedule import JOBS
from community.notifications.intents import INTENTS
from tests.conftest import post_form
from tests.factories import make_user, sign_in


async def _noop(run: Any) -> None:
    return None


@pytest.fixture(autouse=True)
def kind() -> Iterator[None]:
    registry.register("test.noop", _noop, label="Nothing, for the test")
    yield
    del registry.JOBS["test.noop"]


async def _failed_job(db: Any, key: str) -> None:
    now = datetime.now(UTC)
    await db[JOBS].insert_one({"_id": key, "kind": "test.noop", "due_at": now - timedelta(hours=1), "payload": {},
                               "attempts": 5, "status": "failed", "lease_until": None, "lease_token": None,
                               "last_error": "OSError('refused')", "created_at": now, "updated_at": now})


async def test_an_administrator_retries_and_discards_failed_jobs_and_each_is_audited(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    await _failed_job(db, "reminder:1")
    await _failed_job(db, "reminder:2")
    await sign_in(client, admin)
    page = await (await client.get("/admin/jobs")).text()
    assert "reminder:1" in page and "OSError(&#39;refused&#39;)" in page
    assert "<td>Nothing, for the test</td>" in page and "<td>test.noop</td>" not in page and " IST</time>" in page
    response = await post_form(client, "/admin/jobs/reminder:1/retry", {}, from_page="/admin/jobs", allow_redirects=False)
    assert response.status == 303
    retried = await db[JOBS].find_one({"_id": "reminder:1"})
    assert (retried["status"], retried["attempts"]) == ("due", 0) and retried["claimable_at"] is not None
    response = await post_form(client, "/admin/jobs/reminder:2/discard", {}, from_page="/admin/jobs",
                               allow_redirects=False)
    assert response.status == 303 and await db[JOBS].count_documents({"_id": "reminder:2"}) == 0
    audit = await db.audit_log.find({"target_type": "job"}, sort=[("_id", 1)]).to_list(None)
    assert [(a["action"], a["target_id"], a["actor_id"]) for a in audit] == [
        ("job.retry", "reminder:1", admin["_id"]), ("job.discard", "reminder:2", admin["_id"])]


async def test_members_cannot_see_or_touch_jobs(client: TestClient, db: Any) -> None:
    await _failed_job(db, "reminder:1")
    await sign_in(client, await make_user(db))
    assert (await client.get("/admin/jobs")).status == 403
    response = await post_form(client, "/admin/jobs/reminder:1/discard", {}, allow_redirects=False)
    assert response.status == 403 and await db[JOBS].count_documents({"_id": "reminder:1"}) == 1
    assert await db.audit_log.count_documents({"target_type": "job"}) == 0


async def test_readiness_reports_late_jobs_and_undelivered_notifications(client: TestClient, db: Any) -> None:
    ready = await (await client.get("/readyz")).json()
    checks = ready["checks"]
    assert checks["jobs"]["ok"] and checks["notifications"]["ok"]
    late = client.app[keys.CLOCK]() - timedelta(seconds=client.app[keys.SETTINGS].overdue_seconds + 60)
    await db[JOBS].insert_one({"_id": "late", "kind": "test.noop", "due_at": late, "payload": {}, "attempts": 0,
                               "status": "due", "created_at": late, "updated_at": late})
    await db[INTENTS].insert_one({"kind": "reply", "to": {"set": "person", "args": {}}, "created_at": late,
                                  "next_attempt_at": late + timedelta(days=1), "attempts": 3})
    response = await client.get("/readyz")
    assert response.status == 503
    checks = (await response.json())["checks"]
    assert (checks["jobs"]["ok"], checks["jobs"]["overdue"]) == (False, 1)
    assert (checks["notifications"]["ok"], checks["notifications"]["overdue"]) == (False, 1)


async def test_every_kind_of_job_is_named_in_words_in_english_and_hindi() -> None:
    from community.i18n import current_locale, gettext

    shipped = {name: kind.label for name, kind in registry.JOBS.items() if not name.startswith("test.")}
    assert shipped and all(label and label != name for name, label in shipped.items())
    token = current_locale.set("hi")
    try:
        assert [label for label in shipped.values() if gettext(label) == label] == []
    finally:
        current_locale.reset(token)

