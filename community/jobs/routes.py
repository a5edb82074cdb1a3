"""The job runner for the app's lifetime, its readiness check and the administrators' page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web

from community import background, keys
from community.jobs import queries, storage, views
from community.jobs.runner import Runner
from community.storage.facts import declare

RUNNER: web.AppKey[Runner] = web.AppKey("job_runner", Runner)


async def runner_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    runner = Runner(app, poll=settings.jobs_poll_seconds, lease=timedelta(seconds=settings.lease_seconds))
    app[RUNNER] = runner
    await runner.ensure_recurring()
    async with background.running(runner.run(), name="job-runner"):
        yield


def readiness(app: web.Application) -> Any:
    async def check() -> dict[str, Any]:
        late = await queries.lateness(app[keys.DB], app[keys.CLOCK](), app[keys.SETTINGS].overdue_seconds)
        return {"name": "jobs", "ok": late.overdue == 0, "overdue": late.overdue, "failed": late.failed}
    return check


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.cleanup_ctx.append(runner_context)
    app[keys.READINESS_CHECKS].append(readiness(app))
    app.router.add_get("/admin/jobs", views.jobs_page, name="admin_jobs")
    app.router.add_post("/admin/jobs/{key}/retry", views.retry_job, name="admin_job_retry")
    app.router.add_post("/admin/jobs/{key}/discard", views.discard_job, name="admin_job_discard")
